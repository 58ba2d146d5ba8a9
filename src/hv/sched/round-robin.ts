/*
 * Round-robin: one FIFO run queue per hart, a fixed slice (global parameter `sliceMs`,
 * default 10 ms), and the preempted vCPU goes to the back. The simplest policy that keeps
 * any guest from holding a hart: the hypervisor's timer ends every slice whatever the
 * guest does with its own interrupts. A woken vCPU waits its turn (no preemption), so
 * its dispatch latency grows with the number of runnable vCPUs; an idle hart takes work
 * from the longest queue it may run.
 *
 * Invariants: a queued vCPU is runnable and sits in exactly the queue of its `processor`;
 * the vCPU a hart runs is in no queue.
 */

import type { Domain, Vcpu } from '../domain.js';
import {
  allowedOn, checkParams, firstAllowed, HartLedger, msToCycles,
  type Decision, type SchedParams, type SchedulerEnv, type SchedulerPolicy,
} from './scheduler.js';

interface RrVcpu { queued: boolean }

function st(v: Vcpu): RrVcpu {
  if (v.sched === null) v.sched = { queued: false } satisfies RrVcpu;
  return v.sched as RrVcpu;
}

export class RoundRobin implements SchedulerPolicy {
  readonly name = 'rr' as const;
  private readonly queues: Vcpu[][];
  private readonly ledger: HartLedger;
  private sliceMs: number;
  private sliceCycles: number;

  constructor(private readonly env: SchedulerEnv) {
    this.queues = Array.from({ length: env.harts }, () => []);
    this.ledger = new HartLedger(env.harts);
    this.sliceMs = env.sliceMs ?? 10;
    this.sliceCycles = msToCycles(this.sliceMs, env.cpuHz);
  }

  add(v: Vcpu): void {
    v.sched = { queued: false } satisfies RrVcpu;
  }

  remove(v: Vcpu): void {
    this.sleep(v);
    this.ledger.forget(v);
  }

  wake(v: Vcpu, _now: number): number {
    const s = st(v);
    if (s.queued || this.ledger.hartOf(v) >= 0) return -1;
    let h = allowedOn(v, v.processor) ? v.processor : firstAllowed(v, this.env.harts);
    if (this.ledger.running[h] !== null || this.queues[h]!.length > 0) {
      // Prefer an idle hart the vCPU may use (Xen's runq_tickle of an idle CPU).
      for (let i = 0; i < this.env.harts; i++) {
        if (allowedOn(v, i) && this.ledger.running[i] === null && this.queues[i]!.length === 0) { h = i; break; }
      }
    }
    v.processor = h;
    this.queues[h]!.push(v);
    s.queued = true;
    return this.ledger.running[h] === null ? h : -1;
  }

  sleep(v: Vcpu): void {
    const s = st(v);
    if (!s.queued) return;
    const q = this.queues[v.processor]!;
    const i = q.indexOf(v);
    if (i >= 0) q.splice(i, 1);
    s.queued = false;
  }

  pick(hart: number, now: number, current: Vcpu | null): Decision {
    this.ledger.settle(hart, now);
    const q = this.queues[hart]!;
    if (current !== null && current.runnable && allowedOn(current, hart) && current.processor === hart && !st(current).queued) {
      q.push(current);
      st(current).queued = true;
    }
    let v = this.takeRunnable(q);
    if (v === null) v = this.steal(hart);
    this.ledger.start(hart, v, now);
    return v === null ? { vcpu: null, slice: Infinity } : { vcpu: v, slice: this.sliceCycles };
  }

  private takeRunnable(q: Vcpu[]): Vcpu | null {
    while (q.length > 0) {
      const v = q.shift()!;
      st(v).queued = false;
      if (v.runnable) return v;
    }
    return null;
  }

  /** An idle hart takes the vCPU waiting longest in the longest queue it may serve. */
  private steal(hart: number): Vcpu | null {
    let best = -1;
    for (let h = 0; h < this.env.harts; h++) {
      if (h === hart) continue;
      const q = this.queues[h]!;
      if (q.some((v) => allowedOn(v, hart)) && (best < 0 || q.length > this.queues[best]!.length)) best = h;
    }
    if (best < 0) return null;
    const q = this.queues[best]!;
    const i = q.findIndex((v) => allowedOn(v, hart));
    const v = q.splice(i, 1)[0]!;
    st(v).queued = false;
    v.processor = hart;
    return v.runnable ? v : null;
  }

  getParams(_d: Domain): SchedParams {
    return {};
  }

  setParams(_d: Domain, p: SchedParams): void {
    checkParams('rr', p, {});
  }

  getGlobal(): SchedParams {
    return { sliceMs: this.sliceMs };
  }

  setGlobal(p: SchedParams): void {
    checkParams('rr', p, { sliceMs: [1, 1000] });
    if (p['sliceMs'] !== undefined) {
      this.sliceMs = p['sliceMs'];
      this.sliceCycles = msToCycles(this.sliceMs, this.env.cpuHz);
    }
  }

  queueLength(hart: number): number {
    return this.queues[hart]!.length;
  }
}
