/*
 * The scheduler interface: a policy decides which runnable vCPU a hart runs next and
 * for how long. The hypervisor calls it on every exit back to a guest where a decision
 * is due (slice over, current vCPU blocked, a wake-up). One file per policy.
 */

import type { Vcpu } from '../domain.js';

export interface Decision {
  vcpu: Vcpu | null;
  /** Cycles the vCPU may run before the hypervisor reconsiders (Infinity when idle). */
  slice: number;
}

export interface SchedulerPolicy {
  readonly name: string;
  /** A vCPU joins the scheduler (created); it is not runnable yet. */
  add(v: Vcpu): void;
  remove(v: Vcpu): void;
  /** The vCPU became runnable (unpause, wake-up, up). */
  wake(v: Vcpu): void;
  /** The vCPU stopped being runnable (blocked, paused, down). */
  sleep(v: Vcpu): void;
  /**
   * Chooses what hart `hart` runs next. `current` is what it ran until now (still
   * runnable or not); `ran` is how many cycles it ran in this stint.
   */
  pick(hart: number, now: number, current: Vcpu | null): Decision;
}
