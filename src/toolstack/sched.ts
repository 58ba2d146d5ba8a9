/*
 * The scheduling part of the management surface: actions for `sched-credit`,
 * `sched-bvt`, `sched-rr`, `vcpu-pin` and `vcpu-set`, what they return, and how the
 * toolstack carries them out on the hypervisor's SchedControl. The CLI (src/cli/sched.ts)
 * parses into these actions and formats their results; the daemon dispatches them.
 */

import type { SchedControl } from '../hv/sched-control.js';
import { formatCpuMask, type SchedParams, type SchedulerName } from '../hv/sched/scheduler.js';
import type { DomainRef } from './actions.js';
import { UserError } from '../lib/user-error.js';

export type SchedAction =
  /** A policy's parameters for one domain (or all), and its global ones. */
  | { kind: 'sched-get'; policy: SchedulerName; domain?: DomainRef }
  /** Changes a domain's parameters (and/or the policy's global ones). */
  | { kind: 'sched-set'; policy: SchedulerName; domain?: DomainRef; params: SchedParams; global: SchedParams }
  /** vcpu-pin: hard affinity of one vCPU or all ('all'), as a hart list like "0-1,3" or "all". */
  | { kind: 'vcpu-pin'; domain: DomainRef; vcpu: number | 'all'; cpus: string }
  /** vcpu-set: how many vCPUs the domain may use. */
  | { kind: 'vcpu-set'; domain: DomainRef; count: number };

export interface SchedDomainRow {
  name: string;
  domid: number;
  params: SchedParams;
}

export interface SchedInfo {
  /** The policy running (a request for another policy is refused with EINVAL). */
  policy: SchedulerName;
  global: SchedParams;
  domains: SchedDomainRow[];
}

export class SchedError extends UserError {
  override readonly name = 'SchedError';
}

/** Parses an xl cpu list ("all", "2", "0-3", "0,2-3", "^1" excluded) into a hart mask. */
export function parseCpuList(text: string, harts: number): number {
  const all = 2 ** harts - 1;
  if (text === 'all') return all;
  let mask = 0, exclude = 0;
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const neg = part.startsWith('^');
    const m = /^(\d+)(?:-(\d+))?$/.exec(neg ? part.slice(1) : part);
    if (m === null) throw new SchedError(`bad cpu list '${text}' (expected e.g. all, 0, 0-1, 0,2, ^1)`);
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi >= harts) throw new SchedError(`cpu ${hi} does not exist (this host has cpus 0-${harts - 1})`);
    for (let c = lo; c <= hi; c++) { if (neg) exclude |= 1 << c; else mask |= 1 << c; }
  }
  if (mask === 0) mask = all;
  mask &= ~exclude;
  if (mask === 0) throw new SchedError(`cpu list '${text}' leaves no cpu`);
  return mask;
}

/** Formats a hart mask as xl does ("all", "0-1,3"). */
export function formatCpuList(mask: number, harts: number): string {
  return formatCpuMask(mask, harts);
}

/**
 * Applies a domain config's scheduling keys to a domain just built (still paused): `cpus`
 * (hard affinity of every vCPU, an xl cpu list), and `cpu_weight` / `cap` (Credit's
 * parameters; refused with a clear error under another policy).
 */
export function applySchedConfig(sc: SchedControl, harts: number, domid: number,
  config: { cpus?: string; cpuWeight?: number; cap?: number }): void {
  if (config.cpus !== undefined) {
    const mask = parseCpuList(config.cpus, harts);
    const n = sc.vcpuList(domid).length;
    for (let v = 0; v < n; v++) sc.pin(domid, v, mask);
  }
  const params: SchedParams = {};
  if (config.cpuWeight !== undefined) params['weight'] = config.cpuWeight;
  if (config.cap !== undefined) params['cap'] = config.cap;
  if (Object.keys(params).length > 0) {
    const running = sc.scheduler().name;
    if (running !== 'credit') throw new SchedError(`cpu_weight and cap are Credit parameters; the scheduler is ${running}`);
    sc.setParams(domid, params, 'credit');
  }
}

/**
 * Carries out a scheduling action. `resolve` turns a domain name or id into a domid
 * (throwing the toolstack's own error if there is none); `domains` lists the live ones.
 */
export function dispatchSched(sc: SchedControl, harts: number, a: SchedAction,
  resolve: (d: DomainRef) => number, domains: () => { domid: number; name: string }[]): SchedInfo | null {
  switch (a.kind) {
    case 'sched-get':
      return info(sc, a.policy, a.domain === undefined ? undefined : resolve(a.domain), domains);
    case 'sched-set': {
      if (Object.keys(a.global).length > 0) sc.setGlobal(a.global, a.policy);
      if (a.domain !== undefined && Object.keys(a.params).length > 0) sc.setParams(resolve(a.domain), a.params, a.policy);
      return null;
    }
    case 'vcpu-pin': {
      const domid = resolve(a.domain);
      const mask = parseCpuList(a.cpus, harts);
      const n = sc.vcpuList(domid).length;
      for (let v = 0; v < n; v++) if (a.vcpu === 'all' || a.vcpu === v) sc.pin(domid, v, mask);
      return null;
    }
    case 'vcpu-set':
      sc.setOnline(resolve(a.domain), a.count);
      return null;
  }
}

function info(sc: SchedControl, policy: SchedulerName, domid: number | undefined,
  domains: () => { domid: number; name: string }[]): SchedInfo {
  const s = sc.scheduler();
  if (s.name !== policy) {
    throw new SchedError(`the running scheduler is ${s.name}, not ${policy} (choose it at boot: --sched ${policy})`);
  }
  const rows = domains().filter((d) => domid === undefined || d.domid === domid)
    .map((d) => ({ name: d.name, domid: d.domid, params: sc.getParams(d.domid) }));
  return { policy: s.name, global: s.params, domains: rows };
}
