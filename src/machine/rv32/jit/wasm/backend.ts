/*
 * The WebAssembly backend: compiles regions with codegen.ts, one module per block, and
 * keeps the table through which blocks call each other.
 *
 * The table. Every RAM page with translated blocks owns 1024 consecutive slots, one per
 * instruction word; the page directory (in the machine memory, read by generated code)
 * maps a RAM page to its first slot, 0 meaning none. A slot holds the block whose entry
 * is that word, or the miss stub, which only returns to the engine. Generated code finds
 * its successor through the fetch TLB and the directory and tail-calls the slot, so
 * chaining needs no per-exit state, and dropping a block is one table write.
 *
 * The slow paths imported by every block run in JavaScript on `hart`, which the engine
 * sets before it calls a block.
 */

import type { CodeCache } from '../../code-cache.js';
import type { Ram } from '../../bus.js';
import type { Hart } from '../../hart.js';
import type { MachineMemory } from '../../memory.js';
import type { Region } from '../region.js';
import type { Block, Translator, TranslatorBackend } from '../block-cache.js';
import { SLOW_SLOT as TRAP_SLOT, generateWasmBlock, missStubModule, type WasmLayout } from './codegen.js';

/** A compiled block: (pc, budget, done, xb, dt, ft) → done after it (see codegen.ts). */
export type WasmBlockFn = (pc: number, budget: number, done: number, xb: number, dt: number, ft: number) => number;

const WORDS = 1024;

export class WasmBackend implements TranslatorBackend<WasmBlockFn> {
  /** The hart running blocks now (the engine sets it). */
  hart: Hart | null = null;
  /** The machine memory as words (the engine reads a block's exit pc from it). */
  readonly m32: Int32Array;
  private readonly table: WebAssembly.Table;
  private readonly miss: WasmBlockFn;
  private readonly imports: WebAssembly.Imports;
  private readonly layout: WasmLayout;
  private readonly pageDir: Int32Array;
  private readonly pagesWithSlots: number[] = [];
  /** Compiled modules and the bytes compiled, for statistics. */
  modules = 0;
  bytes = 0;

  constructor(memory: MachineMemory, ram: Ram, translator: Translator<WasmBlockFn>, code: CodeCache) {
    const pages = ram.size / 4096;
    const dir = memory.alloc(pages * 4);
    this.pageDir = new Int32Array(memory.buffer, dir, pages);
    this.m32 = new Int32Array(memory.buffer);
    this.layout = { ramOffset: memory.ramOffset, codePages: ram.codePages.byteOffset, codeWords: ram.codeWords.byteOffset, pageDir: dir };
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
    const m32 = this.m32;
    const trapWord = (h: Hart): void => { m32[(h.stateOffset + TRAP_SLOT) >> 2] = h.trapCause >= 0 ? 1 : 0; };
    this.imports = {
      m: {
        mem: memory.memory,
        tab: this.table,
        ld: (va: number, size: number, inflight: number): number => {
          const h = this.hart!;
          h.inflight = inflight;
          const v = h.loadSlow(va, size);
          h.inflight = 0;
          trapWord(h);
          return v;
        },
        st: (va: number, size: number, value: number, inflight: number): number => {
          const h = this.hart!;
          h.inflight = inflight;
          const st = h.storeSlow(va, size, value);
          h.inflight = 0;
          if (st < 0) return -1;
          if (st > 0) h.contextChanged = true;
          if (st > 0 || translator.dropped) { translator.dropped = false; return 1; }
          return 0;
        },
        inv: (off: number, size: number): number => {
          code.invalidate(off >>> 0, size);
          if (!translator.dropped) return 0;
          translator.dropped = false;
          return 1;
        },
        raise: (cause: number, tval: number): void => { this.hart!.raise(cause, tval); },
      },
    };
    this.miss = this.instantiate(missStubModule());
    this.table.set(0, this.miss);
  }

  compile(decoded: Int32Array, region: Region, vbase: number, pageIndex: number): WasmBlockFn {
    return this.instantiate(generateWasmBlock(decoded, region, vbase, this.slotsOf(pageIndex), this.layout));
  }

  installed(b: Block<WasmBlockFn>): void {
    this.table.set(this.slotsOf(b.page.index) + b.first, b.fn);
  }

  /** The first table slot of RAM page `p`, allocated on first use and kept for good. */
  private slotsOf(p: number): number {
    let base = this.pageDir[p]!;
    if (base === 0) {
      base = this.table.grow(WORDS, this.miss);
      this.pageDir[p] = base;
      this.pagesWithSlots.push(p);
    }
    return base;
  }

  removed(b: Block<WasmBlockFn>): void {
    const base = this.pageDir[b.page.index]!;
    if (base !== 0) this.table.set(base + b.first, this.miss);
  }

  cleared(): void {
    for (const p of this.pagesWithSlots) {
      const base = this.pageDir[p]!;
      for (let w = 0; w < WORDS; w++) this.table.set(base + w, this.miss);
    }
  }

  private instantiate(bytes: Uint8Array<ArrayBuffer>): WasmBlockFn {
    this.modules++;
    this.bytes += bytes.length;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), this.imports);
    return instance.exports.f as unknown as WasmBlockFn;
  }
}
