/*
 * The Credit scheduler, as Xen 3 made it the default (xen/common/sched_credit.c):
 * proportional share by weight, an optional cap, work-conserving, SMP load balancing.
 *
 *   weight   relative share of the machine (default 256, 1..65535);
 *   cap      upper bound in percent of one hart (0 = none; 100 = one full hart);
 *   tslice   the longest a vCPU runs before the next in its priority class (30 ms);
 *   tick     10 ms: the running vCPU's priority is re-examined (and it is preempted if
 *            it went OVER while an UNDER vCPU waits);
 *   period   every 3 ticks (30 ms) credits are handed out: the machine's capacity for a
 *            period (harts × 30 ms) is shared among the *active* domains (those with a
 *            runnable vCPU, or that ran during the period) in proportion to their
 *            weights, each domain's part split among its active vCPUs and limited by
 *            its cap and by what its vCPUs could use.
 *
 * Credit is kept in cycles. A vCPU pays exactly the cycles it ran (Xen 3 samples the
 * running vCPU at each tick instead; exact debiting gives the same long-run shares with
 * less noise on a deterministic clock). Priorities, best first:
 *
 *   BOOST   woke from a block with credit left: runs ahead of everyone, and preempts a
 *           running vCPU that is not boosted (the I/O-latency fix of Xen 3.0.x); the
 *           boost ends when it is next descheduled or a tick passes;
 *   UNDER   credit > 0;
 *   OVER    credit <= 0: runs only when no UNDER vCPU wants the hart (work conserving),
 *           except a capped domain's, which is parked until credit comes back.
 *
 * Load balancing (csched_load_balance): a hart whose best local vCPU is OVER, or that
 * has none, takes a better one from another hart's queue (if its affinity allows); a
 * waking vCPU goes to an idle hart it may use rather than queue behind a busy one.
 * Credit held above one time slice's worth is clamped (the vCPU was not using its share).
 */

import type { Domain, Vcpu } from '../domain.js';
import {
  allowedOn, checkParams, HartLedger, msToCycles, wakeHart,
  type Decision, type SchedParams, type SchedulerEnv, type SchedulerPolicy,
} from './scheduler.js';

export const enum CreditPri { BOOST = 0, UNDER = 1, OVER = 2 }

export const CREDIT_DEFAULT_WEIGHT = 256;
const TICK_MS = 10;
const TICKS_PER_PERIOD = 3;

interface CreditVcpu {
  credit: number;
  pri: CreditPri;
  queued: boolean;
  /** The accounting period in which it last ran or was runnable (activity). */
  activeEpoch: number;
}

interface CreditDom { weight: number; cap: number }

function st(v: Vcpu): CreditVcpu {
  if (v.sched === null) v.sched = { credit: 0, pri: CreditPri.UNDER, queued: false, activeEpoch: -1 } satisfies CreditVcpu;
  return v.sched as CreditVcpu;
}

export class CreditScheduler implements SchedulerPolicy {
  readonly name = 'credit' as const;
  private readonly queues: Vcpu[][];
  private readonly ledger: HartLedger;
  private readonly doms = new Map<Domain, CreditDom>();
  /** Every vCPU known to the scheduler (accounting walks them). */
  private readonly vcpus = new Set<Vcpu>();
  private tsliceMs: number;
  private tsliceCycles: number;
  private readonly tickCycles: number;
  private readonly periodCycles: number;
  private nextAcct: number;
  private epoch = 0;
  /** When each hart's current stint began (for the time slice). */
  private readonly stintStart: number[];

  constructor(private readonly env: SchedulerEnv) {
    this.queues = Array.from({ length: env.harts }, () => []);
    this.ledger = new HartLedger(env.harts);
    this.tsliceMs = env.sliceMs ?? 30;
    this.tsliceCycles = msToCycles(this.tsliceMs, env.cpuHz);
    this.tickCycles = msToCycles(TICK_MS, env.cpuHz);
    this.periodCycles = this.tickCycles * TICKS_PER_PERIOD;
    this.nextAcct = this.periodCycles;
    this.stintStart = new Array<number>(env.harts).fill(0);
  }

  private dom(d: Domain): CreditDom {
    let c = this.doms.get(d);
    if (c === undefined) { c = { weight: CREDIT_DEFAULT_WEIGHT, cap: 0 }; this.doms.set(d, c); }
    return c;
  }

  add(v: Vcpu): void {
    // A new vCPU starts with one tick's credit so it is UNDER until the first period.
    v.sched = { credit: this.tickCycles, pri: CreditPri.UNDER, queued: false, activeEpoch: this.epoch } satisfies CreditVcpu;
    this.vcpus.add(v);
    this.dom(v.domain);
  }

  remove(v: Vcpu): void {
    this.sleep(v);
    this.ledger.forget(v);
    this.vcpus.delete(v);
    if (![...this.vcpus].some((x) => x.domain === v.domain)) this.doms.delete(v.domain);
  }

  // ---------------------------------------------------------------------------------
  // Accounting

  /** Hands out credit for each period boundary passed by `now` (csched_acct). */
  private account(now: number): void {
    while (now >= this.nextAcct) {
      this.nextAcct += this.periodCycles;
      this.creditPeriod();
      this.epoch++;
      for (const v of this.vcpus) if (v.runnable) st(v).activeEpoch = this.epoch;
      for (let h = 0; h < this.env.harts; h++) {
        const r = this.ledger.running[h];
        if (r !== null && r !== undefined) st(r).activeEpoch = this.epoch;
      }
    }
  }

  private creditPeriod(): void {
    const byDom = new Map<Domain, Vcpu[]>();
    for (const v of this.vcpus) {
      if (st(v).activeEpoch < this.epoch) continue;
      const list = byDom.get(v.domain);
      if (list === undefined) byDom.set(v.domain, [v]); else list.push(v);
    }
    let weights = 0;
    for (const d of byDom.keys()) weights += this.dom(d).weight;
    if (weights === 0) return;
    const total = this.env.harts * this.periodCycles;
    for (const [d, vs] of byDom) {
      const p = this.dom(d);
      let share = total * p.weight / weights;
      share = Math.min(share, vs.length * this.periodCycles);
      if (p.cap > 0) share = Math.min(share, this.periodCycles * p.cap / 100);
      const each = share / vs.length;
      for (const v of vs) {
        const s = st(v);
        s.credit = Math.min(s.credit + each, this.tsliceCycles + this.periodCycles);
        if (s.pri !== CreditPri.BOOST) s.pri = s.credit > 0 ? CreditPri.UNDER : CreditPri.OVER;
      }
    }
    // Queued vCPUs whose priority changed move to their place.
    for (const q of this.queues) this.sortQueue(q);
  }

  private charge(v: Vcpu, ran: number): void {
    const s = st(v);
    s.credit -= ran;
    s.activeEpoch = this.epoch;
    s.pri = s.credit > 0 ? CreditPri.UNDER : CreditPri.OVER;
  }

  /** A capped domain out of credit may not run until the next period. */
  private parked(v: Vcpu): boolean {
    return this.dom(v.domain).cap > 0 && st(v).credit <= 0;
  }

  // ---------------------------------------------------------------------------------
  // Queues: ordered by priority, FIFO within a priority

  private insert(q: Vcpu[], v: Vcpu): void {
    const pri = st(v).pri;
    let i = q.length;
    while (i > 0 && st(q[i - 1]!).pri > pri) i--;
    q.splice(i, 0, v);
    st(v).queued = true;
  }

  private sortQueue(q: Vcpu[]): void {
    // Stable: keeps FIFO order within a priority.
    const sorted = q.map((v, i) => [v, i] as const)
      .sort((a, b) => (st(a[0]).pri - st(b[0]).pri) || (a[1] - b[1]))
      .map((x) => x[0]);
    for (let i = 0; i < q.length; i++) q[i] = sorted[i]!;
  }

  /** The first vCPU of q that may run now (not parked, allowed on `hart`), or -1. */
  private firstEligible(q: Vcpu[], hart: number): number {
    for (let i = 0; i < q.length; i++) {
      const v = q[i]!;
      if (v.runnable && allowedOn(v, hart) && !this.parked(v)) return i;
    }
    return -1;
  }

  wake(v: Vcpu, now: number): number {
    this.account(now);
    const s = st(v);
    if (s.queued || this.ledger.hartOf(v) >= 0) return -1;
    s.activeEpoch = this.epoch;
    if (s.pri === CreditPri.UNDER) s.pri = CreditPri.BOOST;
    // Prefer an idle hart the vCPU may use (csched_cpu_pick).
    const h = wakeHart(v, this.env.harts, (i) => this.ledger.running[i] !== null || this.firstEligible(this.queues[i]!, i) >= 0);
    v.processor = h;
    this.insert(this.queues[h]!, v);
    const cur = this.ledger.running[h] ?? null;
    if (cur === null) return h;
    return s.pri === CreditPri.BOOST && st(cur).pri !== CreditPri.BOOST && !this.parked(v) ? h : -1;
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
    const { v: ran, ran: cycles } = this.ledger.settle(hart, now);
    if (ran !== null) this.charge(ran, cycles);
    this.account(now);
    const q = this.queues[hart]!;

    // Keep the current vCPU while its slice lasts, unless it is parked or something
    // better waits (a tick decision, not a switch).
    if (current !== null && current.runnable && allowedOn(current, hart) && !st(current).queued && !this.parked(current)) {
      const i = this.firstEligible(q, hart);
      const waiting = i < 0 ? null : q[i]!;
      const inSlice = now - this.stintStart[hart]! < this.tsliceCycles;
      const better = waiting !== null && st(waiting).pri < st(current).pri;
      if ((inSlice && !better) || (waiting === null && !this.betterElsewhere(hart, st(current).pri))) {
        this.ledger.start(hart, current, now);
        return { vcpu: current, slice: this.sliceFor(hart, now, current) };
      }
    }
    if (current !== null && current.runnable && allowedOn(current, hart) && !st(current).queued) this.insert(q, current);

    let v: Vcpu | null = null;
    const i = this.firstEligible(q, hart);
    const local = i < 0 ? null : q[i]!;
    if (local === null || st(local).pri === CreditPri.OVER) v = this.steal(hart, local === null ? 3 : st(local).pri);
    if (v === null && local !== null) {
      q.splice(q.indexOf(local), 1);
      st(local).queued = false;
      v = local;
    }
    if (v !== current) this.stintStart[hart] = now;
    this.ledger.start(hart, v, now);
    if (v === null) {
      // Idle; if a capped vCPU is parked here, look again when credit is handed out.
      const parkedHere = q.some((x) => x.runnable && this.parked(x));
      return { vcpu: null, slice: parkedHere ? this.nextAcct - now : Infinity };
    }
    return { vcpu: v, slice: this.sliceFor(hart, now, v) };
  }

  /**
   * Until the next tick or the end of the time slice, whichever is first — and, for a
   * capped vCPU or one whose credit runs out while another UNDER vCPU waits here, no
   * later than the moment its credit reaches 0 (at least 1 ms): Xen notices only at the
   * next tick; stopping on time keeps shares and caps exact over short windows.
   */
  private sliceFor(hart: number, now: number, v: Vcpu): number {
    const sliceLeft = this.stintStart[hart]! + this.tsliceCycles - now;
    const toTick = this.tickCycles - (now % this.tickCycles);
    let slice = Math.min(sliceLeft > 0 ? sliceLeft : this.tsliceCycles, toTick);
    const s = st(v);
    if (s.credit > 0 && (this.dom(v.domain).cap > 0 || this.queues[hart]!.some((x) => x.runnable && st(x).pri <= CreditPri.UNDER))) {
      slice = Math.min(slice, Math.max(s.credit, this.tickCycles / 10));
    }
    return Math.max(1, Math.round(slice));
  }

  private betterElsewhere(hart: number, pri: CreditPri): boolean {
    for (let h = 0; h < this.env.harts; h++) {
      if (h === hart) continue;
      const q = this.queues[h]!;
      for (const v of q) if (st(v).pri < pri && v.runnable && allowedOn(v, hart) && !this.parked(v)) return true;
    }
    return false;
  }

  /** Takes from another hart's queue the best vCPU better than `pri` that may run here. */
  private steal(hart: number, pri: number): Vcpu | null {
    let best: Vcpu | null = null, bestHart = -1;
    for (let h = 0; h < this.env.harts; h++) {
      if (h === hart) continue;
      const q = this.queues[h]!;
      // Queues are sorted: the first eligible vCPU is that hart's best.
      for (const v of q) {
        if (!v.runnable || !allowedOn(v, hart) || this.parked(v)) continue;
        if (st(v).pri < pri && (best === null || st(v).pri < st(best).pri)) { best = v; bestHart = h; }
        break;
      }
    }
    if (best === null) return null;
    const q = this.queues[bestHart]!;
    q.splice(q.indexOf(best), 1);
    st(best).queued = false;
    best.processor = hart;
    return best;
  }

  // ---------------------------------------------------------------------------------
  // Parameters (xl sched-credit)

  getParams(d: Domain): SchedParams {
    const p = this.dom(d);
    return { weight: p.weight, cap: p.cap };
  }

  setParams(d: Domain, p: SchedParams): void {
    checkParams('credit', p, { weight: [1, 65535], cap: [0, 100 * this.env.harts] });
    const c = this.dom(d);
    if (p['weight'] !== undefined) c.weight = p['weight'];
    if (p['cap'] !== undefined) c.cap = p['cap'];
  }

  getGlobal(): SchedParams {
    return { tsliceMs: this.tsliceMs, tickMs: TICK_MS, periodMs: TICK_MS * TICKS_PER_PERIOD };
  }

  setGlobal(p: SchedParams): void {
    checkParams('credit', p, { tsliceMs: [1, 1000] });
    if (p['tsliceMs'] !== undefined) {
      this.tsliceMs = p['tsliceMs'];
      this.tsliceCycles = msToCycles(this.tsliceMs, this.env.cpuHz);
    }
  }

  queueLength(hart: number): number {
    return this.queues[hart]!.length;
  }

  /** A vCPU's credit (cycles) and priority, for tests and `tsxen vcpu-list -v`. */
  inspect(v: Vcpu): { credit: number; pri: CreditPri } {
    return { credit: st(v).credit, pri: st(v).pri };
  }
}
