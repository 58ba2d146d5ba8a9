/*
 * The decoded-instruction cache, shared by every hart of a machine.
 *
 * One DecodedPage (Int32Array, DECODED_STRIDE slots per instruction, see decode.ts) per
 * RAM page that has ever been fetched from, keyed by RAM page index — physical, so
 * every hart and every virtual alias shares it. Entries decode lazily on first execution.
 *
 * Coherence is exact at word granularity: every store into a page that holds decoded
 * code (Ram.codePages[p] != 0) resets the op slot of the words it touched to UNDECODED,
 * so self-modifying code and DMA into code pages just work, fence.i has nothing left to
 * do, and data that shares a page with code costs one decode per written word, not a
 * whole page.
 */

import { DECODED_SHIFT, DECODED_STRIDE, Op, decodeInto } from './decode.js';
import type { Ram } from './bus.js';

const WORDS_PER_PAGE = 1024;

/** A block translator (jit/) told of every write to a page it has translated code in. */
export interface TranslationListener {
  /** `size` bytes at RAM offset `off` (within one page) were written. */
  invalidate(off: number, size: number): void;
  clear(): void;
}

export class CodeCache {
  private readonly pages: (Int32Array | undefined)[];
  private readonly codePages: Uint8Array;
  private readonly codeWords: Uint8Array;
  private readonly ramWords: Int32Array;
  /**
   * A page whose every slot is PAGE_END: the hart points at it after a jump to another
   * page, so its next dispatch translates the new pc (see Hart.execute).
   */
  readonly missPage = new Int32Array((WORDS_PER_PAGE + 1) * DECODED_STRIDE);
  /** Per RAM page: nonzero when `translator` has blocks there. */
  readonly translated: Uint8Array;
  translator: TranslationListener | null = null;

  constructor(ram: Ram) {
    this.pages = new Array(ram.size / 4096);
    this.codePages = ram.codePages;
    this.codeWords = ram.codeWords;
    this.ramWords = ram.i32;
    this.translated = new Uint8Array(ram.size / 4096);
    ram.onCodeWrite = (page, offset, length) => this.invalidateRange(page, offset, length);
    for (let i = 0; i <= WORDS_PER_PAGE; i++) this.missPage[i << DECODED_SHIFT] = Op.PAGE_END;
  }

  /** The decoded page for RAM page `p`, created on first fetch. */
  page(p: number): Int32Array {
    let d = this.pages[p];
    if (d === undefined) {
      // One slot more than the page holds: the PAGE_END sentinel that straight-line
      // execution reaches when it runs off the end of the page.
      d = new Int32Array((WORDS_PER_PAGE + 1) * DECODED_STRIDE);
      d[WORDS_PER_PAGE << DECODED_SHIFT] = Op.PAGE_END;
      this.pages[p] = d;
      this.codePages[p] = 1;
    }
    return d;
  }

  /** Decodes the RAM word at byte offset `off` into slot `di` of its decoded `page`. */
  decode(page: Int32Array, di: number, off: number): void {
    decodeInto(page, di, this.ramWords[off >>> 2]!);
    this.codeWords[off >>> 5] |= 1 << ((off >>> 2) & 7);
  }

  /** A store of `size` bytes at RAM offset `off` hit a code page: drop those words. */
  invalidate(off: number, size: number): void {
    const d = this.pages[off >>> 12];
    if (d === undefined) return;
    if (this.translated[off >>> 12] !== 0) this.translator!.invalidate(off, size);
    const first = (off & 0xfff) >>> 2;
    const last = ((off & 0xfff) + size - 1) >>> 2;
    d[first << DECODED_SHIFT] = 0;
    this.codeWords[off >>> 5] &= ~(1 << ((off >>> 2) & 7));
    if (last !== first && last < WORDS_PER_PAGE) {
      d[last << DECODED_SHIFT] = 0;
      const o = (off & -4096) + last * 4;
      this.codeWords[o >>> 5] &= ~(1 << ((o >>> 2) & 7));
    }
    else if (last >= WORDS_PER_PAGE) this.invalidate(((off >>> 12) + 1) * 4096, 1);
  }

  private invalidateRange(page: number, offset: number, length: number): void {
    const start = Math.max(offset, page * 4096);
    const end = Math.min(offset + length, (page + 1) * 4096);
    for (let a = start & ~3; a < end; a += 4) this.invalidate(a, 1);
  }

  /** Drops every decoded instruction (machine reset, snapshot restore). */
  clear(): void {
    this.pages.fill(undefined);
    this.codePages.fill(0);
    this.codeWords.fill(0);
    this.translated.fill(0);
    this.translator?.clear();
  }
}
