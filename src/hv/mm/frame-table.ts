/*
 * The frame table: one record per machine frame of RAM, the state Xen keeps in
 * `struct page_info` (fact sheet §8.4), held in typed arrays indexed by frame number
 * relative to the first RAM frame.
 *
 *   owner      domid that owns the frame, FREE, or DOMID_XEN for the hypervisor's own
 *   count      general references; the allocation itself holds one (PGC_allocated)
 *   type       what the frame is used as: NONE, L1 (leaf table), L2 (root), WRITABLE
 *   typeCount  uses of that type; the type may change only when it is 0
 *   flags      PINNED, VALIDATED, ALLOCATED, XEN_HEAP (a hypervisor page shared with
 *              its owner, such as shared_info: mappable, never freed by the guest)
 *
 * Page-table validation lives in pv-mmu.ts; this file enforces the counting rules and
 * owns the allocator. Allocation is deliberately scattered (a seeded shuffle of the free
 * list), so guests get non-contiguous machine frames as on a real Xen host and must use
 * their P2M map.
 *
 * TLB safety (Xen's tlbflush timestamps): a frame whose last writable mapping or last
 * reference goes away may still sit in some hart's TLB. Such frames are stamped with the
 * current flush epoch; before one becomes a page table or is handed to another owner,
 * every hart's TLB is flushed if no flush has happened since the stamp.
 */

import { XenError } from '../abi/xen.js';

export const enum PageType { NONE = 0, L1 = 1, L2 = 2, WRITABLE = 7 }

export const enum FrameFlag { PINNED = 1, VALIDATED = 2, ALLOCATED = 4, XEN_HEAP = 8 }

export const FREE = -1;

/** Validation callbacks for page-table types (implemented by the PV MMU). */
export interface TableValidator {
  /** Validates every entry of `mfn` as a table of `type` and takes the references they imply. */
  validate(mfn: number, type: PageType.L1 | PageType.L2, owner: number): void;
  /** Drops the references the entries of a validated table hold. */
  devalidate(mfn: number, type: PageType.L1 | PageType.L2, owner: number): void;
}

export class FrameTable {
  /** First machine frame number of RAM (0x80000 for RAM at 0x8000_0000). */
  readonly firstMfn: number;
  readonly nframes: number;
  readonly owner: Int32Array;
  readonly count: Int32Array;
  readonly type: Uint8Array;
  readonly typeCount: Int32Array;
  readonly flags: Uint8Array;
  private readonly tlbStamp: Int32Array;
  private tlbEpoch = 1;
  private readonly freeList: Int32Array;
  private freeTop = 0;
  validator: TableValidator | null = null;
  /** Flushes every hart's TLB (installed by the hypervisor). */
  flushAllTlbs: () => void = () => {};
  /** Zeroes a frame's bytes (installed by the hypervisor; also drops decoded code). */
  scrub: (mfn: number) => void = () => {};
  /** A frame went back to the free pool (its owner's reservation shrinks then, not before). */
  onFree: (owner: number, xenHeap: boolean) => void = () => {};

  constructor(firstMfn: number, nframes: number, seed = 0x7a3e) {
    this.firstMfn = firstMfn;
    this.nframes = nframes;
    this.owner = new Int32Array(nframes).fill(FREE);
    this.count = new Int32Array(nframes);
    this.type = new Uint8Array(nframes);
    this.typeCount = new Int32Array(nframes);
    this.flags = new Uint8Array(nframes);
    this.tlbStamp = new Int32Array(nframes);
    this.freeList = new Int32Array(nframes);
    // Free list in a seeded random order: allocation is scattered but reproducible.
    for (let i = 0; i < nframes; i++) this.freeList[i] = nframes - 1 - i;
    let s = seed >>> 0;
    for (let i = nframes - 1; i > 0; i--) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const j = s % (i + 1);
      const t = this.freeList[i]!; this.freeList[i] = this.freeList[j]!; this.freeList[j] = t;
    }
    this.freeTop = nframes;
  }

  get freeFrames(): number {
    return this.freeTop;
  }

  /** Frame index of `mfn`, or -1 when it is not a RAM frame. */
  index(mfn: number): number {
    const i = mfn - this.firstMfn;
    return i >= 0 && i < this.nframes && Number.isInteger(i) ? i : -1;
  }

  isRam(mfn: number): boolean {
    return this.index(mfn) >= 0;
  }

  ownerOf(mfn: number): number {
    const i = this.index(mfn);
    return i < 0 ? FREE : this.owner[i]!;
  }

  typeOf(mfn: number): PageType {
    const i = this.index(mfn);
    return i < 0 ? PageType.NONE : (this.type[i]! as PageType);
  }

  has(mfn: number, flag: FrameFlag): boolean {
    const i = this.index(mfn);
    return i >= 0 && (this.flags[i]! & flag) !== 0;
  }

  /**
   * Allocates one frame to `owner` (holding the allocation reference), or returns -1
   * when memory is exhausted. `xenHeap` marks a hypervisor page shared with `owner`.
   */
  alloc(owner: number, xenHeap = false): number {
    if (this.freeTop === 0) return -1;
    const i = this.freeList[--this.freeTop]!;
    this.claim(i, owner, xenHeap);
    return this.firstMfn + i;
  }

  /** Allocates `n` physically contiguous frames, the highest free run in RAM (hypervisor use at boot). */
  allocContiguous(owner: number, n: number): number {
    let start = -1;
    for (let top = this.nframes; top - n >= 0; top--) {
      let ok = true;
      for (let k = top - n; k < top; k++) if (this.owner[k] !== FREE) { ok = false; top = k + 1; break; }
      if (ok) { start = top - n; break; }
    }
    if (start < 0) throw new Error(`no ${n} contiguous free frames`);
    let w = 0;
    for (let r = 0; r < this.freeTop; r++) {
      const i = this.freeList[r]!;
      if (i >= start && i < start + n) continue;
      this.freeList[w++] = i;
    }
    this.freeTop = w;
    for (let i = start; i < start + n; i++) this.claim(i, owner, false);
    return this.firstMfn + start;
  }

  private claim(i: number, owner: number, xenHeap: boolean): void {
    if (this.tlbStamp[i] === this.tlbEpoch) this.flushNow();
    this.owner[i] = owner;
    this.count[i] = 1;
    this.type[i] = PageType.NONE;
    this.typeCount[i] = 0;
    this.flags[i] = FrameFlag.ALLOCATED | (xenHeap ? FrameFlag.XEN_HEAP : 0);
  }

  /**
   * Takes a general reference on a frame owned by `owner`. A frame its owner has given
   * back (decrease_reservation) but still maps takes no new references: it is on its way
   * out, and must not stay usable beyond the owner's reservation.
   */
  getPage(mfn: number, owner: number): boolean {
    const i = this.index(mfn);
    if (i < 0 || this.owner[i] !== owner || this.count[i]! <= 0) return false;
    if ((this.flags[i]! & FrameFlag.ALLOCATED) === 0) return false;
    this.count[i]!++;
    return true;
  }

  /** Drops a general reference; the frame returns to the free pool at zero. */
  putPage(mfn: number): void {
    const i = this.index(mfn);
    if (i < 0) throw new Error(`putPage on non-RAM frame 0x${mfn.toString(16)}`);
    if (--this.count[i]! > 0) return;
    if (this.count[i]! < 0) throw new Error(`frame 0x${mfn.toString(16)} reference count underflow`);
    this.release(i);
  }

  /**
   * Drops the allocation reference (decrease_reservation, domain teardown). The frame is
   * freed once nothing else refers to it. Returns false if it was not allocated.
   */
  unallocate(mfn: number): boolean {
    const i = this.index(mfn);
    if (i < 0 || (this.flags[i]! & FrameFlag.ALLOCATED) === 0) return false;
    this.flags[i]! &= ~FrameFlag.ALLOCATED;
    this.putPage(mfn);
    return true;
  }

  private release(i: number): void {
    this.scrub(this.firstMfn + i);
    const owner = this.owner[i]!, xenHeap = (this.flags[i]! & FrameFlag.XEN_HEAP) !== 0;
    this.owner[i] = FREE;
    this.type[i] = PageType.NONE;
    this.typeCount[i] = 0;
    this.flags[i] = 0;
    this.tlbStamp[i] = this.tlbEpoch;
    this.freeList[this.freeTop++] = i;
    this.onFree(owner, xenHeap);
  }

  /**
   * Takes a type reference of `type` (the caller holds a general reference). A change of
   * type happens only at type count 0; a page-table type is validated on its 0→1 use.
   */
  getPageType(mfn: number, type: PageType): boolean {
    const i = this.index(mfn);
    if (i < 0) return false;
    const tc = this.typeCount[i]!;
    if (tc > 0) {
      if (this.type[i] !== type) return false;
      this.typeCount[i] = tc + 1;
      return true;
    }
    if (type === PageType.L1 || type === PageType.L2) {
      if ((this.flags[i]! & FrameFlag.XEN_HEAP) !== 0) return false;
      if (this.tlbStamp[i] === this.tlbEpoch) this.flushNow();
      // Claim the type before validating, so a table that refers to itself fails cleanly.
      this.type[i] = type;
      this.typeCount[i] = 1;
      try {
        this.validator!.validate(mfn, type, this.owner[i]!);
      } catch (e) {
        this.type[i] = PageType.NONE;
        this.typeCount[i] = 0;
        if (e instanceof XenError) return false;
        throw e;
      }
      this.flags[i]! |= FrameFlag.VALIDATED;
      return true;
    }
    this.type[i] = type;
    this.typeCount[i] = 1;
    return true;
  }

  /** Drops a type reference; a page table is devalidated when its last use goes. */
  putPageType(mfn: number): void {
    const i = this.index(mfn);
    if (i < 0 || this.typeCount[i]! <= 0) throw new Error(`type count underflow on 0x${mfn.toString(16)}`);
    if (--this.typeCount[i]! > 0) return;
    const type = this.type[i]! as PageType;
    if (type === PageType.L1 || type === PageType.L2) {
      this.flags[i]! &= ~FrameFlag.VALIDATED;
      this.validator!.devalidate(mfn, type, this.owner[i]!);
    } else if (type === PageType.WRITABLE) {
      this.tlbStamp[i] = this.tlbEpoch; // a stale writable TLB entry may remain
    }
    this.type[i] = PageType.NONE;
  }

  getPageAndType(mfn: number, owner: number, type: PageType): boolean {
    if (!this.getPage(mfn, owner)) return false;
    if (!this.getPageType(mfn, type)) { this.putPage(mfn); return false; }
    return true;
  }

  putPageAndType(mfn: number): void {
    this.putPageType(mfn);
    this.putPage(mfn);
  }

  /**
   * Gives an allocated frame holding nothing but its allocation to `newOwner` (a grant
   * transfer, the page flip). A stale TLB entry of the old owner must not survive it.
   */
  changeOwner(mfn: number, newOwner: number): void {
    const i = this.index(mfn);
    if (i < 0 || this.count[i] !== 1 || this.typeCount[i] !== 0) throw new Error(`changeOwner on a busy frame 0x${mfn.toString(16)}`);
    if (this.tlbStamp[i] === this.tlbEpoch) this.flushNow();
    this.owner[i] = newOwner;
    this.type[i] = PageType.NONE;
  }

  setPinned(mfn: number, pinned: boolean): void {
    const i = this.index(mfn);
    if (pinned) this.flags[i]! |= FrameFlag.PINNED;
    else this.flags[i]! &= ~FrameFlag.PINNED;
  }

  /** Frames owned by `domid` (for teardown and accounting). */
  framesOf(domid: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.nframes; i++) if (this.owner[i] === domid) out.push(this.firstMfn + i);
    return out;
  }

  private flushNow(): void {
    this.flushAllTlbs();
    this.tlbEpoch++;
  }
}

