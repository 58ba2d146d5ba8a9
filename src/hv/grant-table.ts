/*
 * Grant tables v1 (fact sheet §5): how one domain lets another map, copy into or receive
 * one of its frames, the only way a backend touches a guest's memory.
 *
 * The granter writes `grant_entry_v1 {flags u16, domid u16, frame u32}` entries into its
 * grant frames: Xen-heap frames the hypervisor allocates on GNTTABOP_setup_table and the
 * guest maps itself (PV: the MFNs are returned, as in Xen). Everything in those frames is
 * untrusted and may change under us, so every operation reads an entry once, checks it,
 * and works from the copy.
 *
 * Invariants (the essay Xen keeps in grant_table.c, restated for this file):
 *
 *   pin counts     each granted entry in use has an ActiveEntry: `readers`/`writers`
 *                  count the mappings and in-flight copies. While `readers + writers > 0`
 *                  the entry's GTF_reading is set; while `writers > 0` GTF_writing is set.
 *                  So a granter that revokes with the Xen protocol (CAS flags → 0 only
 *                  if neither bit is set) can never pull a page from under a mapper.
 *   frame pinned   the active entry caches the frame at its first pin; later changes to
 *                  `frame` by the granter are ignored until the last pin goes (Xen).
 *   references     a mapping holds one general reference on the granted frame, and a
 *                  writable type reference if it is read-write (so a granted frame being
 *                  written can never become a page table). A PV mapping holds them through
 *                  the leaf entry it installed (PvMmu.getL1e with the granter named); a
 *                  Domain 0 (TypeScript) mapping holds them directly. mm/audit.ts counts both.
 *   maptrack       every mapping is a Mapping in its mapper's table, found by its handle.
 *                  A PV mapping is `installed` while the leaf entry at `pteMa` maps the frame;
 *                  if the guest overwrites that entry or its table is devalidated, the
 *                  entry's references are dropped there (implicit unmap) and the handle
 *                  stays until GNTTABOP_unmap_grant_ref releases the pin.
 *   teardown       when either side dies, every mapping between them goes: leaf entries
 *                  are cleared, references dropped, pins released, every TLB flushed.
 *
 * A foreign frame can only reach a leaf entry through map_grant_ref: PvMmu.getL1e refuses
 * frames of other domains unless the grant code names the granter, so a guest cannot copy
 * a grant mapping elsewhere with mmu_update and outlive the grant.
 */

import type { Hypervisor } from './hypervisor.js';
import type { Domain } from './domain.js';
import { FrameFlag, PageType } from './mm/frame-table.js';
import { PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, pteMfn } from './mm/pte.js';
import { XenError } from './abi/xen.js';

// ------------------------------------------------------------------------------------
// The guest-visible constants (grant_table.h)

export const GTF_invalid = 0, GTF_permit_access = 1, GTF_accept_transfer = 2, GTF_type_mask = 3;
export const GTF_readonly = 0x04, GTF_reading = 0x08, GTF_writing = 0x10;
export const GTF_transfer_committed = 0x04, GTF_transfer_completed = 0x08;

export const GNTMAP_device_map = 1, GNTMAP_host_map = 2, GNTMAP_readonly = 4;
export const GNTMAP_application_map = 8, GNTMAP_contains_pte = 16;
export const GNTCOPY_source_gref = 1, GNTCOPY_dest_gref = 2;

export const enum GntSt {
  okay = 0, general_error = -1, bad_domain = -2, bad_gntref = -3, bad_handle = -4,
  bad_virt_addr = -5, bad_dev_addr = -6, no_device_space = -7, permission_denied = -8,
  bad_page = -9, bad_copy_arg = -10, address_too_big = -11, eagain = -12, no_space = -13,
}

export const GNTTABOP = {
  map_grant_ref: 0, unmap_grant_ref: 1, setup_table: 2, dump_table: 3, transfer: 4, copy: 5,
  query_size: 6, unmap_and_replace: 7, set_version: 8, get_status_frames: 9, get_version: 10,
  swap_grant_ref: 11, cache_flush: 12,
} as const;

export const GRANT_ENTRY_SIZE = 8;
export const GRANT_ENTRIES_PER_FRAME = 512;
export const GNTTAB_NR_RESERVED_ENTRIES = 8;
/** tsxen's default `max_grant_frames` (Xen's is 64; 32 frames = 16384 entries). */
export const DEFAULT_MAX_GRANT_FRAMES = 32;
/** Mappings one domain may hold at once (Xen: max_maptrack_frames × 512). */
export const MAX_MAPTRACK = 16384;

/** A per-element grant failure: becomes the element's `status`, never a hypercall error. */
export class GrantError extends Error {
  constructor(readonly status: GntSt, detail: string) {
    super(`GNTST ${status}: ${detail}`);
  }
}

// ------------------------------------------------------------------------------------

interface ActiveEntry {
  readers: number;
  writers: number;
  mfn: number;
}

export interface Mapping {
  readonly handle: number;
  readonly mapper: Domain;
  readonly granter: Domain;
  readonly ref: number;
  readonly mfn: number;
  readonly readonly: boolean;
  /** Machine address of the leaf entry (PV mapping), or -1 for a Domain 0 mapping. */
  readonly pteMa: number;
  /** PV: the leaf entry still maps the frame and holds the references. */
  installed: boolean;
  /** Released (unmapped or torn down). */
  gone: boolean;
}

/** One domain's grant table: its frames, the entries in use, and the mappings it holds. */
export class GrantTable {
  readonly frames: number[] = [];
  maxFrames = DEFAULT_MAX_GRANT_FRAMES;
  /** Entries of this table pinned by someone (by ref). */
  readonly active = new Map<number, ActiveEntry>();
  /** Mappings this domain holds of others' grants (by handle). */
  readonly maptrack: (Mapping | null)[] = [];
  private freeHandles: number[] = [];

  constructor(readonly domain: Domain) {}

  get nrEntries(): number {
    return this.frames.length * GRANT_ENTRIES_PER_FRAME;
  }

  newHandle(): number {
    if (this.freeHandles.length > 0) return this.freeHandles.pop()!;
    if (this.maptrack.length >= MAX_MAPTRACK) throw new GrantError(GntSt.no_device_space, 'maptrack full');
    this.maptrack.push(null);
    return this.maptrack.length - 1;
  }

  freeHandle(h: number): void {
    this.maptrack[h] = null;
    this.freeHandles.push(h);
  }
}

/** Counters for the benchmarks and the statistics. */
export interface GrantStats {
  maps: number;
  unmaps: number;
  copies: number;
  copiedBytes: number;
  transfers: number;
  refusals: number;
}

/**
 * The grant tables of every domain on one hypervisor, and the operations between them.
 * Reached through `grantTables(hv)`.
 */
export class GrantTables {
  private readonly tables = new Map<number, GrantTable>();
  readonly stats: GrantStats = { maps: 0, unmaps: 0, copies: 0, copiedBytes: 0, transfers: 0, refusals: 0 };

  constructor(readonly hv: Hypervisor) {
    hv.mmu.onForeignPut = (tableOwner, ma) => this.implicitUnmap(tableOwner, ma);
  }

  table(d: Domain): GrantTable {
    let t = this.tables.get(d.id);
    if (t === undefined || t.domain !== d) {
      t = new GrantTable(d);
      this.tables.set(d.id, t);
    }
    return t;
  }

  /** The table if it exists (no allocation). */
  peek(domid: number): GrantTable | undefined {
    return this.tables.get(domid);
  }

  // ---------------------------------------------------------------------------------
  // Table size (setup_table / query_size)

  /** Grows `d`'s table to at least `nr` frames; returns its frame list. */
  setup(d: Domain, nr: number): number[] {
    const t = this.table(d);
    if (nr > t.maxFrames) throw new GrantError(GntSt.general_error, `${nr} grant frames exceed the maximum ${t.maxFrames}`);
    while (t.frames.length < nr) {
      const mfn = this.hv.frames.alloc(d.id, true);
      if (mfn < 0) throw new GrantError(GntSt.no_space, 'out of memory for grant frames');
      this.hv.mem.zeroFrame(mfn);
      t.frames.push(mfn);
    }
    return t.frames.slice(0, nr);
  }

  // ---------------------------------------------------------------------------------
  // Entries

  private entryAt(t: GrantTable, ref: number): { mfn: number; off: number } {
    if (!Number.isInteger(ref) || ref < 0 || ref >= t.nrEntries) {
      throw new GrantError(GntSt.bad_gntref, `grant ref ${ref} outside d${t.domain.id}'s table of ${t.nrEntries}`);
    }
    return { mfn: t.frames[ref >>> 9]!, off: (ref & 511) * GRANT_ENTRY_SIZE };
  }

  private readFlagsDomid(t: GrantTable, ref: number): { flags: number; domid: number; frame: number } {
    const { mfn, off } = this.entryAt(t, ref);
    const w = this.hv.mem.read32(mfn, off);
    return { flags: w & 0xffff, domid: (w >>> 16) & 0xffff, frame: this.hv.mem.read32(mfn, off + 4) >>> 0 };
  }

  private writeFlags(t: GrantTable, ref: number, flags: number): void {
    const { mfn, off } = this.entryAt(t, ref);
    const w = this.hv.mem.read32(mfn, off);
    this.hv.mem.write32(mfn, off, (w & ~0xffff) | (flags & 0xffff));
  }

  /**
   * Pins entry `ref` of `granter` for `mapper` (a mapping or a copy), checking the entry
   * as Xen does: permit_access, granted to the mapper, read-only compatible, and a frame
   * the granter owns. Sets GTF_reading (and GTF_writing for write access).
   */
  pin(granter: Domain, mapper: Domain, ref: number, readonly: boolean): number {
    const t = this.tables.get(granter.id);
    if (t === undefined || t.domain !== granter) throw new GrantError(GntSt.bad_gntref, `d${granter.id} has no grant table`);
    const e = this.readFlagsDomid(t, ref);
    if ((e.flags & GTF_type_mask) !== GTF_permit_access) {
      throw new GrantError(GntSt.general_error, `d${granter.id} ref ${ref} is not a permit_access grant`);
    }
    if (e.domid !== mapper.id) {
      throw new GrantError(GntSt.permission_denied, `d${granter.id} ref ${ref} is granted to d${e.domid}, not d${mapper.id}`);
    }
    if (!readonly && (e.flags & GTF_readonly) !== 0) {
      throw new GrantError(GntSt.permission_denied, `d${granter.id} ref ${ref} is read-only`);
    }
    let act = t.active.get(ref);
    if (act === undefined) {
      const f = this.hv.frames;
      if (!f.isRam(e.frame) || f.ownerOf(e.frame) !== granter.id || !f.has(e.frame, FrameFlag.ALLOCATED) ||
          f.has(e.frame, FrameFlag.XEN_HEAP)) {
        throw new GrantError(GntSt.general_error, `d${granter.id} ref ${ref} names frame 0x${e.frame.toString(16)} it does not own`);
      }
      act = { readers: 0, writers: 0, mfn: e.frame };
      t.active.set(ref, act);
    }
    if (readonly) act.readers++; else act.writers++;
    this.writeFlags(t, ref, e.flags | GTF_reading | (act.writers > 0 ? GTF_writing : 0));
    return act.mfn;
  }

  unpin(granter: Domain, ref: number, readonly: boolean): void {
    const t = this.tables.get(granter.id);
    if (t === undefined) return;
    const act = t.active.get(ref);
    if (act === undefined) return;
    if (readonly) act.readers--; else act.writers--;
    let clear = 0;
    if (act.writers === 0) clear |= GTF_writing;
    if (act.readers + act.writers === 0) { clear |= GTF_reading; t.active.delete(ref); }
    if (t.frames.length > 0 && ref < t.nrEntries) {
      const e = this.readFlagsDomid(t, ref);
      this.writeFlags(t, ref, e.flags & ~clear);
    }
  }

  // ---------------------------------------------------------------------------------
  // Mapping

  /**
   * Maps `ref` of `granter` for `mapper`. `pteMa` is the machine address of the leaf entry
   * to fill (a PV guest), or -1 for Domain 0, which holds the references itself.
   */
  map(mapper: Domain, granter: Domain, ref: number, readonly: boolean, pteMa: number, user: boolean): Mapping {
    const mt = this.table(mapper);
    const handle = mt.newHandle();
    const f = this.hv.frames;
    let mfn: number;
    try {
      if (pteMa >= 0) this.checkLeafSlot(mapper, pteMa);
      mfn = this.pin(granter, mapper, ref, readonly);
    } catch (e) {
      mt.freeHandle(handle);
      throw e;
    }
    try {
      if (pteMa >= 0) {
        const pte = ((mfn << 10) | PTE_V | PTE_R | PTE_A | (readonly ? 0 : PTE_W | PTE_D) | (user ? PTE_U : 0)) | 0;
        try {
          this.hv.mmu.getL1e(pte, mapper.id, granter.id);
        } catch (e) {
          if (e instanceof XenError) throw new GrantError(GntSt.general_error, e.message);
          throw e;
        }
        const tbl = Math.floor(pteMa / 4096);
        this.hv.mem.write32(tbl, pteMa - tbl * 4096, pte);
      } else {
        const ok = readonly ? f.getPage(mfn, granter.id) : f.getPageAndType(mfn, granter.id, PageType.WRITABLE);
        if (!ok) throw new GrantError(GntSt.general_error, `frame 0x${mfn.toString(16)} cannot be mapped ${readonly ? 'read-only' : 'writable'}`);
      }
    } catch (e) {
      this.unpin(granter, ref, readonly);
      mt.freeHandle(handle);
      throw e;
    }
    const m: Mapping = { handle, mapper, granter, ref, mfn, readonly, pteMa, installed: pteMa >= 0, gone: false };
    mt.maptrack[handle] = m;
    this.stats.maps++;
    return m;
  }

  /** The leaf entry a PV grant mapping will use: in a validated leaf table the mapper owns, and empty. */
  private checkLeafSlot(mapper: Domain, pteMa: number): void {
    const f = this.hv.frames;
    const tbl = Math.floor(pteMa / 4096), off = pteMa - tbl * 4096;
    if (pteMa % 4 !== 0 || !f.isRam(tbl) || f.ownerOf(tbl) !== mapper.id || f.typeOf(tbl) !== PageType.L1 ||
        f.typeCount[f.index(tbl)] === 0) {
      throw new GrantError(GntSt.bad_virt_addr, `0x${pteMa.toString(16)} is not an entry of a leaf table of d${mapper.id}`);
    }
    if ((this.hv.mem.read32(tbl, off) & PTE_V) !== 0) {
      throw new GrantError(GntSt.bad_virt_addr, 'the address is already mapped');
    }
  }

  lookup(mapper: Domain, handle: number): Mapping {
    const mt = this.tables.get(mapper.id);
    const m = mt !== undefined && Number.isInteger(handle) && handle >= 0 ? mt.maptrack[handle] : undefined;
    if (m === undefined || m === null || m.gone) throw new GrantError(GntSt.bad_handle, `d${mapper.id} has no grant mapping ${handle}`);
    return m;
  }

  /** Unmaps a mapping: clears its leaf entry if it still maps the frame, drops references and the pin. */
  unmap(m: Mapping, flush = true): void {
    if (m.gone) return;
    const f = this.hv.frames;
    if (m.pteMa >= 0) {
      if (m.installed) {
        const tbl = Math.floor(m.pteMa / 4096), off = m.pteMa - tbl * 4096;
        const pte = this.hv.mem.read32(tbl, off);
        this.hv.mem.write32(tbl, off, 0);
        m.installed = false;
        if ((pte & PTE_W) !== 0) f.putPageAndType(m.mfn); else f.putPage(m.mfn);
      }
    } else if (m.readonly) {
      f.putPage(m.mfn);
    } else {
      f.putPageAndType(m.mfn);
    }
    m.gone = true;
    this.unpin(m.granter, m.ref, m.readonly);
    this.table(m.mapper).freeHandle(m.handle);
    if (flush && m.pteMa >= 0) this.hv.flushAllTlbs();
    this.stats.unmaps++;
  }

  /** PvMmu dropped a leaf entry naming another domain's frame (the guest overwrote it). */
  private implicitUnmap(tableOwner: number, ma: number): void {
    const m = this.installedAt(tableOwner, ma);
    if (m !== null) m.installed = false;
  }

  /** The installed PV mapping of `mapper` whose leaf entry is at `ma`, or null. */
  installedAt(mapper: number, ma: number): Mapping | null {
    const mt = this.tables.get(mapper);
    if (mt === undefined) return null;
    for (const m of mt.maptrack) if (m !== null && m.installed && m.pteMa === ma) return m;
    return null;
  }

  // ---------------------------------------------------------------------------------
  // Copy

  /**
   * A hypervisor-mediated copy. Each side is either a grant (`ref` of `domid`, pinned for
   * the duration) or a frame the caller owns. No side may cross its page.
   */
  copy(caller: Domain, src: CopySide, dst: CopySide, len: number): void {
    if (!Number.isInteger(len) || len < 0 || src.offset + len > 4096 || dst.offset + len > 4096) {
      throw new GrantError(GntSt.bad_copy_arg, `copy of ${len} bytes at ${src.offset}/${dst.offset} crosses a page`);
    }
    const s = this.acquire(caller, src, true);
    try {
      const d = this.acquire(caller, dst, false);
      try {
        const mem = this.hv.mem;
        const so = mem.offset(s.mfn) + src.offset, dofs = mem.offset(d.mfn) + dst.offset;
        mem.ram.u8.copyWithin(dofs, so, so + len);
        mem.ram.noteWrite(dofs, len);
      } finally {
        d.release();
      }
    } finally {
      s.release();
    }
    this.stats.copies++;
    this.stats.copiedBytes += len;
  }

  private acquire(caller: Domain, side: CopySide, readonly: boolean): { mfn: number; release: () => void } {
    if (side.ref !== undefined) {
      const granter = this.hv.lookup(side.domid);
      if (granter === undefined) throw new GrantError(GntSt.bad_domain, `no domain ${side.domid}`);
      const mfn = this.pinForCopy(granter, caller, side.ref, readonly);
      return { mfn, release: () => this.unpinForCopy(granter, side.ref!, readonly, mfn) };
    }
    const f = this.hv.frames;
    const mfn = side.mfn ?? -1;
    if (side.domid !== caller.id || !f.isRam(mfn) || f.ownerOf(mfn) !== caller.id) {
      throw new GrantError(GntSt.bad_page, `frame 0x${mfn.toString(16)} is not the caller's`);
    }
    if (!readonly && f.typeOf(mfn) !== PageType.NONE && f.typeOf(mfn) !== PageType.WRITABLE && f.typeCount[f.index(mfn)]! > 0) {
      throw new GrantError(GntSt.bad_page, `frame 0x${mfn.toString(16)} is a page table`);
    }
    return { mfn, release: () => {} };
  }

  /**
   * Pins an entry for a transient copy. Writing takes a writable type reference for the
   * duration (as Xen's gnttab_copy does), so a granted page table can never be written
   * behind the validator's back.
   */
  pinForCopy(granter: Domain, caller: Domain, ref: number, readonly: boolean): number {
    const mfn = this.pin(granter, caller, ref, readonly);
    if (!readonly && !this.hv.frames.getPageAndType(mfn, granter.id, PageType.WRITABLE)) {
      this.unpin(granter, ref, readonly);
      throw new GrantError(GntSt.general_error, `frame 0x${mfn.toString(16)} cannot be written (a page table?)`);
    }
    return mfn;
  }

  unpinForCopy(granter: Domain, ref: number, readonly: boolean, mfn: number): void {
    if (!readonly) this.hv.frames.putPageAndType(mfn);
    this.unpin(granter, ref, readonly);
  }

  // ---------------------------------------------------------------------------------
  // Transfer (page flip)

  /**
   * Gives frame `mfn` of `from` to `to`, through `to`'s accept_transfer grant `ref`: the
   * frame must carry nothing but its allocation (no mappings, no type); on success the
   * entry's frame field gets the MFN and its flags GTF_transfer_committed|completed.
   */
  transfer(from: Domain, mfn: number, toDomid: number, ref: number): void {
    const f = this.hv.frames;
    const to = this.hv.lookup(toDomid);
    if (to === undefined) throw new GrantError(GntSt.bad_domain, `no domain ${toDomid}`);
    const i = f.index(mfn);
    if (i < 0 || f.owner[i] !== from.id || (f.flags[i]! & FrameFlag.ALLOCATED) === 0 ||
        (f.flags[i]! & FrameFlag.XEN_HEAP) !== 0 || f.count[i] !== 1 || f.typeCount[i] !== 0) {
      throw new GrantError(GntSt.bad_page, `frame 0x${mfn.toString(16)} cannot be given away (in use, or not d${from.id}'s)`);
    }
    const t = this.tables.get(to.id);
    if (t === undefined || t.domain !== to) throw new GrantError(GntSt.bad_gntref, `d${to.id} has no grant table`);
    const e = this.readFlagsDomid(t, ref);
    if ((e.flags & GTF_type_mask) !== GTF_accept_transfer || e.domid !== from.id ||
        (e.flags & (GTF_transfer_committed | GTF_transfer_completed)) !== 0) {
      throw new GrantError(GntSt.bad_gntref, `d${to.id} ref ${ref} does not accept a transfer from d${from.id}`);
    }
    if (to.totPages >= to.maxPages) throw new GrantError(GntSt.general_error, `d${to.id} is at its memory limit`);
    f.changeOwner(mfn, to.id);
    from.totPages--;
    to.totPages++;
    this.hv.m2p.set(mfn, 0xffffffff);
    const { mfn: emfn, off } = this.entryAt(t, ref);
    this.hv.mem.write32(emfn, off + 4, mfn);
    this.writeFlags(t, ref, e.flags | GTF_transfer_committed);
    this.writeFlags(t, ref, e.flags | GTF_transfer_committed | GTF_transfer_completed);
    this.stats.transfers++;
  }

  // ---------------------------------------------------------------------------------
  // Teardown

  /**
   * `d` is being destroyed: every mapping it holds and every mapping of its grants goes.
   * Called before its frames are returned, so no foreign reference outlives it.
   */
  teardown(d: Domain): void {
    let any = false;
    const mine = this.tables.get(d.id);
    if (mine !== undefined && mine.domain === d) {
      for (const m of mine.maptrack) if (m !== null && !m.gone) { this.unmap(m, false); any = true; }
    }
    for (const t of this.tables.values()) {
      if (t === mine) continue;
      for (const m of t.maptrack) {
        if (m !== null && !m.gone && m.granter === d) { this.unmap(m, false); any = true; }
      }
    }
    if (any) this.hv.flushAllTlbs();
    this.tables.delete(d.id);
  }

  /** Every live mapping (for the audit). */
  *mappings(): Generator<Mapping> {
    for (const t of this.tables.values()) for (const m of t.maptrack) if (m !== null && !m.gone) yield m;
  }
}

export interface CopySide {
  /** A grant ref of `domid`, or undefined when `mfn` is a frame of the caller. */
  ref?: number;
  mfn?: number;
  domid: number;
  offset: number;
}

const registry = new WeakMap<Hypervisor, GrantTables>();

/** The grant tables of `hv` (created on first use). */
export function grantTables(hv: Hypervisor): GrantTables {
  let g = registry.get(hv);
  if (g === undefined) {
    g = new GrantTables(hv);
    registry.set(hv, g);
  }
  return g;
}

/** The grant tables of `hv` if anything has used them. */
export function grantTablesIfAny(hv: Hypervisor): GrantTables | undefined {
  return registry.get(hv);
}

export { pteMfn };
