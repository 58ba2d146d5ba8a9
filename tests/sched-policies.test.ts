/*
 * Each scheduling policy's invariants on a manual clock (tests/sched-sim.ts), no guests
 * and no wall clock: proportional shares, caps, warp, wake-up latency, affinity, work
 * conservation and no starvation.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOG, MS, SchedSim, percentile } from './sched-sim.js';
import type { CreditScheduler } from '../src/hv/sched/credit.js';
import type { BvtScheduler } from '../src/hv/sched/bvt.js';
import type { SchedulerName } from '../src/hv/sched/scheduler.js';
import { XenError } from '../src/hv/abi/xen.js';

/** Asserts |got/want - 1| <= tol. */
function near(got: number, want: number, tol: number, what: string): void {
  assert.ok(Math.abs(got / want - 1) <= tol, `${what}: got ${got.toFixed(4)}, want ${want.toFixed(4)} ±${tol * 100}%`);
}

test('credit: hogs with weights 1:2:4 get 1/7, 2/7, 4/7 of a hart within 3%', () => {
  const s = new SchedSim('credit', 1);
  const ds = [1, 2, 4].map((w) => { const d = s.domain(HOG); s.sched.setParams(d, { weight: 256 * w }); return d; });
  s.run(300 * MS);
  s.resetCounters();
  s.run(3300 * MS);
  const total = 3000 * MS;
  ds.forEach((d, i) => near(s.ranOf(d) / total, [1, 2, 4][i]! / 7, 0.03, `weight ${[1, 2, 4][i]}`));
});

test('credit: on two harts a domain cannot get more than one hart per vCPU; the rest is shared by weight', () => {
  const s = new SchedSim('credit', 2);
  const w = [1, 1, 2, 4];
  const ds = w.map((x) => { const d = s.domain(HOG); s.sched.setParams(d, { weight: 256 * x }); return d; });
  s.run(300 * MS);
  s.resetCounters();
  s.run(3300 * MS);
  const total = 3000 * MS;
  // The weight-4 domain's fair share (8/8 of a hart) is exactly one hart; the others split the other hart 1:1:2.
  near(s.ranOf(ds[3]!) / total, 1, 0.03, 'weight 4');
  near(s.ranOf(ds[0]!) / total, 0.25, 0.05, 'weight 1');
  near(s.ranOf(ds[1]!) / total, 0.25, 0.05, 'weight 1');
  near(s.ranOf(ds[2]!) / total, 0.5, 0.05, 'weight 2');
  assert.ok(s.idle < 0.001 * total, `work conserving: ${s.idle} idle cycles`);
});

test('credit: a cap holds even on an otherwise idle machine; cap 0 means none', () => {
  const s = new SchedSim('credit', 1);
  const capped = s.domain(HOG);
  s.sched.setParams(capped, { cap: 30 });
  s.run(300 * MS);
  s.resetCounters();
  s.run(3300 * MS);
  near(s.ranOf(capped) / (3000 * MS), 0.30, 0.03, 'cap 30 alone');
  const other = s.domain(HOG);
  s.sched.setParams(capped, { cap: 20, weight: 65535 });
  s.run(3600 * MS);
  s.resetCounters();
  s.run(6600 * MS);
  near(s.ranOf(capped) / (3000 * MS), 0.20, 0.03, 'cap 20 beside a hog, even with the largest weight');
  near(s.ranOf(other) / (3000 * MS), 0.80, 0.03, 'the uncapped hog takes the rest');
  s.sched.setParams(capped, { cap: 0, weight: 256 });
  s.run(7000 * MS);
  s.resetCounters();
  s.run(10000 * MS);
  near(s.ranOf(capped) / (3000 * MS), 0.5, 0.03, 'cap removed: equal weights share equally');
});

test('credit: a vCPU that wakes with credit left is boosted and preempts hogs', () => {
  const s = new SchedSim('credit', 1);
  for (let i = 0; i < 4; i++) s.domain(HOG);
  const waker = s.domain({ burst: 0.2 * MS, sleep: 5 * MS });
  s.run(200 * MS);
  s.resetCounters();
  s.run(2200 * MS);
  const lat = s.sim(waker.vcpus[0]!).latencies;
  assert.ok(lat.length > 300, `the waker ran ${lat.length} times`);
  assert.ok(percentile(lat, 0.99) <= 0.01 * MS, `99th percentile latency ${percentile(lat, 0.99)} cycles`);
});

test('credit: parameters are checked and a bad value changes nothing', () => {
  const s = new SchedSim('credit', 1);
  const d = s.domain(HOG);
  assert.deepEqual(s.sched.getParams(d), { weight: 256, cap: 0 });
  assert.throws(() => s.sched.setParams(d, { weight: 0 }), XenError);
  assert.throws(() => s.sched.setParams(d, { weight: 70000 }), XenError);
  assert.throws(() => s.sched.setParams(d, { cap: 101 }), XenError);
  assert.throws(() => s.sched.setParams(d, { warp: 1 }), XenError);
  assert.deepEqual(s.sched.getParams(d), { weight: 256, cap: 0 });
  assert.equal((s.sched as CreditScheduler).getGlobal()['tsliceMs'], 30);
});

test('bvt: shares follow 1/mcuAdvance (weights 1:2:4) within 3%', () => {
  const s = new SchedSim('bvt', 1);
  const ds = [40, 20, 10].map((m) => { const d = s.domain(HOG); s.sched.setParams(d, { mcuAdvance: m }); return d; });
  s.run(300 * MS);
  s.resetCounters();
  s.run(3300 * MS);
  ds.forEach((d, i) => near(s.ranOf(d) / (3000 * MS), [1, 2, 4][i]! / 7, 0.03, `mcuAdvance ${[40, 20, 10][i]}`));
});

test('bvt: warp gives a waker low dispatch latency without raising its share', () => {
  const run = (warp: boolean) => {
    const s = new SchedSim('bvt', 1);
    const hogs = [0, 1, 2, 3].map(() => s.domain(HOG));
    const waker = s.domain({ burst: 2 * MS, sleep: 3 * MS });
    // Warp by 5 ms of virtual time (50 MCUs at mcuAdvance 10), for at most 1 ms of running.
    if (warp) s.sched.setParams(waker, { warpBack: 1, warpValue: 500, warpLimitUs: 1000, unwarpUs: 1000 });
    s.run(200 * MS);
    s.resetCounters();
    s.run(3200 * MS);
    return { lat: s.sim(waker.vcpus[0]!).latencies, share: s.ranOf(waker) / (3000 * MS), hogs: hogs.map((d) => s.ranOf(d)) };
  };
  const warped = run(true), plain = run(false);
  assert.ok(percentile(warped.lat, 0.99) <= 0.01 * MS, `warped p99 ${percentile(warped.lat, 0.99)}`);
  console.log(`bvt waker latency p50/p99 (cycles): warped ${percentile(warped.lat, 0.5)}/${percentile(warped.lat, 0.99)}, ` +
    `plain ${percentile(plain.lat, 0.5)}/${percentile(plain.lat, 0.99)}`);
  assert.ok(percentile(plain.lat, 0.99) > percentile(warped.lat, 0.99), 'warp lowers the tail latency');
  // The waker wants 40% of the hart; its fair share among 5 equal domains is 20%: warp
  // buys it latency, not more than that share.
  assert.ok(warped.share <= 0.2 * 1.03, `warped share ${warped.share}`);
  near(plain.share, 0.2, 0.03, 'unwarped share');
});

test('bvt: the warp limit ends a warp and the unwarp requirement spaces them', () => {
  const s = new SchedSim('bvt', 1);
  s.domain(HOG);
  const greedy = s.domain({ burst: 50 * MS, sleep: 0.1 * MS });
  s.sched.setParams(greedy, { warpBack: 1, warpValue: 1_000_000, warpLimitUs: 2000, unwarpUs: 100_000 });
  const b = s.sched as BvtScheduler;
  s.sched.sleep(greedy.vcpus[0]!);
  s.sched.wake(greedy.vcpus[0]!, s.now);
  s.run(1 * MS);
  assert.equal(b.inspect(greedy.vcpus[0]!).warping, true);
  s.run(5 * MS);
  assert.equal(b.inspect(greedy.vcpus[0]!).warping, false, 'unwarped after 2 ms of warped running');
  s.resetCounters();
  s.run(3005 * MS);
  near(s.ranOf(greedy) / (3000 * MS), 0.5, 0.05, 'a vCPU that warps cannot take more than its share');
});

for (const name of ['credit', 'bvt', 'rr'] as SchedulerName[]) {
  test(`${name}: no starvation — 16 hogs, one with 1/16 of the others' weight, on 2 harts all run every second`, () => {
    const s = new SchedSim(name, 2);
    const ds = Array.from({ length: 16 }, (_, i) => {
      const d = s.domain(HOG);
      if (name === 'credit') s.sched.setParams(d, { weight: i === 0 ? 64 : 1024 });
      if (name === 'bvt') s.sched.setParams(d, { mcuAdvance: i === 0 ? 160 : 10 });
      return d;
    });
    for (let sec = 0; sec < 3; sec++) {
      s.resetCounters();
      s.run((sec + 1) * 1000 * MS);
      for (const d of ds) assert.ok(s.ranOf(d) > 0, `${d.name} ran in second ${sec}`);
      assert.ok(s.idle < 0.001 * 2000 * MS, 'no hart idles while work waits');
    }
  });

  test(`${name}: vCPUs that all start on hart 0 (as the builder places vCPU 0s) spread over idle harts`, () => {
    const s = new SchedSim(name, 4);
    for (let i = 0; i < 4; i++) s.domain(HOG, 1, `d${i}`, 0);
    s.run(10 * MS);
    s.resetCounters();
    s.run(110 * MS);
    assert.ok(s.idle < 0.001 * 400 * MS, `harts idle for ${s.idle} cycles`);
    for (const v of s.vcpus) assert.equal(v.harts.size, 1, 'and stay where they are');
  });

  test(`${name}: affinity — a pinned vCPU runs only on its harts, and moves when re-pinned`, () => {
    const s = new SchedSim(name, 2);
    const ds = [0, 1, 2, 3].map(() => s.domain(HOG));
    const v = ds[0]!.vcpus[0]!;
    s.pin(v, 0b10);
    s.run(500 * MS);
    s.resetCounters();
    s.run(1000 * MS);
    assert.deepEqual([...s.sim(v).harts], [1]);
    assert.ok(s.sim(v).ran > 0);
    s.pin(v, 0b01);
    s.run(1100 * MS);
    s.resetCounters();
    s.run(2000 * MS);
    assert.deepEqual([...s.sim(v).harts], [0]);
  });
}

for (const name of ['credit', 'bvt', 'rr'] as SchedulerName[]) {
  test(`${name}: three equal hogs on two harts each get two thirds of a hart (vCPUs migrate)`, () => {
    const s = new SchedSim(name, 2);
    const ds = [0, 1, 2].map((i) => s.domain(HOG, 1, `d${i}`, 0));
    s.run(300 * MS);
    s.resetCounters();
    s.run(3300 * MS);
    for (const d of ds) near(s.ranOf(d) / (3000 * MS), 2 / 3, 0.03, d.name);
  });
}

test('rr: equal hogs get equal shares; the slice is a parameter', () => {
  const s = new SchedSim('rr', 1, 5);
  const ds = [0, 1, 2].map(() => s.domain(HOG));
  s.run(3000 * MS);
  for (const d of ds) near(s.ranOf(d) / (3000 * MS), 1 / 3, 0.01, d.name);
  assert.equal(s.sched.getGlobal()['sliceMs'], 5);
  s.sched.setGlobal({ sliceMs: 50 });
  assert.throws(() => s.sched.setGlobal({ sliceMs: 0 }), XenError);
});
