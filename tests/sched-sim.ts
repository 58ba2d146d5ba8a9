/*
 * A scheduler test bench without guests: fake domains and vCPUs driven by a manual
 * clock, calling a policy exactly as Hypervisor.exit/wake/block do. Each vCPU has a
 * behaviour — a hog (always runnable) or a waker (works `burst` cycles, then blocks for
 * `sleep` cycles) — and the simulator records per-vCPU CPU time, the harts each ran on,
 * and for wakers the dispatch latency (wake-up to running).
 */

import { Domain, Vcpu, VcpuState } from '../src/hv/domain.js';
import type { SchedulerName, SchedulerPolicy } from '../src/hv/sched/scheduler.js';
import { SCHEDULERS } from '../src/hv/sched/registry.js';

export const HZ = 100_000_000;
export const MS = HZ / 1000;

export interface Behaviour {
  /** Cycles of work before blocking (Infinity: a hog). */
  burst: number;
  /** Cycles blocked before waking again. */
  sleep: number;
}

export interface SimVcpu {
  v: Vcpu;
  b: Behaviour;
  /** Work left in the current burst. */
  left: number;
  wakeAt: number;
  wokeAt: number;
  ran: number;
  harts: Set<number>;
  latencies: number[];
}

export class SchedSim {
  readonly sched: SchedulerPolicy;
  readonly vcpus: SimVcpu[] = [];
  now = 0;
  private readonly cur: (SimVcpu | null)[];
  private readonly since: number[];
  private readonly decisionEnd: number[];
  private nextDomid = 1;
  /** Cycles the harts spent idle. */
  idle = 0;

  constructor(name: SchedulerName, readonly harts = 1, sliceMs?: number) {
    this.sched = SCHEDULERS[name]({ harts, cpuHz: HZ, sliceMs });
    this.cur = new Array(harts).fill(null);
    this.since = new Array(harts).fill(0);
    // Harts start parked (as Hypervisor.park leaves them): they decide only when kicked.
    this.decisionEnd = new Array(harts).fill(Infinity);
  }

  /** A domain with `n` vCPUs of behaviour `b`; returns it (parameters via sched.setParams). */
  domain(b: Behaviour, n = 1, name = `d${this.nextDomid}`, processor?: number): Domain {
    const d = new Domain(this.nextDomid++, { name, maxVcpus: n }, 0);
    d.pauseCount = 0;
    for (let i = 0; i < n; i++) {
      const v = new Vcpu(d, i, processor ?? (this.vcpus.length) % this.harts);
      d.vcpus.push(v);
      this.sched.add(v);
      v.state = VcpuState.RUNNABLE;
      this.vcpus.push({ v, b, left: b.burst, wakeAt: Infinity, wokeAt: 0, ran: 0, harts: new Set(), latencies: [] });
      this.wake(this.vcpus[this.vcpus.length - 1]!);
    }
    return d;
  }

  sim(v: Vcpu): SimVcpu {
    return this.vcpus.find((s) => s.v === v)!;
  }

  private wake(s: SimVcpu): void {
    s.v.state = VcpuState.RUNNABLE;
    s.wokeAt = this.now;
    s.wakeAt = Infinity;
    s.left = s.b.burst;
    const k = this.sched.wake(s.v, this.now);
    if (k >= 0) this.decisionEnd[k] = this.now;
    else if (this.cur[s.v.processor] === null) this.decisionEnd[s.v.processor] = this.now;
  }

  private settle(h: number): void {
    const s = this.cur[h];
    const dt = this.now - this.since[h]!;
    if (s === null || s === undefined) { this.idle += dt; }
    else {
      s.ran += dt;
      s.v.cpuCycles += dt;
      if (s.left !== Infinity) s.left -= dt;
    }
    this.since[h] = this.now;
  }

  private decide(h: number): void {
    this.settle(h);
    const prev = this.cur[h] ?? null;
    const d = this.sched.pick(h, this.now, prev !== null && prev.v.runnable ? prev.v : null);
    const next = d.vcpu === null ? null : this.sim(d.vcpu);
    if (next !== null) {
      if (next !== prev && next.wokeAt >= 0) { next.latencies.push(this.now - next.wokeAt); next.wokeAt = -1; }
      next.v.state = VcpuState.RUNNING;
      next.harts.add(h);
    }
    if (prev !== null && prev !== next && prev.v.state === VcpuState.RUNNING) prev.v.state = VcpuState.RUNNABLE;
    this.cur[h] = next;
    this.decisionEnd[h] = this.now + d.slice;
    if (prev !== null && prev !== next && prev.v.runnable && ((prev.v.affinity >>> h) & 1) === 0) this.wake(prev);
  }

  /** Changes v's affinity as SchedControl.pin does: a live vCPU moves at its hart's next decision, a queued one now. */
  pin(v: Vcpu, mask: number): void {
    v.affinity = mask;
    const h = this.cur.findIndex((s) => s?.v === v);
    if (h >= 0) this.decisionEnd[h] = this.now;
    else if (v.runnable) { this.sched.sleep(v); this.wake(this.sim(v)); }
  }

  /** Runs the simulation until `until` cycles. */
  run(until: number): void {
    while (this.now < until) {
      // The next event: a decision due, a burst finishing, a sleeper waking.
      let t = until, kind = 0, who = -1;
      for (let h = 0; h < this.harts; h++) {
        if (this.decisionEnd[h]! < t || (this.decisionEnd[h]! === t && kind === 0)) { t = this.decisionEnd[h]!; kind = 1; who = h; }
        const s = this.cur[h];
        if (s !== null && s !== undefined && s.left !== Infinity) {
          const done = this.since[h]! + s.left;
          if (done < t) { t = done; kind = 2; who = h; }
        }
      }
      for (let i = 0; i < this.vcpus.length; i++) {
        if (this.vcpus[i]!.wakeAt < t) { t = this.vcpus[i]!.wakeAt; kind = 3; who = i; }
      }
      this.now = Math.max(this.now, t);
      if (kind === 0) break;
      if (kind === 1) this.decide(who);
      else if (kind === 2) {
        this.settle(who);
        const s = this.cur[who]!;
        s.v.state = VcpuState.BLOCKED;
        this.sched.sleep(s.v);
        s.wakeAt = this.now + s.b.sleep;
        this.decide(who);
      } else {
        this.wake(this.vcpus[who]!);
      }
    }
    for (let h = 0; h < this.harts; h++) this.settle(h);
  }

  /** Resets the CPU-time counters (start of a measurement window). */
  resetCounters(): void {
    for (const s of this.vcpus) { s.ran = 0; s.latencies = []; s.harts.clear(); }
    this.idle = 0;
  }

  ranOf(d: Domain): number {
    return this.vcpus.filter((s) => s.v.domain === d).reduce((n, s) => n + s.ran, 0);
  }
}

export const HOG: Behaviour = { burst: Infinity, sleep: 0 };

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
