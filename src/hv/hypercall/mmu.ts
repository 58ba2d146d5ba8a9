/*
 * The PV MMU hypercalls (fact sheet §8.1–8.3): mmu_update, mmuext_op, update_va_mapping,
 * and vm_assist. Requests are processed in order; the first failure stops the batch,
 * its error is returned, and `done` (when given) tells how many completed — each
 * completed request stands, the failing one changed nothing.
 */

import type { Call } from './call.js';
import type { Hart } from '../../machine/rv32/hart.js';
import type { Domain } from '../domain.js';
import {
  DOMID_SELF, Errno, MmuCmd, MmuextCmd, UVMF_ALL, UVMF_FLUSHTYPE_MASK, UVMF_INVLPG, UVMF_TLB_FLUSH,
  VMASST_CMD_disable, VMASST_CMD_enable, VMASST_TYPE_writable_pagetables, XenError,
} from '../abi/xen.js';
import { MMU_UPDATE, MMUEXT_OP } from '../abi/layout.js';
import { PageType, FrameFlag } from '../mm/frame-table.js';
import { Csr, Mode, SATP_MODE_SV32 } from '../../machine/rv32/csr.js';
import { XEN_COST } from '../costs.js';
import type { Hypervisor } from '../hypervisor.js';
import type { Vcpu } from '../domain.js';
import { HYPERVISOR_VIRT_START } from '../mm/m2p.js';

/** Requests one mmu_update / mmuext_op call may carry (Xen uses continuations instead). */
export const MAX_BATCH = 65536;

/** foreigndom: bits 15:0 name the data frames' owner, bits 31:16 (minus one) the tables' owner. */
function foreignDomains(c: Call, foreigndom: number): { fd: Domain; pfd: Domain } {
  const fdId = foreigndom & 0xffff, x = foreigndom >>> 16;
  const fd = c.target(fdId);
  const pfd = x === 0 ? c.dom : c.target(x - 1);
  if (fd !== pfd && fdId !== DOMID_SELF) throw new XenError(Errno.EINVAL, 'mixed foreign domains are not supported');
  return { fd, pfd };
}

/**
 * The common shape of mmu_update and mmuext_op: (list, count, done, foreigndom); each
 * entry of `size` bytes is handled by `item` in order; the first failure ends the batch,
 * and `done` (if given) receives how many entries completed.
 */
function batch(c: Call, a: readonly number[], name: string, size: number, item: (entry: number, pfd: Domain) => void): number {
  const list = a[0]! >>> 0, count = a[1]! >>> 0, donePtr = a[2]! >>> 0, foreigndom = a[3]! >>> 0;
  if (count > MAX_BATCH) throw new XenError(Errno.EINVAL, `${name} count ${count}`);
  const { pfd } = foreignDomains(c, foreigndom);
  if (donePtr !== 0) c.mem.checkWritable(donePtr, 4);
  let done = 0;
  let rc = 0;
  const before = c.hv.mmu.validatedEntries;
  try {
    for (; done < count; done++) {
      c.hart.charge(XEN_COST.BATCH_ITEM);
      item(list + done * size, pfd);
    }
  } catch (e) {
    if (!(e instanceof XenError)) throw e;
    rc = -e.errno;
  }
  c.hart.charge((c.hv.mmu.validatedEntries - before) * XEN_COST.VALIDATE_ENTRY);
  if (donePtr !== 0) c.mem.setU32(donePtr, done);
  return rc;
}

export function mmuUpdate(c: Call, a: readonly number[]): number {
  return batch(c, a, 'mmu_update', MMU_UPDATE.SIZE, (r, pfd) => {
    const ptrLo = c.mem.u32(r + MMU_UPDATE.ptr), ptrHi = c.mem.u32(r + MMU_UPDATE.ptr + 4);
    const val = c.mem.u32(r + MMU_UPDATE.val) | 0, valHi = c.mem.u32(r + MMU_UPDATE.val + 4);
    const cmd = ptrLo & 3;
    const ma = ptrHi * 0x100000000 + (ptrLo - cmd);
    switch (cmd) {
      case MmuCmd.NORMAL_PT_UPDATE: case MmuCmd.PT_UPDATE_PRESERVE_AD: case MmuCmd.PT_UPDATE_NO_TRANSLATE:
        if (valHi !== 0) throw new XenError(Errno.EINVAL, 'Sv32 entries are 32 bits');
        c.hv.mmu.updateEntry(ma, val, pfd.id, cmd === MmuCmd.PT_UPDATE_PRESERVE_AD);
        break;
      case MmuCmd.MACHPHYS_UPDATE:
        c.hv.mmu.machphysUpdate(Math.floor(ma / 4096), val, pfd.id);
        break;
    }
  });
}

export function mmuextOp(c: Call, a: readonly number[]): number {
  return batch(c, a, 'mmuext_op', MMUEXT_OP.SIZE, (o, pfd) => {
    const cmd = c.mem.u32(o + MMUEXT_OP.cmd);
    mmuextOne(c.hv, c.hart, c.vcpu, pfd, cmd, c.mem.u64(o + MMUEXT_OP.arg1), c.mem.u64(o + MMUEXT_OP.arg2));
  });
}

/** One mmuext_op on behalf of `v` (whose tables belong to `owner`). */
export function mmuextOne(hv: Hypervisor, hart: Hart | null, v: Vcpu | null, owner: Domain,
    cmd: number, arg1: number, arg2: number): void {
  const frames = hv.frames;
  switch (cmd) {
    case MmuextCmd.PIN_L1_TABLE: case MmuextCmd.PIN_L2_TABLE: {
      const type = cmd === MmuextCmd.PIN_L1_TABLE ? PageType.L1 : PageType.L2;
      if (frames.has(arg1, FrameFlag.PINNED)) throw new XenError(Errno.EINVAL, 'already pinned');
      if (!frames.getPageAndType(arg1, owner.id, type)) {
        throw new XenError(Errno.EINVAL, `cannot pin 0x${arg1.toString(16)} as ${type === PageType.L1 ? 'L1' : 'L2'}`);
      }
      frames.setPinned(arg1, true);
      return;
    }
    case MmuextCmd.PIN_L3_TABLE: case MmuextCmd.PIN_L4_TABLE:
      throw new XenError(Errno.EINVAL, 'Sv32 has two levels');
    case MmuextCmd.UNPIN_TABLE:
      if (frames.ownerOf(arg1) !== owner.id || !frames.has(arg1, FrameFlag.PINNED)) {
        throw new XenError(Errno.EINVAL, `0x${arg1.toString(16)} is not pinned`);
      }
      frames.setPinned(arg1, false);
      frames.putPageAndType(arg1);
      return;
    case MmuextCmd.NEW_BASEPTR: {
      if (v === null) throw new XenError(Errno.EINVAL, 'no vCPU');
      if (!frames.getPageAndType(arg1, owner.id, PageType.L2)) {
        throw new XenError(Errno.EINVAL, `0x${arg1.toString(16)} cannot be a root table`);
      }
      const old = v.baseMfn;
      v.baseMfn = arg1;
      if (hart !== null) {
        hart.csrWrite(Csr.SATP, SATP_MODE_SV32 | arg1);
        hart.charge(XEN_COST.TLB_FLUSH);
      }
      if (old >= 0) frames.putPageAndType(old);
      return;
    }
    case MmuextCmd.TLB_FLUSH_LOCAL:
      if (hart !== null) { hart.flushTlbs(); hart.charge(XEN_COST.TLB_FLUSH); }
      return;
    case MmuextCmd.INVLPG_LOCAL:
      if (hart !== null) invlpg(hart, arg1);
      return;
    case MmuextCmd.TLB_FLUSH_MULTI: case MmuextCmd.TLB_FLUSH_ALL:
      hv.flushAllTlbs();
      return;
    case MmuextCmd.INVLPG_MULTI: case MmuextCmd.INVLPG_ALL:
      for (const h of hv.machine.harts) invlpg(h, arg1);
      return;
    case MmuextCmd.FLUSH_CACHE:
      return;
    case MmuextCmd.CLEAR_PAGE:
      if (!frames.getPageAndType(arg1, owner.id, PageType.WRITABLE)) throw new XenError(Errno.EINVAL, 'cannot clear');
      hv.mem.zeroFrame(arg1);
      frames.putPageAndType(arg1);
      return;
    case MmuextCmd.COPY_PAGE: {
      if (!frames.getPage(arg2, owner.id)) throw new XenError(Errno.EINVAL, 'bad source frame');
      if (!frames.getPageAndType(arg1, owner.id, PageType.WRITABLE)) {
        frames.putPage(arg2);
        throw new XenError(Errno.EINVAL, 'bad destination frame');
      }
      hv.mem.copyFrame(arg1, arg2);
      frames.putPageAndType(arg1);
      frames.putPage(arg2);
      return;
    }
    default:
      throw new XenError(Errno.ENOSYS, `mmuext_op ${cmd}`);
  }
}

function invlpg(hart: Hart, va: number): void {
  hart.tlbs[Mode.S]!.flushPage(va | 0);
  hart.tlbs[Mode.U]!.flushPage(va | 0);
}

/** update_va_mapping(va, pte_lo, pte_hi, flags): one entry of the current address space. */
export function updateVaMapping(c: Call, a: readonly number[]): number {
  const va = a[0]! >>> 0, lo = a[1]! | 0, hi = a[2]! >>> 0, flags = a[3]! >>> 0;
  if (hi !== 0) throw new XenError(Errno.EINVAL, 'Sv32 entries are 32 bits');
  if (va >= HYPERVISOR_VIRT_START) throw new XenError(Errno.EINVAL, 'address in the hypervisor window');
  if (c.vcpu.baseMfn < 0) throw new XenError(Errno.EINVAL, 'no page tables');
  const e = c.hv.mmu.l1EntryFor(c.vcpu.baseMfn, va);
  if (e === null) throw new XenError(Errno.EINVAL, `no leaf table maps 0x${va.toString(16)}`);
  const before = c.hv.mmu.validatedEntries;
  c.hv.mmu.updateEntry(e.mfn * 4096 + e.off, lo, c.dom.id, false);
  c.hart.charge((c.hv.mmu.validatedEntries - before) * XEN_COST.VALIDATE_ENTRY);
  const all = (flags & UVMF_ALL) !== 0 || (flags & ~7) !== 0;
  switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
      if (all) c.hv.flushAllTlbs(); else c.hart.flushTlbs();
      c.hart.charge(XEN_COST.TLB_FLUSH);
      break;
    case UVMF_INVLPG:
      if (all) for (const h of c.hv.machine.harts) invlpg(h, va);
      else invlpg(c.hart, va);
      break;
    default: break;
  }
  return 0;
}

export function vmAssist(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, type = a[1]! >>> 0;
  if (type !== VMASST_TYPE_writable_pagetables) throw new XenError(Errno.EINVAL, `vm_assist type ${type}`);
  if (cmd === VMASST_CMD_enable) c.dom.vmAssist |= 1 << type;
  else if (cmd === VMASST_CMD_disable) c.dom.vmAssist &= ~(1 << type);
  else throw new XenError(Errno.EINVAL, `vm_assist cmd ${cmd}`);
  return 0;
}
