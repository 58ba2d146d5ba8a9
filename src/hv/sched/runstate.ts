/*
 * Per-vCPU runstate accounting (Xen's vcpu_runstate_info): how long each vCPU has been
 * running, runnable (waiting for a hart), blocked (waiting for an event) and offline
 * (down, or its domain paused or shut down), in ns of system time. The hypervisor calls
 * `note` wherever a vCPU's state may have changed (world switch, wake, block,
 * deschedule); the state is derived from the vCPU itself, so a missed call only delays
 * when the time is attributed, never loses it. Guests read it with
 * VCPUOP_get_runstate_info; Domain 0 in `vcpu-list`.
 */

import { VcpuState, type Vcpu } from '../domain.js';

export const enum Runstate { RUNNING = 0, RUNNABLE = 1, BLOCKED = 2, OFFLINE = 3 }

export interface RunstateInfo {
  state: Runstate;
  /** System time (ns) of the last state change. */
  entryNs: number;
  /** ns spent in each state before `entryNs`. */
  readonly time: [number, number, number, number];
}

export class RunstateTracker {
  private readonly info = new WeakMap<Vcpu, RunstateInfo>();

  private static stateOf(v: Vcpu, live: boolean): Runstate {
    if (live) return Runstate.RUNNING;
    if (v.state === VcpuState.OFFLINE || !v.domain.canRun) return Runstate.OFFLINE;
    if (v.state === VcpuState.BLOCKED) return Runstate.BLOCKED;
    return Runstate.RUNNABLE;
  }

  /** Brings v's record up to `nowNs`: the time since its last change goes to its old state. */
  note(v: Vcpu, live: boolean, nowNs: number): RunstateInfo {
    const state = RunstateTracker.stateOf(v, live);
    let r = this.info.get(v);
    if (r === undefined) {
      r = { state, entryNs: nowNs, time: [0, 0, 0, 0] };
      this.info.set(v, r);
      return r;
    }
    if (state !== r.state) {
      // Harts' clocks differ by up to a round: a change seen from a hart that is behind
      // the last one still takes effect, at the later time.
      if (nowNs > r.entryNs) {
        r.time[r.state] += nowNs - r.entryNs;
        r.entryNs = nowNs;
      }
      r.state = state;
    }
    return r;
  }

  /** v's times including the current state up to `nowNs` (as vcpu-list shows them). */
  totals(v: Vcpu, live: boolean, nowNs: number): [number, number, number, number] {
    const r = this.note(v, live, nowNs);
    const t: [number, number, number, number] = [...r.time];
    t[r.state] += Math.max(0, nowNs - r.entryNs);
    return t;
  }
}
