/*
 * The scheduling policies by the name `sched=` takes (Xen's REGISTER_SCHEDULER table).
 */

import type { SchedulerEnv, SchedulerName, SchedulerPolicy } from './scheduler.js';
import { CreditScheduler } from './credit.js';
import { BvtScheduler } from './bvt.js';
import { RoundRobin } from './round-robin.js';

export const SCHEDULERS: Record<SchedulerName, (env: SchedulerEnv) => SchedulerPolicy> = {
  credit: (env) => new CreditScheduler(env),
  bvt: (env) => new BvtScheduler(env),
  rr: (env) => new RoundRobin(env),
};

export function isSchedulerName(s: string): s is SchedulerName {
  return Object.prototype.hasOwnProperty.call(SCHEDULERS, s);
}
