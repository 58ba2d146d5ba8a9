/*
 * The WebAssembly translating engine of one hart: Hart.run calls execute(budget) in
 * place of Hart.execute, with the same contract (hart.ts, HartEngine).
 *
 * // HOT PATH: the loop below runs once per return from WebAssembly.
 *
 * Control passes between blocks inside WebAssembly (a function's dispatch loop, tail
 * calls between functions: codegen.ts), so it comes back here only when there is no
 * translated code at the next pc (the miss stub), the budget is too small for the next
 * region, or a block left at an access it does not do itself (the hart's SLOW word:
 * the interpreter runs that one instruction, and may raise its trap). Then, as in the
 * JavaScript engine (../engine.ts): the fetch TLB, the translator's lookup (which counts
 * visits and translates hot starts), and the interpreter for everything the translator
 * has nothing for.
 */

import { HART_REGS_BYTES, type Hart, type HartEngine } from '../../hart.js';
import { TLB_BYTES } from '../../mmu.js';
import type { Translator } from '../block-cache.js';
import { PC_SLOT, SLOW_SLOT } from './codegen.js';
import type { WasmBackend, WasmBlockFn } from './backend.js';

export class WasmEngine implements HartEngine {
  constructor(private readonly hart: Hart, private readonly translator: Translator<WasmBlockFn>, private readonly backend: WasmBackend) {}

  execute(budget: number): void {
    const h = this.hart;
    const tr = this.translator;
    const m32 = this.backend.m32;
    const xb = h.stateOffset;
    const pcWord = (xb + PC_SLOT) >> 2, slowWord = (xb + SLOW_SLOT) >> 2;
    const dt = xb + HART_REGS_BYTES + h.dataMode * TLB_BYTES;
    const ft = xb + HART_REGS_BYTES + h.mode * TLB_BYTES;
    const fetch = h.tlbs[h.mode]!;
    const xTag = fetch.xTag, xXor = fetch.xXor;
    h.contextChanged = false;
    tr.dropped = false;
    let done = 0;
    while (done < budget) {
      const pc = h.pc;
      const vpn = pc >>> 12, ti = vpn & 0xff;
      const left = budget - done;
      if (xTag[ti] !== vpn) { h.execute(1); return; } // the interpreter walks and fills the TLB
      const host = (pc ^ xXor[ti]!) >>> 0;
      const b = tr.lookup(host, pc);
      if (b === null) { h.execute(tr.coldRun(host, left)); return; }
      if (b.fn === null || b.len > left) { h.execute(b.fn === null ? 1 : left); return; }
      const k = b.fn(pc, left, 0, xb, dt, ft, this.backend.mapAt(host >>> 12));
      h.pc = m32[pcWord]!;
      h.cycles += k;
      h.instret += k;
      done += k;
      if (m32[slowWord] !== 0) {
        // A block left at an access it does not do itself: the interpreter runs that one.
        m32[slowWord] = 0;
        tr.stats.slowSteps++;
        if (done < budget) h.execute(1);
        return;
      }
    }
  }
}
