/*
 * Round-robin: one FIFO run queue per hart, a fixed slice, and the preempted vCPU goes
 * to the back. The simplest policy that keeps any guest from holding a hart: the
 * hypervisor's timer ends every slice whatever the guest does with its own interrupts.
 */

import type { Vcpu } from '../domain.js';
import type { Decision, SchedulerPolicy } from './scheduler.js';

export class RoundRobin implements SchedulerPolicy {
  readonly name = 'rr';
  private readonly queues: Vcpu[][];

  constructor(harts: number, private readonly sliceCycles: number) {
    this.queues = Array.from({ length: harts }, () => []);
  }

  add(_v: Vcpu): void {}

  remove(v: Vcpu): void {
    this.sleep(v);
  }

  wake(v: Vcpu): void {
    const q = this.queues[v.processor]!;
    if (!q.includes(v)) q.push(v);
  }

  sleep(v: Vcpu): void {
    for (const q of this.queues) {
      const i = q.indexOf(v);
      if (i >= 0) q.splice(i, 1);
    }
  }

  pick(hart: number, _now: number, current: Vcpu | null): Decision {
    const q = this.queues[hart]!;
    // The current vCPU, if still runnable, goes behind everything waiting.
    if (current !== null && current.runnable && current.processor === hart) {
      const i = q.indexOf(current);
      if (i >= 0) q.splice(i, 1);
      q.push(current);
    }
    while (q.length > 0) {
      const v = q[0]!;
      if (v.runnable && v.processor === hart) return { vcpu: v, slice: this.sliceCycles };
      q.shift(); // stale entry
    }
    return { vcpu: null, slice: Infinity };
  }

  /** Runnable vCPUs waiting on `hart` (for statistics and tests). */
  queueLength(hart: number): number {
    return this.queues[hart]!.length;
  }
}
