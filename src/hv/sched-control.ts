/*
 * Domain 0's scheduling operations — Xen's DOMCTL_scheduler_op (per-domain parameters),
 * XEN_SYSCTL_scheduler_op (global ones), DOMCTL_setvcpuaffinity (vcpu-pin) and the
 * vCPU availability the toolstack changes for `xl vcpu-set`. Like `Control`, every
 * method checks that its caller is privileged (a guest gets EPERM).
 */

import { checkPrivileged, privilegedTarget } from './privilege.js';
import type { Hypervisor } from './hypervisor.js';
import { Domain, VcpuState, type Vcpu } from './domain.js';
import { Errno, XenError } from './abi/xen.js';
import type { SchedParams, SchedulerName } from './sched/scheduler.js';

export interface SchedVcpuInfo {
  domid: number;
  name: string;
  vcpu: number;
  /** The hart it runs or is queued on. */
  cpu: number;
  /** xl's letters: r running, b blocked, p paused, - offline; "-b-" style in xl is 3 letters. */
  state: string;
  cpuTimeNs: number;
  /** Affinity as a hart mask. */
  affinity: number;
  /** ns running, runnable (waiting for a hart), blocked, offline (Xen's runstate). */
  runstateNs: [number, number, number, number];
}

export class SchedControl {
  constructor(private readonly hv: Hypervisor, private readonly caller: Domain) {}

  private checkPrivileged(): void {
    checkPrivileged(this.caller);
  }

  private domain(domid: number): Domain {
    return privilegedTarget(this.hv, this.caller, domid, false);
  }

  private vcpu(domid: number, id: number): Vcpu {
    const v = this.domain(domid).vcpus[id];
    if (v === undefined) throw new XenError(Errno.ENOENT, `domain ${domid} has no vcpu ${id}`);
    return v;
  }

  /** The policy chosen at boot and its global parameters. */
  scheduler(): { name: SchedulerName; params: SchedParams } {
    this.checkPrivileged();
    return { name: this.hv.sched.name, params: this.hv.sched.getGlobal() };
  }

  /** DOMCTL_scheduler_op getinfo: a domain's parameters under the running policy. */
  getParams(domid: number, policy?: SchedulerName): SchedParams {
    const d = this.domain(domid);
    this.checkPolicy(policy);
    return this.hv.sched.getParams(d);
  }

  /** DOMCTL_scheduler_op putinfo: changes some parameters; a bad value changes nothing. */
  setParams(domid: number, params: SchedParams, policy?: SchedulerName): void {
    const d = this.domain(domid);
    this.checkPolicy(policy);
    this.hv.sched.setParams(d, params);
    this.hv.log.write(`d${d.id}: ${this.hv.sched.name} parameters ${JSON.stringify(this.hv.sched.getParams(d))}`);
  }

  /** XEN_SYSCTL_scheduler_op: global parameters (slice, context-switch allowance). */
  setGlobal(params: SchedParams, policy?: SchedulerName): void {
    this.checkPrivileged();
    this.checkPolicy(policy);
    this.hv.sched.setGlobal(params);
  }

  private checkPolicy(policy: SchedulerName | undefined): void {
    if (policy !== undefined && policy !== this.hv.sched.name) {
      throw new XenError(Errno.EINVAL, `the scheduler is ${this.hv.sched.name}, not ${policy}`);
    }
  }

  /**
   * DOMCTL_setvcpuaffinity: vCPU `id` may run only on the harts in `mask`. A vCPU on a
   * hart it may no longer use moves at its next scheduling decision.
   */
  pin(domid: number, id: number, mask: number): void {
    const v = this.vcpu(domid, id);
    const all = (2 ** this.hv.machine.harts.length) - 1;
    if (!Number.isInteger(mask) || (mask & all) === 0 || (mask & ~all) !== 0) {
      throw new XenError(Errno.EINVAL, `cpu mask 0x${mask.toString(16)} names no hart of 0..${this.hv.machine.harts.length - 1} or names one that does not exist`);
    }
    v.affinity = mask;
    if (((mask >>> v.processor) & 1) === 1) return;
    if (this.hv.current[v.processor] === v) {
      this.hv.kickHart(v.processor);
    } else if (v.runnable) {
      this.hv.sched.sleep(v);
      this.hv.wake(v);
    } else {
      // Blocked or offline: it is placed when it next wakes. Its timers follow it now:
      // the new hart must program its comparator for them.
      v.processor = Math.log2(mask & -mask);
      this.hv.kickHart(v.processor);
    }
  }

  /**
   * `xl vcpu-set`: the domain may use vCPUs 0..n-1. Those above go down at once (as
   * VCPUOP_down would); those below that were brought up before and are offline come up.
   * Xen asks the guest through xenstore; without a guest agent the hypervisor does it.
   */
  setOnline(domid: number, n: number): void {
    const d = this.domain(domid);
    if (!Number.isInteger(n) || n < 1 || n > d.vcpus.length) {
      throw new XenError(Errno.EINVAL, `vcpus must be 1..${d.vcpus.length} (maxvcpus), got ${n}`);
    }
    for (const v of d.vcpus) {
      if (v.id >= n && v.state !== VcpuState.OFFLINE) {
        v.state = VcpuState.OFFLINE;
        this.hv.deschedule(v);
      } else if (v.id < n && v.state === VcpuState.OFFLINE && v.initialised) {
        v.state = VcpuState.RUNNABLE;
        this.hv.wake(v);
      }
    }
  }

  /** `xl vcpu-list`: every vCPU (of one domain, or all) with where it runs and its CPU time. */
  vcpuList(domid?: number): SchedVcpuInfo[] {
    this.checkPrivileged();
    const out: SchedVcpuInfo[] = [];
    const nsPerCycle = 1e9 / this.hv.machine.cpuHz;
    for (const d of [...this.hv.domains.values()].sort((a, b) => a.id - b.id)) {
      if (domid !== undefined && d.id !== domid) continue;
      for (const v of d.vcpus) {
        const live = this.hv.current[v.processor] === v;
        const state = v.state === VcpuState.OFFLINE ? '-' : live ? 'r' : v.state === VcpuState.BLOCKED ? 'b' :
          d.pauseCount > 0 ? 'p' : '-';
        out.push({
          domid: d.id, name: d.name, vcpu: v.id, cpu: v.processor, state,
          cpuTimeNs: this.hv.cpuCycles(v) * nsPerCycle, affinity: v.affinity & ((2 ** this.hv.machine.harts.length) - 1),
          runstateNs: this.hv.runstate.totals(v, live, this.hv.machine.now * nsPerCycle),
        });
      }
    }
    return out;
  }
}
