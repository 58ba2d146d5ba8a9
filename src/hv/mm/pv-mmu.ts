/*
 * The PV MMU's safety rules (fact sheet §8.4, docs/pv-abi.md "Page types and
 * validation"): what a page-table entry may point at, the references it holds, and the
 * checked update of one entry — shared by mmu_update, update_va_mapping, the domain
 * builder's pinning, and the emulation of writes to page tables.
 *
 *   leaf entry (in an L1)   → general reference on the target, which the table's owner
 *                             must own; plus a writable type reference when W=1, which
 *                             fails if the target is a page table
 *   pointer (in an L2)      → the target must take type L1 (and is validated as one)
 *   L2 slots 1008..1023     → the hypervisor's (M2P window); guests cannot write them
 *   megapages, W without R, pointers inside an L1 → refused
 *
 * A/D bits are maintained by the hardware walker and are not security-relevant, so an
 * update that changes only A, D or the RSW bits skips revalidation.
 */

import { FrameTable, PageType, type TableValidator } from './frame-table.js';
import type { MachineMemory } from './machine-memory.js';
import type { M2P } from './m2p.js';
import { Errno, XenError } from '../abi/xen.js';
import {
  HYPERVISOR_FIRST_SLOT, PTE_A, PTE_D, PTE_R, PTE_RSW, PTE_V, PTE_W, isLeaf, pteMfn,
} from './pte.js';

/** Bits whose change never needs revalidation. */
const BENIGN_BITS = PTE_A | PTE_D | PTE_RSW;

export class PvMmu implements TableValidator {
  /** Counters for the statistics and the virtual-time charges. */
  validatedEntries = 0;
  /**
   * A leaf entry naming another domain's frame (a grant mapping) was dropped by its table's
   * owner (overwritten, or the table devalidated): the grant code forgets that the mapping
   * is installed. `ma` is the entry's machine address (-1 if unknown).
   */
  onForeignPut: ((tableOwner: number, ma: number) => void) | null = null;

  constructor(readonly frames: FrameTable, readonly mem: MachineMemory, readonly m2p: M2P) {
    frames.validator = this;
  }

  // -------------------------------------------------------------------------------
  // References held by single entries

  /**
   * Takes the references a leaf-table entry implies; throws XenError if it is not allowed.
   * The target must be `owner`'s, except when the grant code maps a frame `granter` granted
   * to `owner` (grant-table.ts has checked the grant and pinned it).
   */
  getL1e(pte: number, owner: number, granter = owner): void {
    if ((pte & PTE_V) === 0) return;
    if (!isLeaf(pte)) throw new XenError(Errno.EINVAL, 'pointer entry in a leaf table');
    if ((pte & (PTE_W | PTE_R)) === PTE_W) throw new XenError(Errno.EINVAL, 'W without R is reserved');
    const mfn = pteMfn(pte);
    if (!this.frames.isRam(mfn)) throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is not RAM`);
    if ((pte & PTE_W) !== 0) {
      if (!this.frames.getPageAndType(mfn, granter, PageType.WRITABLE)) {
        throw new XenError(Errno.EPERM, `cannot map frame 0x${mfn.toString(16)} writable`);
      }
    } else if (!this.frames.getPage(mfn, granter)) {
      throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is not owned by the domain`);
    }
    this.validatedEntries++;
  }

  putL1e(pte: number, tableOwner = -1, ma = -1): void {
    if ((pte & PTE_V) === 0) return;
    const mfn = pteMfn(pte);
    if (tableOwner >= 0 && this.frames.ownerOf(mfn) !== tableOwner) this.onForeignPut?.(tableOwner, ma);
    if ((pte & PTE_W) !== 0) this.frames.putPageAndType(mfn);
    else this.frames.putPage(mfn);
  }

  /** Takes the references a root-table entry implies (slot < HYPERVISOR_FIRST_SLOT). */
  getL2e(pte: number, owner: number): void {
    if ((pte & PTE_V) === 0) return;
    if (isLeaf(pte)) throw new XenError(Errno.EINVAL, 'megapages are not supported for PV guests');
    const mfn = pteMfn(pte);
    if (!this.frames.isRam(mfn)) throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is not RAM`);
    if (!this.frames.getPageAndType(mfn, owner, PageType.L1)) {
      throw new XenError(Errno.EINVAL, `frame 0x${mfn.toString(16)} cannot be used as a leaf table`);
    }
    this.validatedEntries++;
  }

  putL2e(pte: number): void {
    if ((pte & PTE_V) === 0) return;
    this.frames.putPageAndType(pteMfn(pte));
  }

  // -------------------------------------------------------------------------------
  // Whole tables (TableValidator)

  validate(mfn: number, type: PageType.L1 | PageType.L2, owner: number): void {
    const limit = type === PageType.L1 ? 1024 : HYPERVISOR_FIRST_SLOT;
    let i = 0;
    try {
      for (; i < limit; i++) {
        const pte = this.mem.read32(mfn, i * 4);
        if (type === PageType.L1) this.getL1e(pte, owner);
        else this.getL2e(pte, owner);
      }
    } catch (e) {
      for (let j = 0; j < i; j++) {
        const pte = this.mem.read32(mfn, j * 4);
        if (type === PageType.L1) this.putL1e(pte);
        else this.putL2e(pte);
      }
      throw e;
    }
    if (type === PageType.L2) {
      const slots = this.m2p.slotEntries;
      for (let s = 0; s < slots.length; s++) this.mem.write32(mfn, (HYPERVISOR_FIRST_SLOT + s) * 4, slots[s]!);
    }
  }

  devalidate(mfn: number, type: PageType.L1 | PageType.L2, owner = -1): void {
    const limit = type === PageType.L1 ? 1024 : HYPERVISOR_FIRST_SLOT;
    for (let i = 0; i < limit; i++) {
      const pte = this.mem.read32(mfn, i * 4);
      if (type === PageType.L1) this.putL1e(pte, owner, mfn * 4096 + i * 4);
      else this.putL2e(pte);
    }
  }

  // -------------------------------------------------------------------------------
  // One checked update

  /**
   * MMU_NORMAL_PT_UPDATE: writes `val` to the 4-byte entry at machine address `ma` in a
   * frame owned by `owner`. A validated table gets its new entry checked and referenced
   * and the old one released; any other frame must be typable writable (a plain write).
   */
  updateEntry(ma: number, val: number, owner: number, preserveAD: boolean): void {
    if (ma % 4 !== 0) throw new XenError(Errno.EINVAL, 'misaligned entry address');
    const mfn = Math.floor(ma / 4096);
    const off = ma - mfn * 4096;
    if (!this.frames.getPage(mfn, owner)) throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is not owned by the domain`);
    try {
      const type = this.frames.typeOf(mfn);
      const tc = this.frames.typeCount[this.frames.index(mfn)]!;
      if ((type === PageType.L1 || type === PageType.L2) && tc > 0) {
        if (type === PageType.L2 && off / 4 >= HYPERVISOR_FIRST_SLOT) {
          throw new XenError(Errno.EINVAL, 'hypervisor slots are read-only');
        }
        const old = this.mem.read32(mfn, off);
        if (preserveAD) val |= old & (PTE_A | PTE_D);
        if (((old ^ val) & ~BENIGN_BITS) !== 0 || ((old & PTE_V) === 0 && (val & PTE_V) !== 0)) {
          if (type === PageType.L1) { this.getL1e(val, owner); this.mem.write32(mfn, off, val); this.putL1e(old, owner, ma); }
          else { this.getL2e(val, owner); this.mem.write32(mfn, off, val); this.putL2e(old); }
        } else {
          this.mem.write32(mfn, off, val);
        }
        return;
      }
      if (!this.frames.getPageType(mfn, PageType.WRITABLE)) {
        throw new XenError(Errno.EINVAL, `frame 0x${mfn.toString(16)} is not writable`);
      }
      this.mem.write32(mfn, off, val);
      this.frames.putPageType(mfn);
    } finally {
      this.frames.putPage(mfn);
    }
  }

  /** MMU_MACHPHYS_UPDATE: the owner records which pfn it uses for `mfn`. */
  machphysUpdate(mfn: number, pfn: number, owner: number): void {
    if (this.frames.ownerOf(mfn) !== owner) throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is not owned by the domain`);
    this.m2p.set(mfn, pfn);
  }

  /** The leaf-table frame and entry offset that map `va` under root `rootMfn`, or null. */
  l1EntryFor(rootMfn: number, va: number): { mfn: number; off: number } | null {
    const slot = va >>> 22;
    if (slot >= HYPERVISOR_FIRST_SLOT) return null;
    const l2e = this.mem.read32(rootMfn, slot * 4);
    if ((l2e & PTE_V) === 0 || isLeaf(l2e)) return null;
    return { mfn: pteMfn(l2e), off: ((va >>> 12) & 1023) * 4 };
  }
}

