/*
 * The scheduler interface (Xen's `struct scheduler`, sched/private.h): a policy decides
 * which runnable vCPU a hart runs next and for how long. One file per policy, registered
 * in `SCHEDULERS` and chosen at boot (`HypervisorOptions.scheduler`, `tsxen create
 * --sched`); per-domain parameters change at run time through `Control.schedSetParams`
 * (DOMCTL_scheduler_op) and `tsxen sched-credit|sched-bvt|sched-rr`.
 *
 * The contract between the hypervisor and a policy:
 *
 *   - `pick(hart, now, current)` is called on every exit where a decision is due (the
 *     slice the last decision granted is over, the running vCPU blocked or was paused, a
 *     wake-up asked for preemption). The policy charges whatever ran on `hart` since its
 *     last decision there (it remembers what it chose and when, so a vCPU that blocked
 *     is still charged), puts `current` back on a run queue if it is still runnable, and
 *     returns the next vCPU and the cycles it may run before the next decision. It may
 *     return a vCPU whose `processor` is another hart (load balancing): it then sets
 *     `processor` to `hart` itself — only vCPUs that sit in a run queue, never one live on
 *     a hart, may be moved.
 *   - `wake(v, now)`: v became runnable and is not live on a hart. The policy queues it
 *     (possibly on another hart it is allowed on) and returns the hart that should
 *     reconsider at once (an idle hart, or one running something v preempts), or -1.
 *   - `sleep(v)`: v is no longer runnable (blocked, paused, down); drop it from the
 *     queues. If it is live on a hart, the hypervisor kicks that hart.
 *   - A vCPU runs only on harts in its `affinity` mask; no policy may starve a runnable
 *     vCPU forever (each test in tests/sched-policies.test.ts checks that).
 *
 * All times are virtual cycles (the machine's clock), so decisions are reproducible.
 * The hypervisor charges each decision `XEN_COST.SCHEDULE` cycles (costs.ts).
 */

import type { Domain, Vcpu } from '../domain.js';
import { Errno, XenError } from '../abi/xen.js';

export interface Decision {
  vcpu: Vcpu | null;
  /** Cycles the vCPU may run before the hypervisor reconsiders (Infinity when idle). */
  slice: number;
}

/** A policy's parameters, by name (per domain, or global): numbers only. */
export type SchedParams = Record<string, number>;

export type SchedulerName = 'credit' | 'bvt' | 'rr';

export interface SchedulerEnv {
  /** Number of harts (physical CPUs). */
  harts: number;
  /** Virtual cycles per second. */
  cpuHz: number;
  /** The time slice in ms (round-robin's slice, Credit's tslice), or undefined for the policy's default. */
  sliceMs?: number;
}

export interface SchedulerPolicy {
  readonly name: SchedulerName;
  /** A vCPU joins the scheduler (created); it is not runnable yet. */
  add(v: Vcpu): void;
  /** The vCPU leaves for good (domain destroyed). */
  remove(v: Vcpu): void;
  /** The vCPU became runnable; returns the hart to kick, or -1. */
  wake(v: Vcpu, now: number): number;
  /** The vCPU stopped being runnable (blocked, paused, down). */
  sleep(v: Vcpu): void;
  /** Chooses what hart `hart` runs next; `current` is what it ran if still runnable. */
  pick(hart: number, now: number, current: Vcpu | null): Decision;
  /** A domain's parameters (defaults until set). */
  getParams(d: Domain): SchedParams;
  /** Changes some of a domain's parameters; throws XenError(EINVAL) on a bad value, changing nothing. */
  setParams(d: Domain, p: SchedParams): void;
  /** Global parameters (e.g. slice), and changing them. */
  getGlobal(): SchedParams;
  setGlobal(p: SchedParams): void;
  /** Runnable vCPUs queued on `hart`, not counting the one running (statistics and tests). */
  queueLength(hart: number): number;
}

/** Checks a parameter update against the names and ranges a policy accepts. */
export function checkParams(policy: string, p: SchedParams,
  ranges: Record<string, readonly [min: number, max: number]>): void {
  for (const [k, value] of Object.entries(p)) {
    const r = ranges[k];
    if (r === undefined) throw new XenError(Errno.EINVAL, `${policy}: no parameter '${k}'`);
    if (!Number.isFinite(value) || !Number.isInteger(value) || value < r[0] || value > r[1]) {
      throw new XenError(Errno.EINVAL, `${policy}: ${k} must be an integer in ${r[0]}..${r[1]}, got ${value}`);
    }
  }
}

/** Whether v may run on hart h. */
export function allowedOn(v: Vcpu, h: number): boolean {
  return ((v.affinity >>> h) & 1) === 1;
}

/** The lowest-numbered hart v may run on (its home when its current one is not allowed). */
export function firstAllowed(v: Vcpu, harts: number): number {
  for (let h = 0; h < harts; h++) if (allowedOn(v, h)) return h;
  return v.processor;
}

/**
 * The hart a waking vCPU queues on: its own if it may run there (else its first allowed
 * one) — unless that hart has work (`busy`) and an idle hart the vCPU may use exists.
 */
export function wakeHart(v: Vcpu, harts: number, busy: (h: number) => boolean): number {
  const h = allowedOn(v, v.processor) ? v.processor : firstAllowed(v, harts);
  if (busy(h)) for (let i = 0; i < harts; i++) if (allowedOn(v, i) && !busy(i)) return i;
  return h;
}

/**
 * What each hart runs according to the policy's last decision, and since when: `pick`
 * settles the stint (the cycles to charge) before deciding again, whether or not the
 * vCPU is still runnable.
 */
export class HartLedger {
  readonly running: (Vcpu | null)[];
  readonly since: number[];

  constructor(harts: number) {
    this.running = new Array<Vcpu | null>(harts).fill(null);
    this.since = new Array<number>(harts).fill(0);
  }

  /** Ends hart h's stint at `now`: what ran and for how many cycles. */
  settle(h: number, now: number): { v: Vcpu | null; ran: number } {
    const v = this.running[h] ?? null;
    const ran = v === null ? 0 : Math.max(0, now - this.since[h]!);
    this.running[h] = null;
    this.since[h] = now;
    return { v, ran };
  }

  start(h: number, v: Vcpu | null, now: number): void {
    this.running[h] = v;
    this.since[h] = now;
  }

  /** The hart v is running on per the last decisions, or -1. */
  hartOf(v: Vcpu): number {
    return this.running.indexOf(v);
  }

  /** Forgets v wherever it runs (it left the scheduler). */
  forget(v: Vcpu): void {
    const h = this.running.indexOf(v);
    if (h >= 0) this.running[h] = null;
  }
}

/** Cycles in `ms` milliseconds at `cpuHz`. */
export function msToCycles(ms: number, cpuHz: number): number {
  return Math.round(ms * cpuHz / 1000);
}

/** A hart mask as xl prints a cpu list: "all", "1", "0-1,3". */
export function formatCpuMask(mask: number, harts: number): string {
  const all = 2 ** harts - 1;
  if ((mask & all) === all) return 'all';
  const parts: string[] = [];
  for (let c = 0; c < harts; c++) {
    if (((mask >>> c) & 1) === 0) continue;
    let e = c;
    while (e + 1 < harts && ((mask >>> (e + 1)) & 1) === 1) e++;
    parts.push(e === c ? `${c}` : `${c}-${e}`);
    c = e;
  }
  return parts.join(',');
}
