/*
 * SMP guests (virtual time only): minios brings up its secondary vCPUs with
 * VCPUOP_initialise/up, exchanges IPIs over bind_ipi channels, runs work on all vCPUs at
 * once, reads a vCPU's runstate, takes one offline and back; the toolstack's vcpu-set and vcpu-pin act on a
 * running multi-vCPU domain; Credit shares a hart per domain, not per vCPU.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { SchedControl } from '../src/hv/sched-control.js';
import type { SchedulerName } from '../src/hv/sched/scheduler.js';
import { image } from './support/paths.js';

const MINIOS = readFileSync(image('minios-pv.elf'));
const MS = 100_000;

function setup(scheduler: SchedulerName, harts: number) {
  const h = new XenHost({ scheduler, harts, memMiB: 64 });
  return { h, sc: new SchedControl(h.hv, h.hv.dom0) };
}

function start(h: XenHost, name: string, cmdline: string, vcpus: number): GuestRecord {
  return h.create(parseConfig(`name = "${name}"\nkernel = "k"\nmemory = 8\nvcpus = ${vcpus}\nmaxvcpus = ${vcpus}\ncmdline = "${cmdline}"\n`, name), { kernel: MINIOS });
}

function times(sc: SchedControl, domid: number): number[] {
  return sc.vcpuList(domid).map((v) => v.cpuTimeNs);
}

for (const scheduler of ['credit', 'bvt', 'rr'] as SchedulerName[]) {
  test(`${scheduler}: a 2-vCPU guest on 2 harts — vCPUs up, IPIs, parallel work, hot-unplug and back`, () => {
    const { h } = setup(scheduler, 2);
    const rec = start(h, 'smp', 'smp rounds=50', 2);
    assert.equal(h.run(2e9), 'done');
    const out = rec.console.recent();
    for (const t of ['smp-up', 'smp-ipi', 'smp-parallel', 'smp-runstate', 'smp-down', 'smp-up-again']) assert.match(out, new RegExp(`^PASS ${t}$`, 'm'), out);
    assert.match(out, /minios: done 6 passed 0 failed/);
    // Both vCPUs did the parallel work (how much faster that is: bench:sched, "smp").
    assert.match(out, /^SMP parallel 2 \d+ \d+$/m);
  });
}

test('vcpu-set takes a running guest\'s second vCPU away and gives it back; vcpu-pin moves both onto one hart', () => {
  const { h, sc } = setup('credit', 2);
  const rec = start(h, 'hog', 'smp-hog', 2);
  h.run(100 * MS);
  let t0 = times(sc, rec.domid);
  h.run(100 * MS);
  let t1 = times(sc, rec.domid);
  assert.ok(t1[0]! - t0[0]! > 9e7 && t1[1]! - t0[1]! > 9e7, `both vCPUs run flat out: ${t1.map((x, i) => x - t0[i]!)}`);

  sc.setOnline(rec.domid, 1);
  h.run(10 * MS);
  t0 = times(sc, rec.domid);
  h.run(100 * MS);
  t1 = times(sc, rec.domid);
  assert.equal(t1[1], t0[1], 'vCPU 1 is offline');
  assert.equal(sc.vcpuList(rec.domid)[1]!.state, '-');
  assert.ok(t1[0]! - t0[0]! > 9e7);

  sc.setOnline(rec.domid, 2);
  h.run(10 * MS);
  t0 = times(sc, rec.domid);
  h.run(100 * MS);
  t1 = times(sc, rec.domid);
  assert.ok(t1[1]! - t0[1]! > 9e7, 'vCPU 1 runs again');

  sc.pin(rec.domid, 0, 0b01);
  sc.pin(rec.domid, 1, 0b01);
  h.run(50 * MS);
  t0 = times(sc, rec.domid);
  h.run(300 * MS);
  t1 = times(sc, rec.domid);
  const d = t1.map((x, i) => x - t0[i]!);
  assert.ok(Math.abs(d[0]! + d[1]! - 3e8) < 3e6, `together one hart's worth: ${d}`);
  assert.ok(Math.abs(d[0]! - d[1]!) < 0.1 * 3e8, `shared evenly: ${d}`);
  assert.deepEqual(sc.vcpuList(rec.domid).map((v) => v.cpu), [0, 0]);
});

test('credit: a 2-vCPU domain and a 1-vCPU domain of equal weight on one hart get half each', () => {
  const { h, sc } = setup('credit', 1);
  const two = start(h, 'two', 'smp-hog', 2);
  const one = h.create(parseConfig('name = "one"\nkernel = "k"\nmemory = 4\ncmdline = "sched-hog"\n', 'one'), { kernel: MINIOS });
  h.run(200 * MS);
  const a0 = times(sc, two.domid), b0 = times(sc, one.domid);
  h.run(1500 * MS);
  const a = times(sc, two.domid).reduce((n, x, i) => n + x - a0[i]!, 0), b = times(sc, one.domid)[0]! - b0[0]!;
  const share = a / (a + b);
  assert.ok(Math.abs(share - 0.5) < 0.5 * 0.03, `the 2-vCPU domain got ${share}`);
});
