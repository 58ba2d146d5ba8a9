/*
 * The block cache: translated blocks keyed by physical address, and their invalidation,
 * shared by both translators; a backend (js-backend.ts, wasm/backend.ts) turns regions
 * into code.
 *
 * Keying. A block is found by the RAM offset of its first instruction (so every hart and
 * every virtual alias of a page share it) and carries the virtual pc it was translated
 * for, because the generated code has pc-relative values (auipc, jal links, branch
 * targets) folded in as constants; a lookup from another virtual address retranslates.
 * The engine reaches the RAM offset through the hart's fetch TLB, so a block is only
 * ever entered through the current mapping of its virtual page: a page-table change
 * takes effect exactly when the TLB drops the entry (sfence.vma, satp), as it does for
 * the interpreter.
 *
 * Invalidation, finer than a page. Every page with blocks has a per-word `cover` count
 * (how many blocks include that word). CodeCache already hears of every write to a page
 * holding decoded code — stores by harts, AMOs and SCs, misaligned stores, hardware A/D
 * updates, and Ram.noteWrite from devices, the hypervisor and backends — and forwards
 * those into pages marked `translated`. A write to an uncovered word (data sharing the
 * page with code) costs one array read; a write to a covered word drops exactly the
 * blocks that contain it (and the blocks compiled into the same function, `group`) and
 * sets `dropped`, which a running JavaScript block checks after its own stores
 * (WebAssembly blocks leave such stores to the interpreter). fence.i has nothing left to do.
 *
 * Hotness. A block start is translated on its HOT_AFTER'th visit; before that the
 * engine interprets, so code run once costs no compilation. The page's other starts
 * visited at least HOT_AFTER * WARM_SHARE times are translated in the same batch: each
 * compilation has a fixed cost, and the WebAssembly backend makes one function of a
 * batch, inside which control passes from block to block without calls.
 */

import type { CodeCache, TranslationListener } from '../code-cache.js';
import type { Ram } from '../bus.js';
import { findRegion, translatable, type Region } from './region.js';
import { Op } from '../decode.js';

const WORDS = 1024;
/** Blocks of a page dropped by writes before its retranslations wait the longest. */
const REWRITES_TOLERATED = 16;
/** Visits of a block start before it is translated. */
export const HOT_AFTER = 64;
/** Starts of the same page visited this share of HOT_AFTER are translated with a hot one. */
const WARM_SHARE = 1 / 32;
/** The most blocks translated at once. */
const MAX_BATCH = 64;

/**
 * What turns a region into something that runs: JavaScript (js-backend.ts) or
 * WebAssembly (wasm/backend.ts). F is the compiled block's function type.
 */
export interface TranslatorBackend<F> {
  /** Compiles `regions` of the decoded RAM page `pageIndex`, whose word 0 runs at virtual `vbase`. */
  compile(decoded: Int32Array, regions: Region[], vbase: number, pageIndex: number): F[];
  /**
   * Code compiled before for another page that holds the same instructions at the same
   * virtual address, with a block at word `w`: its regions and their functions, or null.
   */
  reuse(vbase: number, pageIndex: number, w: number): { regions: Region[]; fns: F[] } | null;
  /** A block became (or stopped being) the one for its entry word; `cleared`: all of them. */
  installed(b: Block<F>): void;
  removed(b: Block<F>): void;
  cleared(): void;
}

export class Block<F = unknown> {
  valid = true;
  /** The last two blocks that ran after this one (engine chaining), most recent first. */
  succ0: Block<F> | null = null;
  succ1: Block<F> | null = null;
  /** The backend's handle for the block (WebAssembly: its table slot; 0: none). */
  slot = 0;
  /**
   * Blocks compiled into the same function as this one (WebAssembly puts a page's blocks
   * in one), which run into each other's code: dropping one drops them all.
   */
  group: Block<F>[] | null = null;
  /** The fetch-TLB XOR that maps `pc`'s page to `host`'s (chaining across pages checks it). */
  readonly fx: number;
  constructor(
    readonly page: JitPage<F>,
    /** RAM offset of the entry word. */
    readonly host: number,
    /** Word indexes in the page: [first, end). */
    readonly first: number,
    readonly end: number,
    /** The virtual pc the block was translated for. */
    readonly pc: number,
    /** Upper bound of instructions retired by one call without a backward branch (huge: interpret). */
    readonly len: number,
    /** Null: the first instruction is left to the interpreter. */
    readonly fn: F | null,
  ) {
    this.fx = (pc & -4096) ^ (host & -4096);
  }
}

/** Blocks of one RAM page. */
export class JitPage<F> {
  readonly blocks: (Block<F> | null)[] = new Array<Block<F> | null>(WORDS).fill(null);
  readonly cover = new Uint16Array(WORDS);
  readonly heat = new Uint8Array(WORDS);
  /** Blocks of this page dropped because their code was written. */
  drops = 0;
  live: Block<F>[] = [];
  constructor(readonly index: number) {}
}

export interface TranslatorStats {
  translated: number;
  interpretedStarts: number;
  invalidated: number;
  retranslatedAlias: number;
  /** Accesses a WebAssembly block left to the interpreter (wasm/engine.ts). */
  slowSteps: number;
}

export class Translator<F = unknown> implements TranslationListener {
  private readonly pages: (JitPage<F> | undefined)[];
  /** Set when an invalidation dropped a block; running blocks check it after stores. */
  dropped = false;
  /**
   * A block's chaining slot that was empty or stale when it left for `pendingPc`: the
   * engine fills it with the block it finds there (codegen.ts, chaining).
   */
  pendingSlots: (Block<F> | null)[] | null = null;
  pendingExit = 0;
  pendingPc = 0;
  readonly stats: TranslatorStats = { translated: 0, interpretedStarts: 0, invalidated: 0, retranslatedAlias: 0, slowSteps: 0 };
  /** Visits of a block start before it is translated (tests lower it to translate everything). */
  hotAfter = HOT_AFTER;
  /** Set once by the engine's composition (machine.ts); compiles regions. */
  backend!: TranslatorBackend<F>;

  constructor(ram: Ram, private readonly code: CodeCache) {
    this.pages = new Array<JitPage<F> | undefined>(ram.size / 4096);
    code.translator = this;
  }

  /**
   * // HOT PATH
   * The block for RAM offset `host` entered at virtual `pc`, or null while it is cold.
   */
  lookup(host: number, pc: number): Block<F> | null {
    let p = this.pages[host >>> 12];
    if (p === undefined) p = this.newPage(host >>> 12);
    const w = (host >>> 2) & 1023;
    const b = p.blocks[w]!;
    if (b !== null && b.pc === pc) return b;
    // A page whose code keeps being written (code and data mixed, self-modifying code)
    // waits longer before each retranslation: rewrites cannot become a compile storm.
    if (p.heat[w]! < (p.drops > REWRITES_TOLERATED ? 255 : this.hotAfter)) { p.heat[w]!++; return null; }
    if (b !== null) { this.stats.retranslatedAlias++; this.drop(b); }
    return this.translate(p, w, pc);
  }

  /**
   * How many instructions to interpret from RAM offset `host` while its block is cold:
   * up to and including the next control transfer, so the next lookup is at a real
   * block boundary rather than at every word of the block.
   */
  coldRun(host: number, left: number): number {
    const page = this.code.page(host >>> 12);
    const base = (host >>> 12) * 1024;
    let n = 0;
    for (let w = (host >>> 2) & 1023; w < 1024 && n < left; w++) {
      const di = w << 2;
      if ((page[di]! & 0xff) === Op.UNDECODED) this.code.decode(page, di, base * 4 + w * 4);
      n++;
      const op = page[di]! & 0xff;
      if ((op >= Op.JAL && op <= Op.BGEU) || !translatable(op)) break;
    }
    return n;
  }

  private newPage(index: number): JitPage<F> {
    const p = new JitPage<F>(index);
    this.pages[index] = p;
    this.code.translated[index] = 1;
    return p;
  }

  /**
   * Translates the hot start `w` of page `p`, entered at `pc`, together with the page's
   * other warm starts (visited WARM_SHARE of the way to hot): one compilation for several
   * blocks that are likely to be needed soon, since each compilation has a fixed cost.
   */
  private translate(p: JitPage<F>, w: number, pc: number): Block<F> {
    const decoded = this.code.page(p.index);
    const vbase = (pc - w * 4) | 0;
    let starts: number[], regions: (Region | null)[], fns: F[];
    const hit = this.backend.reuse(vbase, p.index, w);
    if (hit !== null) {
      // The same code was compiled for another page (another domain's copy of a kernel,
      // say): take that batch, for the starts not yet translated here, this one first.
      const keep = hit.regions.map((_, i) => i).filter((i) => hit.regions[i]!.first === w || p.blocks[hit.regions[i]!.first] === null);
      const at = keep.findIndex((i) => hit.regions[i]!.first === w);
      [keep[0], keep[at]] = [keep[at]!, keep[0]!];
      regions = keep.map((i) => hit.regions[i]!);
      fns = keep.map((i) => hit.fns[i]!);
      starts = regions.map((r) => r!.first);
      // Its words must count as decoded code here too (stores to them are then left to the
      // interpreter, which invalidates), as findRegion would have made them.
      for (const r of regions) {
        for (let v = r!.first; v < r!.end; v++) {
          if ((decoded[v << 2]! & 0xff) === Op.UNDECODED) this.code.decode(decoded, v << 2, p.index * 4096 + v * 4);
        }
      }
    } else {
      starts = [w];
      if (p.drops <= REWRITES_TOLERATED) {
        const warm = Math.max(1, Math.floor(this.hotAfter * WARM_SHARE));
        for (let v = 0; v < WORDS && starts.length < MAX_BATCH; v++) {
          if (v !== w && p.blocks[v] === null && p.heat[v]! >= warm) starts.push(v);
        }
      }
      regions = starts.map((v) => findRegion(this.code, decoded, p.index, v));
      const found = regions.filter((r): r is Region => r !== null);
      fns = found.length > 0 ? this.backend.compile(decoded, found, vbase, p.index) : [];
    }
    let k = 0;
    const blocks = starts.map((v, i) => {
      const r = regions[i]!;
      const host = p.index * 4096 + v * 4, at = (vbase + v * 4) | 0;
      if (r === null) {
        this.stats.interpretedStarts++;
        return new Block<F>(p, host, v, v + 1, at, 0x3fffffff, null);
      }
      this.stats.translated++;
      return new Block<F>(p, host, r.first, r.end, at, r.end - r.first, fns[k++]!);
    });
    const sharing = blocks.filter((b) => b.fn !== null && blocks.some((o) => o !== b && o.fn === b.fn));
    for (const b of sharing) b.group = sharing.filter((o) => o.fn === b.fn);
    for (const b of blocks) {
      p.blocks[b.first] = b;
      p.live.push(b);
      for (let i = b.first; i < b.end; i++) p.cover[i]!++;
      if (b.fn !== null) this.backend.installed(b);
    }
    return blocks[0]!;
  }

  private drop(b: Block<F>): void {
    if (!b.valid) return;
    b.valid = false;
    if (b.group !== null) for (const o of b.group) this.drop(o);
    if (b.fn !== null) this.backend.removed(b);
    const p = b.page;
    if (p.blocks[b.first] === b) p.blocks[b.first] = null;
    for (let i = b.first; i < b.end; i++) p.cover[i]!--;
    const k = p.live.indexOf(b);
    if (k >= 0) { p.live[k] = p.live[p.live.length - 1]!; p.live.pop(); }
    this.stats.invalidated++;
  }

  /** CodeCache: `size` bytes at RAM offset `off` were written (clamped to its page). */
  invalidate(off: number, size: number): void {
    const p = this.pages[off >>> 12];
    if (p === undefined) return;
    const firstWord = (off >>> 2) & 1023;
    const lastWord = Math.min(1023, ((off & 0xfff) + size - 1) >>> 2);
    for (let w = firstWord; w <= lastWord; w++) {
      if (p.cover[w] === 0) continue;
      for (const b of [...p.live]) {
        if (b.first <= w && w < b.end) {
          this.drop(b);
          p.heat[b.first] = 0;
          p.drops++;
        }
      }
      this.dropped = true;
    }
  }

  /** CodeCache.clear: machine reset or snapshot restore. */
  clear(): void {
    for (const p of this.pages) if (p !== undefined) for (const b of p.live) b.valid = false;
    this.pages.fill(undefined);
    this.backend.cleared();
    this.dropped = true;
  }
}
