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
 * Blocks import nothing but the memory and the table: an access a block cannot do
 * itself leaves the block (codegen.ts), so no block ever calls into JavaScript.
 */

import type { Ram } from '../../bus.js';
import type { MachineMemory } from '../../memory.js';
import type { Region } from '../region.js';
import type { Block, Translator, TranslatorBackend } from '../block-cache.js';
import { generateWasmBlock, missStub, type WasmLayout } from './codegen.js';
import { blockModule, type FunctionCode } from './encoder.js';

/** A compiled block: (pc, budget, done, xb, dt, ft) → done after it (see codegen.ts). */
export type WasmBlockFn = (pc: number, budget: number, done: number, xb: number, dt: number, ft: number) => number;

const WORDS = 1024;

export class WasmBackend implements TranslatorBackend<WasmBlockFn> {
  /** The machine memory as words (the engine reads a block's exit pc and flags from it). */
  readonly m32: Int32Array;
  private readonly table: WebAssembly.Table;
  private readonly miss: WasmBlockFn;
  private readonly imports: WebAssembly.Imports;
  private readonly layout: WasmLayout;
  private readonly pageDir: Int32Array;
  private readonly pagesWithSlots: number[] = [];
  /** Compiled modules and their bytes, for statistics. */
  modules = 0;
  bytes = 0;

  constructor(memory: MachineMemory, ram: Ram) {
    const pages = ram.size / 4096;
    const dir = memory.alloc(pages * 4);
    this.pageDir = new Int32Array(memory.buffer, dir, pages);
    this.m32 = new Int32Array(memory.buffer);
    this.layout = { ramOffset: memory.ramOffset, codePages: ram.codePages.byteOffset, codeWords: ram.codeWords.byteOffset, pageDir: dir };
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
    this.imports = { m: { mem: memory.memory, tab: this.table } };
    this.miss = this.instantiate([missStub()])[0]!;
    this.table.set(0, this.miss);
  }

  /** All regions of one page in one module: compiling a module has a large fixed cost. */
  compile(decoded: Int32Array, regions: Region[], vbase: number, pageIndex: number): WasmBlockFn[] {
    const slots = this.slotsOf(pageIndex);
    return this.instantiate(regions.map((r) => generateWasmBlock(decoded, r, vbase, slots, this.layout)));
  }

  installed(b: Block<WasmBlockFn>): void {
    this.table.set(this.slotsOf(b.page.index) + b.first, b.fn);
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

  private instantiate(fns: FunctionCode[]): WasmBlockFn[] {
    const bytes = blockModule(fns);
    this.modules++;
    this.bytes += bytes.length;
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), this.imports).exports;
    return fns.map((_, i) => exports[String(i)] as unknown as WasmBlockFn);
  }
}
