/*
 * grant_table_op(cmd, uops, count) (fact sheet §5.2–5.3): decodes each element's struct
 * (x64 layouts, docs/pv-abi.md), applies it through grant-table.ts, and writes its status
 * back. Per-element failures are GNTST_* statuses in the element; only a bad pointer or a
 * bad command fails the whole call. The logic (pins, references, teardown) is in
 * grant-table.ts; this file is only the guest-memory codec.
 */

import type { Call } from './call.js';
import { DOMID_SELF, Errno, XenError } from '../abi/xen.js';
import { XEN_COST } from '../costs.js';
import {
  GNTCOPY_dest_gref, GNTCOPY_source_gref, GNTMAP_application_map, GNTMAP_contains_pte, GNTMAP_device_map,
  GNTMAP_host_map, GNTMAP_readonly, GNTTABOP, GntSt, GrantError, grantTables, type CopySide,
} from '../grant-table.js';

export const GNTTAB_MAP = { host_addr: 0, flags: 8, ref: 12, dom: 16, status: 18, handle: 20, dev_bus_addr: 24, SIZE: 32 } as const;
export const GNTTAB_UNMAP = { host_addr: 0, dev_bus_addr: 8, handle: 16, status: 20, SIZE: 24 } as const;
export const GNTTAB_SETUP = { dom: 0, nr_frames: 4, status: 8, frame_list: 16, SIZE: 24 } as const;
export const GNTTAB_TRANSFER = { mfn: 0, domid: 8, ref: 12, status: 16, SIZE: 24 } as const;
export const GNTTAB_COPY = {
  source: 0, dest: 16, u: 0, domid: 8, offset: 10, len: 32, flags: 34, status: 36, SIZE: 40,
} as const;
export const GNTTAB_QUERY = { dom: 0, nr_frames: 4, max_nr_frames: 8, status: 12, SIZE: 16 } as const;

/** Elements one call may carry (Xen uses continuations instead). */
export const MAX_GRANT_OPS = 4096;

function statusOf(e: unknown): number {
  if (e instanceof GrantError) return e.status;
  if (e instanceof XenError) return e.errno === Errno.EFAULT ? GntSt.bad_virt_addr : GntSt.general_error;
  throw e;
}

export function grantTableOp(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, uops = a[1]! >>> 0, count = a[2]! >>> 0;
  if (count > MAX_GRANT_OPS) throw new XenError(Errno.EINVAL, `grant_table_op count ${count}`);
  const g = grantTables(c.hv);
  const m = c.mem;
  switch (cmd) {
    case GNTTABOP.map_grant_ref: {
      const L = GNTTAB_MAP;
      m.checkWritable(uops, count * L.SIZE);
      for (let i = 0; i < count; i++) {
        const op = uops + i * L.SIZE;
        c.hart.charge(XEN_COST.BATCH_ITEM);
        const hostAddr = m.u64(op + L.host_addr), flags = m.u32(op + L.flags);
        const ref = m.u32(op + L.ref), dom = m.u16(op + L.dom);
        let status = 0, handle = 0xffffffff, bus = 0;
        try {
          if ((flags & (GNTMAP_host_map | GNTMAP_device_map)) === 0) throw new GrantError(GntSt.bad_gntref, 'neither host nor device map');
          if ((flags & GNTMAP_host_map) === 0) throw new GrantError(GntSt.general_error, 'device-only mappings need an IOMMU');
          const granter = c.hv.lookup(dom === DOMID_SELF ? c.dom.id : dom);
          if (granter === undefined) throw new GrantError(GntSt.bad_domain, `no domain ${dom}`);
          const pteMa = leafEntryAddress(c, hostAddr, flags);
          const mp = g.map(c.dom, granter, ref, (flags & GNTMAP_readonly) !== 0, pteMa, (flags & GNTMAP_application_map) !== 0);
          handle = mp.handle;
          bus = mp.mfn * 4096;
          c.hart.flushTlbs();
        } catch (e) {
          status = statusOf(e);
          g.stats.refusals++;
        }
        m.setU16(op + L.status, status & 0xffff);
        m.setU32(op + L.handle, handle);
        m.setU64(op + L.dev_bus_addr, bus);
      }
      return 0;
    }
    case GNTTABOP.unmap_grant_ref: {
      const L = GNTTAB_UNMAP;
      m.checkWritable(uops, count * L.SIZE);
      let flush = false;
      for (let i = 0; i < count; i++) {
        const op = uops + i * L.SIZE;
        c.hart.charge(XEN_COST.BATCH_ITEM);
        let status = 0;
        try {
          const mp = g.lookup(c.dom, m.u32(op + L.handle));
          const hostAddr = m.u64(op + L.host_addr);
          if (hostAddr !== 0 && mp.pteMa >= 0) {
            // Xen: the address given must be the one mapped.
            const pteMa = leafEntryAddress(c, hostAddr, 0);
            if (pteMa !== mp.pteMa) throw new GrantError(GntSt.general_error, 'host_addr does not match the mapping');
          }
          g.unmap(mp, false);
          flush = true;
        } catch (e) {
          status = statusOf(e);
          g.stats.refusals++;
        }
        m.setU16(op + L.status, status & 0xffff);
      }
      if (flush) c.hv.flushAllTlbs();
      return 0;
    }
    case GNTTABOP.setup_table: {
      const L = GNTTAB_SETUP;
      for (let i = 0; i < count; i++) {
        const op = uops + i * L.SIZE;
        m.checkWritable(op, L.SIZE);
        const nr = m.u32(op + L.nr_frames), list = m.u32(op + L.frame_list);
        let status = 0;
        try {
          const d = c.target(m.u16(op + L.dom));
          if (nr > 0) m.checkWritable(list, nr * 8);
          const frames = g.setup(d, nr);
          for (let k = 0; k < frames.length; k++) m.setU64(list + 8 * k, frames[k]!);
        } catch (e) {
          if (e instanceof XenError && e.errno === Errno.EPERM) status = GntSt.permission_denied;
          else if (e instanceof XenError && e.errno === Errno.ESRCH) status = GntSt.bad_domain;
          else status = statusOf(e);
        }
        m.setU16(op + L.status, status & 0xffff);
      }
      return 0;
    }
    case GNTTABOP.query_size: {
      const L = GNTTAB_QUERY;
      for (let i = 0; i < count; i++) {
        const op = uops + i * L.SIZE;
        m.checkWritable(op, L.SIZE);
        let status = 0;
        try {
          const t = g.table(c.target(m.u16(op + L.dom)));
          m.setU32(op + L.nr_frames, t.frames.length);
          m.setU32(op + L.max_nr_frames, t.maxFrames);
        } catch (e) {
          status = e instanceof XenError && e.errno === Errno.EPERM ? GntSt.permission_denied : GntSt.bad_domain;
        }
        m.setU16(op + L.status, status & 0xffff);
      }
      return 0;
    }
    case GNTTABOP.copy: {
      const L = GNTTAB_COPY;
      m.checkWritable(uops, count * L.SIZE);
      for (let i = 0; i < count; i++) {
        const op = uops + i * L.SIZE;
        c.hart.charge(XEN_COST.BATCH_ITEM);
        const flags = m.u16(op + L.flags), len = m.u16(op + L.len);
        let status = 0;
        try {
          const side = (base: number, isRef: boolean): CopySide => {
            const domid = m.u16(base + L.domid);
            const self = domid === DOMID_SELF ? c.dom.id : domid;
            const u = m.u64(base + L.u);
            return isRef ? { ref: u, domid: self, offset: m.u16(base + L.offset) }
              : { mfn: u, domid: self, offset: m.u16(base + L.offset) };
          };
          g.copy(c.dom, side(op + L.source, (flags & GNTCOPY_source_gref) !== 0), side(op + L.dest, (flags & GNTCOPY_dest_gref) !== 0), len);
          c.hart.charge(Math.ceil(len * XEN_COST.COPY_BYTE_NUM / XEN_COST.COPY_BYTE_DEN));
        } catch (e) {
          status = statusOf(e);
          g.stats.refusals++;
        }
        m.setU16(op + L.status, status & 0xffff);
      }
      return 0;
    }
    case GNTTABOP.transfer: {
      const L = GNTTAB_TRANSFER;
      m.checkWritable(uops, count * L.SIZE);
      for (let i = 0; i < count; i++) {
        const op = uops + i * L.SIZE;
        c.hart.charge(XEN_COST.BATCH_ITEM);
        let status = 0;
        try {
          g.transfer(c.dom, m.u64(op + L.mfn), m.u16(op + L.domid), m.u32(op + L.ref));
        } catch (e) {
          status = statusOf(e);
          g.stats.refusals++;
        }
        m.setU16(op + L.status, status & 0xffff);
      }
      return 0;
    }
    case GNTTABOP.set_version: {
      m.checkWritable(uops, 4);
      const version = m.u32(uops);
      // Only v1 is implemented; asking for it succeeds, as Linux expects.
      m.setU32(uops, 1);
      if (version !== 1) throw new XenError(Errno.ENOSYS, 'grant table v2 is not implemented');
      return 0;
    }
    case GNTTABOP.get_version: {
      m.checkWritable(uops, 8);
      c.target(m.u16(uops));
      m.setU32(uops + 4, 1);
      return 0;
    }
    default:
      throw new XenError(Errno.ENOSYS, `grant_table_op ${cmd}`);
  }
}

/**
 * The machine address of the leaf entry a PV mapping uses: `host_addr` itself with
 * GNTMAP_contains_pte, otherwise the entry that maps virtual address `host_addr` in the
 * caller's current address space.
 */
function leafEntryAddress(c: Call, hostAddr: number, flags: number): number {
  if ((flags & GNTMAP_contains_pte) !== 0) {
    if (!Number.isSafeInteger(hostAddr)) throw new GrantError(GntSt.bad_virt_addr, 'PTE address too big');
    return hostAddr;
  }
  if (hostAddr >= 0x100000000 || hostAddr % 4096 !== 0) throw new GrantError(GntSt.bad_virt_addr, `bad host_addr ${hostAddr}`);
  const root = c.vcpu.baseMfn;
  const slot = root < 0 ? null : c.hv.mmu.l1EntryFor(root, hostAddr);
  if (slot === null) throw new GrantError(GntSt.bad_virt_addr, `no leaf table maps 0x${hostAddr.toString(16)}`);
  return slot.mfn * 4096 + slot.off;
}
