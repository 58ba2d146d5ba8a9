/*
 * The WebAssembly backend: compiles the regions of a page translated together into one
 * function in a module of its own (codegen.ts), and keeps the table through which
 * functions call each other.
 *
 * The table holds one slot per installed function (slot 0: the miss stub, which only
 * returns to the engine); freed slots are reused. Each RAM page with blocks has a slot
 * map in the machine memory, 1024 words, one per instruction word: the slot of the
 * function with a block starting at that word, or 0. The page directory (also in
 * memory) maps a RAM page to its map. Generated code finds a successor through the
 * fetch TLB, the directory and the map (or straight through its own page's map, passed
 * to it), and tail-calls the slot: chaining needs no per-exit state, and dropping a
 * block is one map write (and one table write when its function has no blocks left).
 *
 * A function depends only on its virtual address and its instructions, so compiled
 * functions are remembered by those and reused for every page that holds the same code
 * at the same address: the same kernel in many domains is compiled once.
 *
 * The table stays as small as the number of live functions because V8 (11.x) copies an
 * imported table into every instance that imports it and updates every instance on
 * table.set: a table with a slot per word would make each instantiation cost
 * milliseconds. Maps exist for at most MAX_MAPPED_PAGES pages; blocks of pages beyond
 * that are still run, from the engine, but not chained to.
 *
 * Functions import nothing but the memory and the table: an access a block cannot do
 * itself leaves it (codegen.ts), so generated code never calls into JavaScript.
 */

import type { Ram } from '../../bus.js';
import type { MemoryArena } from '../../memory.js';
import type { Region } from '../region.js';
import type { Block, TranslatorBackend } from '../block-cache.js';
import { generateWasmGroup, missStub, type WasmLayout } from './codegen.js';
import { blockModule, type FunctionCode } from './encoder.js';

/** A compiled function: (pc, budget, done, xb, dt, ft, map) → done after it (see codegen.ts). */
export type WasmBlockFn = (pc: number, budget: number, done: number, xb: number, dt: number, ft: number, map: number) => number;

const WORDS = 1024;
/** Pages with slot maps, at most (4 KiB of machine memory each). */
export const MAX_MAPPED_PAGES = 4096;
/** Block starts of compiled functions remembered for reuse, at most (then the memory starts over). */
const COMPILED_KEPT = 16384;

/** A compiled function, its regions, and the instruction words it was compiled from. */
interface Compiled {
  fn: WasmBlockFn;
  regions: Region[];
  words: Int32Array;
}
/** Table slots added at a time. */
const TABLE_STEP = 256;

/** Bytes of machine memory the backend needs for a RAM of `ramSize` bytes. */
export function wasmBackendStateBytes(ramSize: number): number {
  const pages = ramSize / 4096;
  return pages * 4 + Math.min(pages, MAX_MAPPED_PAGES) * 4096;
}

export class WasmBackend implements TranslatorBackend<WasmBlockFn> {
  /** The machine memory as words (the engine reads a block's exit pc and flags from it). */
  readonly m32: Int32Array;
  private readonly table: WebAssembly.Table;
  private readonly miss: WasmBlockFn;
  private readonly imports: WebAssembly.Imports;
  private readonly layout: WasmLayout;
  private readonly pageDir: Int32Array;
  private readonly maps: number;
  private mapsUsed = 0;
  private readonly mapped: number[] = [];
  private readonly freeSlots: number[] = [];
  /** Each installed function's table slot, and how many blocks enter it. */
  private readonly slots = new Map<WasmBlockFn, { slot: number; blocks: number }>();
  /** Compiled functions by virtual address of each block start, to reuse for identical pages. */
  private readonly compiled = new Map<number, Compiled[]>();
  private remembered = 0;
  private readonly ramWords: Int32Array;
  /** Compiled modules and their bytes, and compilations saved by reuse, for statistics. */
  modules = 0;
  bytes = 0;
  reused = 0;

  constructor(memory: MemoryArena, ram: Ram) {
    const pages = ram.size / 4096;
    const dir = memory.alloc(pages * 4);
    this.pageDir = new Int32Array(memory.buffer, dir, pages);
    this.maps = memory.alloc(Math.min(pages, MAX_MAPPED_PAGES) * 4096);
    this.m32 = new Int32Array(memory.buffer);
    this.ramWords = ram.i32;
    this.layout = { ramOffset: memory.ramOffset, codePages: ram.codePages.byteOffset, codeWords: ram.codeWords.byteOffset, pageDir: dir };
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
    this.imports = { m: { mem: memory.memory, tab: this.table } };
    this.miss = this.instantiate([missStub()])[0]!;
    this.table.set(0, this.miss);
  }

  /**
   * All regions of one page in one function (codegen.ts, generateWasmGroup): they pass
   * control among themselves without calls, and one module per page keeps the large
   * fixed cost of compiling a module rare. Every region's block gets the same function.
   * A page whose regions hold the same instructions at the same virtual address as one
   * compiled before (the same kernel in another domain) gets that function again.
   */
  compile(decoded: Int32Array, regions: Region[], vbase: number, pageIndex: number): WasmBlockFn[] {
    this.mapOf(pageIndex);
    const fn = this.instantiate([generateWasmGroup(decoded, regions, vbase, this.layout)])[0]!;
    // Remember it by each of its starts, with the instructions it was compiled from.
    const base = pageIndex * WORDS;
    const words: number[] = [];
    for (const r of regions) for (let w = r.first; w < r.end; w++) words.push(this.ramWords[base + w]!);
    const entry: Compiled = { fn, regions, words: Int32Array.from(words) };
    if (this.remembered >= COMPILED_KEPT) { this.compiled.clear(); this.remembered = 0; }
    for (const r of regions) {
      const key = vbase * WORDS + r.first;
      const list = this.compiled.get(key);
      if (list === undefined) this.compiled.set(key, [entry]); else list.push(entry);
      this.remembered++;
    }
    return regions.map(() => fn);
  }

  reuse(vbase: number, pageIndex: number, w: number): { regions: Region[]; fns: WasmBlockFn[] } | null {
    const list = this.compiled.get(vbase * WORDS + w);
    if (list === undefined) return null;
    const base = pageIndex * WORDS;
    for (const e of list) {
      let i = 0, same = true;
      for (const r of e.regions) {
        for (let v = r.first; v < r.end && same; v++) same = this.ramWords[base + v] === e.words[i++];
        if (!same) break;
      }
      if (!same) continue;
      this.mapOf(pageIndex);
      this.reused++;
      return { regions: e.regions, fns: e.regions.map(() => e.fn) };
    }
    return null;
  }

  /** The slot map of RAM page `p` (byte offset; 0: none), the blocks' `map` argument. */
  mapAt(p: number): number {
    return this.pageDir[p]!;
  }



  /** A block's entry word in its page's map gets its function's slot (one per function). */
  installed(b: Block<WasmBlockFn>): void {
    const map = this.mapOf(b.page.index);
    if (map === 0 || b.fn === null) return; // not chained to: the engine calls it
    let f = this.slots.get(b.fn);
    if (f === undefined) {
      if (this.freeSlots.length === 0) {
        const first = this.table.grow(TABLE_STEP, this.miss);
        for (let i = TABLE_STEP - 1; i >= 0; i--) this.freeSlots.push(first + i);
      }
      f = { slot: this.freeSlots.pop()!, blocks: 0 };
      this.slots.set(b.fn, f);
      this.table.set(f.slot, b.fn);
    }
    f.blocks++;
    b.slot = f.slot;
    this.m32[(map >> 2) + b.first] = f.slot;
  }

  removed(b: Block<WasmBlockFn>): void {
    if (b.slot === 0 || b.fn === null) return;
    this.m32[(this.pageDir[b.page.index]! >> 2) + b.first] = 0;
    b.slot = 0;
    const f = this.slots.get(b.fn)!;
    if (--f.blocks > 0) return;
    this.slots.delete(b.fn);
    this.table.set(f.slot, this.miss);
    this.freeSlots.push(f.slot);
  }

  cleared(): void {
    for (const p of this.mapped) this.m32.fill(0, this.pageDir[p]! >> 2, (this.pageDir[p]! >> 2) + WORDS);
    for (const f of this.slots.values()) { this.table.set(f.slot, this.miss); this.freeSlots.push(f.slot); }
    this.slots.clear();
  }

  /** The byte offset of RAM page `p`'s slot map, made on first use and kept; 0: none left. */
  private mapOf(p: number): number {
    const map = this.pageDir[p]!;
    if (map !== 0 || this.mapsUsed * 4096 >= Math.min(this.pageDir.length, MAX_MAPPED_PAGES) * 4096) return map;
    this.pageDir[p] = this.maps + this.mapsUsed++ * 4096;
    this.mapped.push(p);
    return this.pageDir[p]!;
  }

  private instantiate(fns: FunctionCode[]): WasmBlockFn[] {
    const bytes = blockModule(fns);
    this.modules++;
    this.bytes += bytes.length;
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), this.imports).exports;
    return fns.map((_, i) => exports[String(i)] as unknown as WasmBlockFn);
  }
}
