/*
 * Borrowed Virtual Time (Duda and Cheriton, SOSP 1999), the scheduler of the Xen paper
 * (§3.3.4; Xen 1.x/2.0's sched_bvt.c). Each vCPU has
 *
 *   A, actual virtual time: advances while it runs, by `mcuAdvance` for every minimum
 *      charging unit (MCU, 100 µs) or part of one — so a vCPU's share of a contended
 *      hart is proportional to 1 / mcuAdvance (its weight);
 *   E, effective virtual time: E = A − (warping ? warpValue : 0).
 *
 * A hart runs the runnable vCPU with the smallest E. A vCPU that blocks does not bank
 * credit: when it wakes, A = max(A, SVT), the hart's scheduler virtual time (the
 * smallest A among its runnable vCPUs). The one chosen runs until its E would pass the
 * next best E by the context-switch allowance C (`ctxAllowUs`, 5 ms of run time by
 * default): C keeps two equal vCPUs from thrashing while bounding how long a more
 * deserving one waits.
 *
 * Warp gives a latency-sensitive domain low dispatch latency without a larger share: a
 * vCPU of a domain with `warpBack` set warps when it wakes (its E drops by `warpValue`,
 * so it preempts at once), for at most `warpLimitUs` of run time; after a warp ends it
 * may not warp again until `unwarpUs` have passed (the unwarp requirement). Its A still
 * advances at its weight's rate, so over time it gets no more than its share.
 *
 * Several harts: one queue and one SVT per hart, and one virtual time line (every A
 * starts at 0 and advances at its weight's rate wherever it runs), so E values compare
 * across harts: an idle hart takes the vCPU with the smallest E it may run from another
 * hart, and a busy one takes it when it is behind its own best by more than C — which
 * keeps shares fair when vCPUs do not divide evenly among harts.
 */

import type { Domain, Vcpu } from '../domain.js';
import {
  allowedOn, checkParams, HartLedger, wakeHart,
  type Decision, type SchedParams, type SchedulerEnv, type SchedulerPolicy,
} from './scheduler.js';

/** Xen's BVT defaults: MCU = 100 µs, mcu_advance 10, ctx_allow 5 ms. */
const MCU_US = 100;
export const BVT_DEFAULT_MCU_ADVANCE = 10;
const DEFAULT_CTX_ALLOW_US = 5000;
/** The longest a decision lasts when no other vCPU competes (so SVT keeps moving). */
const MAX_SLICE_MS = 50;

interface BvtVcpu {
  avt: number;
  warping: boolean;
  /** Cycles run since this warp began. */
  warpRan: number;
  /** No warp before this time (cycles): the unwarp requirement. */
  unwarpUntil: number;
  queued: boolean;
}

interface BvtDom {
  mcuAdvance: number;
  warpBack: number;
  warpValue: number;
  warpLimitUs: number;
  unwarpUs: number;
}

function st(v: Vcpu): BvtVcpu {
  if (v.sched === null) v.sched = { avt: 0, warping: false, warpRan: 0, unwarpUntil: 0, queued: false } satisfies BvtVcpu;
  return v.sched as BvtVcpu;
}

export class BvtScheduler implements SchedulerPolicy {
  readonly name = 'bvt' as const;
  private readonly queues: Vcpu[][];
  private readonly ledger: HartLedger;
  private readonly doms = new Map<Domain, BvtDom>();
  private readonly svt: number[];
  /** When each hart's current decision ends. */
  private readonly decisionEnd: number[];
  private readonly mcu: number;
  private ctxAllowUs: number;
  private readonly cyclesPerUs: number;

  constructor(private readonly env: SchedulerEnv) {
    this.queues = Array.from({ length: env.harts }, () => []);
    this.ledger = new HartLedger(env.harts);
    this.svt = new Array<number>(env.harts).fill(0);
    this.decisionEnd = new Array<number>(env.harts).fill(Infinity);
    this.cyclesPerUs = env.cpuHz / 1e6;
    this.mcu = Math.round(MCU_US * this.cyclesPerUs);
    this.ctxAllowUs = env.sliceMs !== undefined ? env.sliceMs * 1000 : DEFAULT_CTX_ALLOW_US;
  }

  private dom(d: Domain): BvtDom {
    let b = this.doms.get(d);
    if (b === undefined) {
      b = { mcuAdvance: BVT_DEFAULT_MCU_ADVANCE, warpBack: 0, warpValue: 0, warpLimitUs: 0, unwarpUs: 0 };
      this.doms.set(d, b);
    }
    return b;
  }

  add(v: Vcpu): void {
    v.sched = { avt: this.svt[v.processor] ?? 0, warping: false, warpRan: 0, unwarpUntil: 0, queued: false } satisfies BvtVcpu;
    this.dom(v.domain);
  }

  remove(v: Vcpu): void {
    this.sleep(v);
    this.ledger.forget(v);
  }

  /** E: the effective virtual time. */
  private evt(v: Vcpu): number {
    const s = st(v);
    return s.warping ? s.avt - this.dom(v.domain).warpValue : s.avt;
  }

  /** Charges `ran` cycles: A advances by mcuAdvance per MCU or part of one; warp time runs out. */
  private charge(v: Vcpu, ran: number, now: number): void {
    const s = st(v), p = this.dom(v.domain);
    if (ran > 0) s.avt += Math.ceil(ran / this.mcu) * p.mcuAdvance;
    if (s.warping) {
      s.warpRan += ran;
      if (s.warpRan >= p.warpLimitUs * this.cyclesPerUs) this.unwarp(v, now);
    }
  }

  private unwarp(v: Vcpu, now: number): void {
    const s = st(v);
    s.warping = false;
    s.unwarpUntil = now + this.dom(v.domain).unwarpUs * this.cyclesPerUs;
  }

  /** SVT of hart h: the smallest A among its runnable vCPUs (queued or running). */
  private updateSvt(h: number): void {
    let min = Infinity;
    for (const v of this.queues[h]!) if (v.runnable) min = Math.min(min, st(v).avt);
    const r = this.ledger.running[h];
    if (r !== null && r !== undefined && r.runnable) min = Math.min(min, st(r).avt);
    if (min !== Infinity && min > this.svt[h]!) this.svt[h] = min;
  }

  wake(v: Vcpu, now: number): number {
    const s = st(v);
    if (s.queued || this.ledger.hartOf(v) >= 0) return -1;
    // Prefer an idle hart the vCPU may use.
    const h = wakeHart(v, this.env.harts, (i) => this.ledger.running[i] !== null || this.queues[i]!.length > 0);
    v.processor = h;
    this.updateSvt(h);
    if (s.avt < this.svt[h]!) s.avt = this.svt[h]!;
    const p = this.dom(v.domain);
    if (p.warpBack !== 0 && !s.warping && now >= s.unwarpUntil) {
      s.warping = true;
      s.warpRan = 0;
    }
    this.queues[h]!.push(v);
    s.queued = true;
    const cur = this.ledger.running[h] ?? null;
    if (cur === null) return h;
    // Preempt when the woken vCPU's E is not above the running one's (charged up to
    // now); otherwise the running one keeps the hart only until its E passes the woken
    // one's by C (Xen's bvt_wake: r_time), so reconsider then if the decision runs longer.
    const sc = st(cur), cp = this.dom(cur.domain);
    const pending = Math.ceil((now - this.ledger.since[h]!) / this.mcu) * cp.mcuAdvance;
    const curEvt = (sc.warping ? sc.avt - cp.warpValue : sc.avt) + pending;
    if (this.evt(v) <= curEvt) return h;
    const rTime = now + (this.evt(v) - curEvt) / cp.mcuAdvance * this.mcu + this.ctxAllowUs * this.cyclesPerUs;
    return this.decisionEnd[h]! > rTime ? h : -1;
  }

  sleep(v: Vcpu): void {
    const s = st(v);
    // A vCPU that blocks ends its warp early; only a warp cut by the limit imposes U.
    if (s.warping) { s.warping = false; s.unwarpUntil = 0; }
    if (!s.queued) return;
    const q = this.queues[v.processor]!;
    const i = q.indexOf(v);
    if (i >= 0) q.splice(i, 1);
    s.queued = false;
  }

  pick(hart: number, now: number, current: Vcpu | null): Decision {
    const { v: ran, ran: cycles } = this.ledger.settle(hart, now);
    if (ran !== null) this.charge(ran, cycles, now);
    const q = this.queues[hart]!;
    if (current !== null && current.runnable && allowedOn(current, hart) && !st(current).queued) { q.push(current); st(current).queued = true; }
    for (let i = q.length - 1; i >= 0; i--) if (!q[i]!.runnable) { st(q[i]!).queued = false; q.splice(i, 1); }

    let v: Vcpu | null = null;
    let best = Infinity, second = Infinity;
    for (const x of q) {
      if (!allowedOn(x, hart)) continue;
      const e = this.evt(x);
      if (e < best || (e === best && v !== null && x === current)) { second = best; best = e; v = x; }
      else if (e < second) second = e;
    }
    if (v === null) v = this.steal(hart, Infinity);
    else {
      // A vCPU waiting on another hart whose E is behind by more than C runs here
      // instead (virtual times are comparable across harts: every A starts at 0).
      const remote = this.steal(hart, best - this.ctxAllowVirtual());
      if (remote !== null) { second = best; best = this.evt(remote); v = remote; }
      else { q.splice(q.indexOf(v), 1); st(v).queued = false; }
    }
    this.ledger.start(hart, v, now);
    this.updateSvt(hart);
    this.decisionEnd[hart] = Infinity;
    if (v === null) return { vcpu: null, slice: Infinity };

    // Run until E passes the next best by C (in v's own virtual time), within limits.
    const p = this.dom(v.domain), s = st(v);
    const ctxAllow = this.ctxAllowUs * this.cyclesPerUs;
    let slice = MAX_SLICE_MS * 1000 * this.cyclesPerUs;
    if (second !== Infinity) slice = Math.max(0, (second - best) / p.mcuAdvance) * this.mcu + ctxAllow;
    if (s.warping) slice = Math.min(slice, Math.max(this.mcu, p.warpLimitUs * this.cyclesPerUs - s.warpRan));
    slice = Math.max(this.mcu, Math.min(slice, MAX_SLICE_MS * 1000 * this.cyclesPerUs));
    this.decisionEnd[hart] = now + Math.round(slice);
    return { vcpu: v, slice: Math.round(slice) };
  }

  /** C in virtual time at the default weight. */
  private ctxAllowVirtual(): number {
    return (this.ctxAllowUs / MCU_US) * BVT_DEFAULT_MCU_ADVANCE;
  }

  /**
   * Takes from another hart's queue the vCPU with the smallest E below `below` that may
   * run here (an idle hart passes Infinity), or null.
   */
  private steal(hart: number, below: number): Vcpu | null {
    let best: Vcpu | null = null, from = -1;
    for (let h = 0; h < this.env.harts; h++) {
      if (h === hart) continue;
      for (const x of this.queues[h]!) {
        if (!x.runnable || !allowedOn(x, hart) || this.evt(x) >= below) continue;
        if (best === null || this.evt(x) < this.evt(best)) { best = x; from = h; }
      }
    }
    if (best === null) return null;
    const q = this.queues[from]!;
    q.splice(q.indexOf(best), 1);
    const s = st(best);
    s.queued = false;
    if (s.avt < this.svt[hart]!) s.avt = this.svt[hart]!;
    best.processor = hart;
    return best;
  }

  // ---------------------------------------------------------------------------------
  // Parameters (xm sched-bvt: mcuadv, warpback, warpvalue, warpl, warpu)

  getParams(d: Domain): SchedParams {
    return { ...this.dom(d) };
  }

  setParams(d: Domain, p: SchedParams): void {
    checkParams('bvt', p, {
      mcuAdvance: [1, 10000], warpBack: [0, 1], warpValue: [0, 1e12], warpLimitUs: [0, 1e9], unwarpUs: [0, 1e9],
    });
    Object.assign(this.dom(d), p);
  }

  getGlobal(): SchedParams {
    return { ctxAllowUs: this.ctxAllowUs, mcuUs: MCU_US };
  }

  setGlobal(p: SchedParams): void {
    checkParams('bvt', p, { ctxAllowUs: [100, 1e6] });
    if (p['ctxAllowUs'] !== undefined) this.ctxAllowUs = p['ctxAllowUs'];
  }

  queueLength(hart: number): number {
    return this.queues[hart]!.length;
  }

  /** A vCPU's A, E and warp state, for tests. */
  inspect(v: Vcpu): { avt: number; evt: number; warping: boolean } {
    return { avt: st(v).avt, evt: this.evt(v), warping: st(v).warping };
  }
}
