/*
 * Round-robin: one FIFO run queue per hart, a fixed slice (global parameter `sliceMs`,
 * default 10 ms), and the preempted vCPU goes to the back. The simplest policy that keeps
 * any guest from holding a hart: the hypervisor's timer ends every slice whatever the
 * guest does with its own interrupts. A woken vCPU waits its turn (no preemption), so
 * its dispatch latency grows with the number of runnable vCPUs. A hart takes the vCPU
 * that has waited longest in any queue it may serve, so the
 * queues behave as one FIFO and vCPUs move between harts to take turns.
 *
 * Invariants: a queued vCPU is runnable and sits in exactly the queue of its `processor`;
 * the vCPU a hart runs is in no queue.
 */

import type { Domain, Vcpu } from '../domain.js';
import {
  allowedOn, checkParams, HartLedger, msToCycles, wakeHart,
  type Decision, type SchedParams, type SchedulerEnv, type SchedulerPolicy,
} from './scheduler.js';

interface RrVcpu {
  queued: boolean;
  /** Its place in the one FIFO order across harts (a counter, so no ties). */
  since: number;
}

function st(v: Vcpu): RrVcpu {
  if (v.sched === null) v.sched = { queued: false, since: 0 } satisfies RrVcpu;
  return v.sched as RrVcpu;
}

export class RoundRobin implements SchedulerPolicy {
  readonly name = 'rr' as const;
  private readonly queues: Vcpu[][];
  private readonly ledger: HartLedger;
  private sliceMs: number;
  private sliceCycles: number;
  /** Enqueue counter: the FIFO order across harts. */
  private seq = 0;

  constructor(private readonly env: SchedulerEnv) {
    this.queues = Array.from({ length: env.harts }, () => []);
    this.ledger = new HartLedger(env.harts);
    this.sliceMs = env.sliceMs ?? 10;
    this.sliceCycles = msToCycles(this.sliceMs, env.cpuHz);
  }

  add(v: Vcpu): void {
    v.sched = { queued: false, since: 0 } satisfies RrVcpu;
  }

  remove(v: Vcpu): void {
    this.sleep(v);
    this.ledger.forget(v);
  }

  wake(v: Vcpu, _now: number): number {
    const s = st(v);
    s.since = this.seq++;
    if (s.queued || this.ledger.hartOf(v) >= 0) return -1;
    // Prefer an idle hart the vCPU may use.
    const h = wakeHart(v, this.env.harts, (i) => this.ledger.running[i] !== null || this.queues[i]!.length > 0);
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
      st(current).since = this.seq++;
    }
    const v = this.longestWaiting(hart);
    this.ledger.start(hart, v, now);
    return v === null ? { vcpu: null, slice: Infinity } : { vcpu: v, slice: this.sliceCycles };
  }

  /**
   * The vCPU that has waited longest among this hart's queue and the others' (those it
   * may run here): one FIFO order across per-hart queues, so vCPUs that do not divide
   * evenly among harts still take turns (3 on 2 harts: 2/3 of a hart each).
   */
  private longestWaiting(hart: number): Vcpu | null {
    let best: Vcpu | null = null, from = -1;
    for (let k = 0; k < this.env.harts; k++) {
      const h = (hart + k) % this.env.harts;
      const x = this.queues[h]!.find((y) => y.runnable && allowedOn(y, hart));
      if (x !== undefined && (best === null || st(x).since < st(best).since)) { best = x; from = h; }
    }
    if (best === null) return null;
    const q = this.queues[from]!;
    q.splice(q.indexOf(best), 1);
    st(best).queued = false;
    best.processor = hart;
    return best;
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
