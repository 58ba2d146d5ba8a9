/*
 * Hypercall dispatch: a7 selects the handler by Xen's __HYPERVISOR_* number; a0–a5 are
 * the arguments; the result (or -errno) goes back in a0. A handler reports failure by
 * throwing XenError, and must not have changed anything when it does.
 */

import type { Hart } from '../../machine/rv32/hart.js';
import type { Hypervisor } from '../hypervisor.js';
import type { Vcpu } from '../domain.js';
import { Errno, Hypercall, XenError } from '../abi/xen.js';
import { XEN_COST } from '../costs.js';
import { Call, type Handler } from './call.js';
import { mmuUpdate, mmuextOp, updateVaMapping, vmAssist } from './mmu.js';
import { memoryOp } from './memory.js';
import { eventChannelOp } from './events.js';
import { schedOp, setTimerOp, vcpuOp } from './sched.js';
import { consoleIo, xenVersion } from './misc.js';
import { domctl, sysctl } from './control.js';
import { grantTableOp } from './grant.js';
import { MULTICALL_ENTRY } from '../abi/layout.js';

const HANDLERS = new Map<number, Handler>([
  [Hypercall.mmu_update, mmuUpdate],
  [Hypercall.mmuext_op, mmuextOp],
  [Hypercall.update_va_mapping, updateVaMapping],
  [Hypercall.vm_assist, vmAssist],
  [Hypercall.memory_op, memoryOp],
  [Hypercall.event_channel_op, eventChannelOp],
  [Hypercall.sched_op, schedOp],
  [Hypercall.set_timer_op, setTimerOp],
  [Hypercall.vcpu_op, vcpuOp],
  [Hypercall.xen_version, xenVersion],
  [Hypercall.console_io, consoleIo],
  [Hypercall.multicall, multicall],
  [Hypercall.domctl, domctl],
  [Hypercall.sysctl, sysctl],
  [Hypercall.grant_table_op, grantTableOp],
]);

/** Entries one multicall may carry (Xen has no fixed bound; this keeps one call short). */
export const MAX_MULTICALL_ENTRIES = 1024;

export function dispatchHypercall(hv: Hypervisor, hart: Hart, v: Vcpu): number {
  const x = hart.x;
  const call = new Call(hv, hart, v);
  return invoke(call, x[17]! >>> 0, [x[10]!, x[11]!, x[12]!, x[13]!, x[14]!, x[15]!]);
}

function invoke(c: Call, nr: number, args: readonly number[]): number {
  c.hart.charge(XEN_COST.HYPERCALL);
  const handler = HANDLERS.get(nr);
  if (handler === undefined) return -Errno.ENOSYS;
  try {
    return handler(c, args) | 0;
  } catch (e) {
    if (e instanceof XenError) return -e.errno;
    throw e;
  }
}

/** multicall(list, nr): each entry {op u64, result u64, args[6] u64}; registers are the low words. */
function multicall(c: Call, a: readonly number[]): number {
  if (c.inMulticall) throw new XenError(Errno.EINVAL, 'nested multicall');
  const list = a[0]! >>> 0, nr = a[1]! >>> 0;
  if (nr > MAX_MULTICALL_ENTRIES) throw new XenError(Errno.EINVAL, `multicall of ${nr} entries`);
  c.mem.checkWritable(list, nr * MULTICALL_ENTRY.SIZE);
  c.inMulticall = true;
  try {
    for (let i = 0; i < nr; i++) {
      const e = list + i * MULTICALL_ENTRY.SIZE;
      const op = c.mem.u32(e + MULTICALL_ENTRY.op);
      const args: number[] = [];
      for (let k = 0; k < 6; k++) args.push(c.mem.u32(e + MULTICALL_ENTRY.args + 8 * k) | 0);
      c.hart.charge(XEN_COST.BATCH_ITEM);
      const r = op === Hypercall.multicall ? -Errno.EINVAL : invoke(c, op, args);
      c.mem.setU32(e + MULTICALL_ENTRY.result, r);
      c.mem.setU32(e + MULTICALL_ENTRY.result + 4, r < 0 ? 0xffffffff : 0);
    }
  } finally {
    c.inMulticall = false;
  }
  return 0;
}
