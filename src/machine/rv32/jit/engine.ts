/*
 * The translating engine of one hart: Hart.run calls execute(budget) in place of the
 * interpreter's Hart.execute, with the same contract (hart.ts, HartEngine).
 *
 * // HOT PATH: the loop below runs once per block the blocks themselves did not chain to.
 *
 *   pc → fetch TLB (the hart's own, current mode) → RAM offset → the previous block's
 *      last two successors, else Translator.lookup → block.fn(…) (which may call on
 *      into its successors, codegen.ts) → retired count → virtual time, and again;
 *
 * and the interpreter whenever the translator has nothing to offer: a fetch TLB miss
 * (the interpreter walks and fills it, or raises the fetch fault), a cold block start
 * (interpreted up to its next control transfer), an instruction the translator leaves
 * out (CSR, system, atomic), or a block longer than the budget left (the tail is
 * interpreted, so the budget ends exactly where the interpreter's would). After such a step the engine returns to Hart.run,
 * which is always allowed: Hart.run only re-checks interrupts, and those can only have
 * become takeable through an instruction that ends execute() in both engines anyway.
 */

import type { Hart, HartEngine } from '../hart.js';
import type { Block, Translator } from './block-cache.js';
import type { BlockFn } from './codegen.js';

export class JitEngine implements HartEngine {
  constructor(private readonly hart: Hart, private readonly translator: Translator<BlockFn>) {}

  execute(budget: number): void {
    const h = this.hart;
    const tr = this.translator;
    const x = h.x;
    const dt = h.tlbs[h.dataMode]!;
    const rT = dt.rTag, rX = dt.rXor, wT = dt.wTag, wX = dt.wXor;
    const ft = h.tlbs[h.mode]!;
    const xTag = ft.xTag, xXor = ft.xXor;
    h.contextChanged = false;
    tr.dropped = false;
    tr.pendingSlots = null;
    let done = 0;
    let prev: Block<BlockFn> | null = null;
    while (done < budget) {
      const pc = h.pc;
      const vpn = pc >>> 12, ti = vpn & 0xff;
      const left = budget - done;
      if (xTag[ti] !== vpn) { h.execute(1); return; } // the interpreter walks and fills the TLB
      const host = (pc ^ xXor[ti]!) >>> 0;
      // Chaining: the successors a block had last time, before the page lookup.
      let b: Block<BlockFn> | null;
      if (prev !== null && prev.succ0 !== null && prev.succ0.host === host && prev.succ0.pc === pc && prev.succ0.valid) b = prev.succ0;
      else if (prev !== null && prev.succ1 !== null && prev.succ1.host === host && prev.succ1.pc === pc && prev.succ1.valid) b = prev.succ1;
      else {
        b = tr.lookup(host, pc);
        if (b === null) { h.execute(tr.coldRun(host, left)); return; }
        if (prev !== null) { prev.succ1 = prev.succ0; prev.succ0 = b; }
      }
      // A block's chaining exit to this pc found its slot empty: fill it.
      const pending = tr.pendingSlots as (Block<BlockFn> | null)[] | null; // (set by blocks, not seen by TS)
      if (pending !== null) {
        if (tr.pendingPc === pc && b.fn !== null) pending[tr.pendingExit] = b;
        tr.pendingSlots = null;
      }
      if (b.fn === null || b.len > left) {
        h.execute(b.fn === null ? 1 : left);
        return;
      }
      const k = b.fn(h, x, rT, rX, wT, wX, xTag, xXor, left, 0, 0);
      h.cycles += k;
      h.instret += k;
      done += k;
      if (h.trapCause >= 0 || h.contextChanged) return;
      prev = b;
    }
  }
}
