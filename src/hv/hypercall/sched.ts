/*
 * sched_op, set_timer_op and vcpu_op (fact sheet §7.1–7.3): yielding, blocking until an
 * event, polling ports, shutting down; one-shot and periodic timers that raise VIRQ_TIMER;
 * bringing vCPUs up and down.
 */

import type { Call } from './call.js';
import type { Vcpu } from '../domain.js';
import { VcpuState } from '../domain.js';
import {
  Errno, SCHED_POLL_MAX_PORTS, SchedOp, ShutdownReason, VcpuOp, Virq, XenError,
} from '../abi/xen.js';
import { SCHED_POLL, VCPU_SET_PERIODIC_TIMER, VCPU_SET_SINGLESHOT_TIMER } from '../abi/layout.js';
import type { Hypervisor } from '../hypervisor.js';
import { readGuestContext } from '../vcpu-context.js';

export function schedOp(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, arg = a[1]! >>> 0;
  const hv = c.hv, v = c.vcpu;
  switch (cmd) {
    case SchedOp.yield:
      hv.kickHart(c.hart.id);
      return 0;
    case SchedOp.block: {
      // Xen clears evtchn_upcall_mask atomically with blocking, then re-checks for events.
      const si = c.dom.sharedInfoMfn;
      hv.sharedInfo.setUpcallMask(si, v.id, false);
      if (hv.sharedInfo.upcallPending(si, v.id)) return 0;
      hv.block(v);
      return 0;
    }
    case SchedOp.shutdown: {
      const reason = c.mem.u32(arg);
      if (reason > ShutdownReason.soft_reset) throw new XenError(Errno.EINVAL, `shutdown reason ${reason}`);
      hv.shutdownDomain(c.dom, reason);
      return 0;
    }
    case SchedOp.shutdown_code: {
      const reason = c.mem.u32(arg);
      if (reason > ShutdownReason.soft_reset) throw new XenError(Errno.EINVAL, `shutdown reason ${reason}`);
      c.dom.latchedShutdownCode = reason;
      return 0;
    }
    case SchedOp.remote_shutdown: {
      const d = c.target(c.mem.u16(arg));
      if (!c.dom.privileged) throw new XenError(Errno.EPERM, 'remote_shutdown is privileged');
      const reason = c.mem.u32(arg + 4);
      if (reason > ShutdownReason.soft_reset) throw new XenError(Errno.EINVAL, `shutdown reason ${reason}`);
      hv.shutdownDomain(d, reason);
      return 0;
    }
    case SchedOp.poll: {
      const portsPtr = c.mem.u32(arg + SCHED_POLL.ports);
      const nr = c.mem.u32(arg + SCHED_POLL.nr_ports);
      const timeout = c.mem.u64(arg + SCHED_POLL.timeout);
      if (nr > SCHED_POLL_MAX_PORTS) throw new XenError(Errno.EINVAL, `${nr} ports`);
      const ports: number[] = [];
      for (let i = 0; i < nr; i++) {
        const p = c.mem.u32(portsPtr + 4 * i);
        c.dom.evtchn.port(p); // must be a bound port of the caller
        ports.push(p);
      }
      if (ports.some((p) => hv.isPending(c.dom, p))) return 0;
      if (hv.upcallDeliverable(v)) return 0;
      if (timeout !== 0 && timeout <= hv.systemTimeNs(c.hart)) return 0;
      v.pollPorts = ports;
      v.pollDeadline = timeout === 0 ? Infinity : timeout;
      hv.block(v);
      return 0;
    }
    default:
      throw new XenError(Errno.ENOSYS, `sched_op ${cmd}`);
  }
}

/** Arms v's one-shot timer at absolute system time `ns` (0 cancels; the past fires now). */
export function setSingleshot(hv: Hypervisor, v: Vcpu, ns: number, nowNs: number): void {
  if (ns === 0) { v.timerDeadline = Infinity; return; }
  if (ns <= nowNs) {
    v.timerDeadline = Infinity;
    v.domain.evtchn.raiseVirq(Virq.TIMER, v.id);
    return;
  }
  v.timerDeadline = ns;
}

/** set_timer_op(lo, hi): a 64-bit absolute timeout in two registers. */
export function setTimerOp(c: Call, a: readonly number[]): number {
  const ns = (a[1]! >>> 0) * 0x100000000 + (a[0]! >>> 0);
  setSingleshot(c.hv, c.vcpu, ns, c.hv.systemTimeNs(c.hart));
  return 0;
}

/** Shortest periodic timer period Xen accepts: 1 ms. */
const MIN_PERIOD_NS = 1_000_000;

export function vcpuOp(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, id = a[1]! >>> 0, arg = a[2]! >>> 0;
  const v = c.dom.vcpus[id];
  if (v === undefined) throw new XenError(Errno.ENOENT, `no vcpu ${id}`);
  const hv = c.hv;
  switch (cmd) {
    case VcpuOp.is_up:
      return v.isUp ? 1 : 0;
    case VcpuOp.initialise: {
      if (v.initialised) throw new XenError(Errno.EEXIST, `vcpu ${id} already initialised`);
      const ctx = readGuestContext(c.mem, arg);
      hv.installContext(v, ctx, c.dom);
      return 0;
    }
    case VcpuOp.up:
      if (!v.initialised) throw new XenError(Errno.EINVAL, `vcpu ${id} was never initialised`);
      if (v.state === VcpuState.OFFLINE) { v.state = VcpuState.RUNNABLE; hv.wake(v); }
      return 0;
    case VcpuOp.down:
      if (v.state !== VcpuState.OFFLINE) {
        v.state = VcpuState.OFFLINE;
        hv.deschedule(v);
        if (c.dom.vcpus.every((x) => x.state === VcpuState.OFFLINE)) hv.shutdownDomain(c.dom, ShutdownReason.poweroff);
      }
      return 0;
    case VcpuOp.get_runstate_info: {
      // struct vcpu_runstate_info: state (u32) at 0, state_entry_time at 8, time[4] at 16.
      c.mem.checkWritable(arg, 48);
      const r = hv.runstate.note(v, hv.current[v.processor] === v, hv.systemTimeNs(c.hart));
      c.mem.setU32(arg, r.state);
      c.mem.setU32(arg + 4, 0);
      c.mem.setU64(arg + 8, Math.round(r.entryNs));
      for (let i = 0; i < 4; i++) c.mem.setU64(arg + 16 + 8 * i, Math.round(r.time[i]!));
      return 0;
    }
    case VcpuOp.set_periodic_timer: {
      const period = c.mem.u64(arg + VCPU_SET_PERIODIC_TIMER.period_ns);
      if (period < MIN_PERIOD_NS) throw new XenError(Errno.EINVAL, `period ${period} ns`);
      v.periodNs = period;
      v.periodicNext = hv.systemTimeNs(c.hart) + period;
      return 0;
    }
    case VcpuOp.stop_periodic_timer:
      v.periodNs = 0;
      v.periodicNext = Infinity;
      return 0;
    case VcpuOp.set_singleshot_timer:
      if (v !== c.vcpu) throw new XenError(Errno.EINVAL, 'only the calling vCPU');
      setSingleshot(hv, v, c.mem.u64(arg + VCPU_SET_SINGLESHOT_TIMER.timeout_abs_ns), hv.systemTimeNs(c.hart));
      return 0;
    case VcpuOp.stop_singleshot_timer:
      if (v !== c.vcpu) throw new XenError(Errno.EINVAL, 'only the calling vCPU');
      v.timerDeadline = Infinity;
      return 0;
    default:
      throw new XenError(Errno.ENOSYS, `vcpu_op ${cmd}`);
  }
}
