/*
 * memory_op (fact sheet §6): a domain's reservation. A PV guest sees machine frames, so
 * increase_reservation returns MFNs, decrease_reservation takes MFNs, and
 * populate_physmap takes the guest's pfns and returns the MFNs now backing them (and
 * records them in the M2P table). Extents are processed in order and the count done is
 * returned; a short count is not an error.
 */

import type { Call } from './call.js';
import type { Domain } from '../domain.js';
import type { Hypervisor } from '../hypervisor.js';
import { Errno, MemoryOp, XenError } from '../abi/xen.js';
import { MEMORY_RESERVATION } from '../abi/layout.js';
import { FrameFlag } from '../mm/frame-table.js';
import { HYPERVISOR_VIRT_START, INVALID_P2M_ENTRY, MACH2PHYS_VIRT_START } from '../mm/m2p.js';
import { XEN_COST } from '../costs.js';

/** Extents one reservation call may carry. */
export const MAX_EXTENTS = 1 << 20;

export function memoryOp(c: Call, a: readonly number[]): number {
  const cmd = a[0]! & 0x3f; // bits above 6 carry a continuation start extent in Xen
  const arg = a[1]! >>> 0;
  switch (cmd) {
    case MemoryOp.maximum_ram_page:
      return c.hv.frames.firstMfn + c.hv.frames.nframes - 1;
    case MemoryOp.current_reservation: case MemoryOp.maximum_reservation: {
      const d = c.target(c.mem.u16(arg));
      return cmd === MemoryOp.current_reservation ? d.totPages : d.maxPages;
    }
    case MemoryOp.maximum_gpfn: {
      const d = c.target(c.mem.u16(arg));
      return Math.max(0, d.nrPages - 1);
    }
    case MemoryOp.machphys_mapping:
      c.mem.checkWritable(arg, 24);
      c.mem.setU64(arg, MACH2PHYS_VIRT_START);
      c.mem.setU64(arg + 8, HYPERVISOR_VIRT_START + (c.hv.frames.firstMfn + c.hv.frames.nframes) * 4);
      c.mem.setU64(arg + 16, c.hv.frames.firstMfn + c.hv.frames.nframes - 1);
      return 0;
    case MemoryOp.increase_reservation: case MemoryOp.decrease_reservation: case MemoryOp.populate_physmap: {
      const r = readReservation(c, arg);
      const d = c.target(r.domid);
      let done = 0;
      for (; done < r.nrExtents; done++) {
        c.hart.charge(XEN_COST.BATCH_ITEM);
        const slot = r.extentStart + 8 * done;
        if (cmd === MemoryOp.decrease_reservation) {
          if (r.extentStart === 0) break;
          if (!releaseFrame(c.hv, d, c.mem.u64(slot))) break;
          continue;
        }
        if (r.extentStart !== 0) c.mem.checkWritable(slot, 8);
        const pfn = cmd === MemoryOp.populate_physmap ? c.mem.u64(slot) : -1;
        if (cmd === MemoryOp.populate_physmap && (r.extentStart === 0 || pfn >= 0x100000)) break;
        const mfn = allocFrame(c.hv, d, pfn);
        if (mfn < 0) break;
        if (r.extentStart !== 0) c.mem.setU64(slot, mfn);
      }
      return done;
    }
    default:
      throw new XenError(Errno.ENOSYS, `memory_op ${cmd}`);
  }
}

function readReservation(c: Call, arg: number) {
  const extentStart = c.mem.u32(arg + MEMORY_RESERVATION.extent_start);
  if (c.mem.u32(arg + MEMORY_RESERVATION.extent_start + 4) !== 0) throw new XenError(Errno.EFAULT, 'handle above 4 GiB');
  const nrExtents = c.mem.u64(arg + MEMORY_RESERVATION.nr_extents);
  const order = c.mem.u32(arg + MEMORY_RESERVATION.extent_order);
  const domid = c.mem.u16(arg + MEMORY_RESERVATION.domid);
  if (order !== 0) throw new XenError(Errno.EINVAL, 'only order-0 extents are supported');
  if (nrExtents > MAX_EXTENTS) throw new XenError(Errno.EINVAL, `${nrExtents} extents`);
  return { extentStart, nrExtents, domid };
}

/** Gives `d` one more frame (within its maximum); records pfn → mfn in the M2P if known. */
export function allocFrame(hv: Hypervisor, d: Domain, pfn: number): number {
  if (d.totPages >= d.maxPages) return -1;
  const mfn = hv.frames.alloc(d.id);
  if (mfn < 0) return -1;
  d.totPages++;
  hv.m2p.set(mfn, pfn >= 0 ? pfn : INVALID_P2M_ENTRY);
  return mfn;
}

/** Takes a frame back from `d` (freed, and uncounted, once nothing maps it). */
export function releaseFrame(hv: Hypervisor, d: Domain, mfn: number): boolean {
  if (hv.frames.ownerOf(mfn) !== d.id || hv.frames.has(mfn, FrameFlag.XEN_HEAP)) return false;
  if (!hv.frames.has(mfn, FrameFlag.ALLOCATED)) return false;
  hv.m2p.set(mfn, INVALID_P2M_ENTRY);
  hv.frames.unallocate(mfn); // tot_pages drops when the frame is actually freed
  return true;
}
