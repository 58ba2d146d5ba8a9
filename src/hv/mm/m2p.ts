/*
 * The machine-to-physical table: one u32 per machine frame (M2P[mfn] = the pfn its owner
 * uses for it, or INVALID_P2M_ENTRY), kept by the hypervisor in frames of its own and
 * mapped read-only into every PV address space at MACH2PHYS_VIRT_START (docs/pv-abi.md).
 *
 * The table is indexed by machine frame number, so RAM frames (which start at 0x80000)
 * begin 2 MiB into the window; below that nothing is mapped.
 */

import { FrameTable } from './frame-table.js';
import { MachineMemory, PAGE } from './machine-memory.js';
import { DOMID_XEN } from '../abi/xen.js';
import { PTE_A, PTE_R, PTE_V, ROOT_ENTRIES, HYPERVISOR_FIRST_SLOT } from './pte.js';

export const INVALID_P2M_ENTRY = 0xffffffff;
export const HYPERVISOR_VIRT_START = 0xfc000000;
export const MACH2PHYS_VIRT_START = 0xfc000000;

export class M2P {
  /** First frame of the table's storage (contiguous, hypervisor-owned). */
  private readonly storage: number;
  private readonly storageFrames: number;
  /** Root-table entries the hypervisor installs in slots HYPERVISOR_FIRST_SLOT..1023. */
  readonly slotEntries: Int32Array;

  constructor(private readonly frames: FrameTable, private readonly mem: MachineMemory) {
    const last = frames.firstMfn + frames.nframes; // exclusive
    this.storageFrames = Math.ceil(frames.nframes * 4 / PAGE);
    this.storage = frames.allocContiguous(DOMID_XEN, this.storageFrames);
    for (let k = 0; k < this.storageFrames; k++) mem.zeroFrame(this.storage + k);
    // Mark every entry invalid.
    for (let mfn = frames.firstMfn; mfn < last; mfn++) this.set(mfn, INVALID_P2M_ENTRY);

    // Leaf tables mapping the storage read-only at MACH2PHYS_VIRT_START + mfn*4.
    this.slotEntries = new Int32Array(ROOT_ENTRIES - HYPERVISOR_FIRST_SLOT);
    const firstVa = MACH2PHYS_VIRT_START + frames.firstMfn * 4;
    const lastVa = MACH2PHYS_VIRT_START + last * 4 - 1;
    const firstSlot = Math.floor(firstVa / 0x400000), lastSlot = Math.floor(lastVa / 0x400000);
    if (lastSlot > 1023) throw new Error('M2P table does not fit the hypervisor window');
    const tables = frames.allocContiguous(DOMID_XEN, lastSlot - firstSlot + 1 + 0);
    for (let s = firstSlot; s <= lastSlot; s++) {
      const l1 = tables + (s - firstSlot);
      mem.zeroFrame(l1);
      for (let e = 0; e < 1024; e++) {
        const va = s * 0x400000 + e * PAGE;
        const k = Math.floor((va - firstVa) / PAGE);
        if (va < firstVa || k >= this.storageFrames) continue;
        mem.write32(l1, e * 4, ((this.storage + k) << 10) | PTE_A | PTE_R | PTE_V);
      }
      this.slotEntries[s - HYPERVISOR_FIRST_SLOT] = (l1 << 10) | PTE_V;
    }
  }

  get(mfn: number): number {
    const i = mfn - this.frames.firstMfn;
    return this.mem.read32(this.storage + (i >>> 10), (i & 1023) * 4) >>> 0;
  }

  set(mfn: number, pfn: number): void {
    const i = mfn - this.frames.firstMfn;
    this.mem.write32(this.storage + (i >>> 10), (i & 1023) * 4, pfn | 0);
  }

  /** Frames used by the table and its leaf tables (hypervisor overhead). */
  get overheadFrames(): number {
    return this.storageFrames;
  }
}
