/*
 * Scheduling with real PV guests on the hypervisor (virtual time only): Credit weights
 * and BVT warp on minios workloads (guests/minios/arch/pv/pv-sched.c), affinity on two
 * harts, the privilege check of every scheduling operation, and the toolstack actions
 * and xl output formats of the scheduling commands.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { SchedControl } from '../src/hv/sched-control.js';
import type { SchedParams, SchedulerName } from '../src/hv/sched/scheduler.js';
import { XenError } from '../src/hv/abi/xen.js';
import { applySchedConfig, dispatchSched, formatCpuList, parseCpuList, SchedError } from '../src/toolstack/sched.js';
import {
  formatSchedBvt, formatSchedCredit, parseSchedBvt, parseSchedCredit, parseSchedRr, parseVcpuPin, parseVcpuSet,
} from '../src/cli/sched.js';
import { UsageError } from '../src/cli/command.js';
import { image } from './support/paths.js';

const MINIOS = readFileSync(image('minios-pv.elf'));
const MS = 100_000;

function host(scheduler: SchedulerName, harts = 1) {
  const h = new XenHost({ scheduler, harts, memMiB: 64 });
  return { h, sc: new SchedControl(h.hv, h.hv.dom0) };
}

function start(h: XenHost, sc: SchedControl, name: string, cmdline: string, params: SchedParams = {}): GuestRecord {
  const rec = h.create(parseConfig(`name = "${name}"\nkernel = "k"\nmemory = 4\ncmdline = "${cmdline}"\n`, name), { kernel: MINIOS, paused: true });
  if (Object.keys(params).length > 0) sc.setParams(rec.domid, params);
  h.ctl.unpause(rec.domid);
  return rec;
}

function cpu(sc: SchedControl, domid: number): number {
  return sc.vcpuList(domid).reduce((n, v) => n + v.cpuTimeNs, 0);
}

test('credit on guests: CPU hogs with weights 1:3 share a hart 25% / 75%', () => {
  const { h, sc } = host('credit');
  const a = start(h, sc, 'a', 'sched-hog', { weight: 256 });
  const b = start(h, sc, 'b', 'sched-hog', { weight: 768 });
  h.run(100 * MS);
  const a0 = cpu(sc, a.domid), b0 = cpu(sc, b.domid);
  h.run(900 * MS);
  const da = cpu(sc, a.domid) - a0, db = cpu(sc, b.domid) - b0;
  const share = da / (da + db);
  assert.ok(Math.abs(share - 0.25) < 0.25 * 0.03, `a got ${share}`);
  assert.ok(h.hv.stats.schedules > 0);
});

test('bvt on guests: a warped waker is dispatched within 100 µs of its deadline while hogs run', () => {
  const { h, sc } = host('bvt');
  start(h, sc, 'h1', 'sched-hog');
  start(h, sc, 'h2', 'sched-hog');
  const lat: number[] = [];
  let partial = '';
  const w = start(h, sc, 'w', 'sched-waker period=5000 work=500', { warpBack: 1, warpValue: 2000, warpLimitUs: 3000, unwarpUs: 1000 });
  h.onConsole = (rec, text) => {
    if (rec !== w) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (l.startsWith('LAT ')) lat.push(Number(l.slice(4)));
  };
  h.run(500 * MS);
  assert.ok(lat.length >= 90, `${lat.length} wake-ups`);
  assert.ok(Math.max(...lat) < 100_000, `worst latency ${Math.max(...lat)} ns`);
});

test('vcpu-pin on two harts: a vCPU runs where it is pinned and moves when re-pinned', () => {
  const { h, sc } = host('credit', 2);
  const recs = ['p', 'q', 'r'].map((n) => start(h, sc, n, 'sched-hog'));
  const p = recs[0]!.domid;
  sc.pin(p, 0, 0b10);
  h.run(100 * MS);
  assert.equal(sc.vcpuList(p)[0]!.cpu, 1);
  assert.equal(sc.vcpuList(p)[0]!.affinity, 0b10);
  assert.equal(h.ctl.vcpuList(p)[0]!.affinity, '1', 'Control.vcpuList (tsxen vcpu-list) shows it as xl does');
  assert.equal(h.ctl.vcpuList(recs[1]!.domid)[0]!.affinity, 'all');
  const t0 = cpu(sc, p);
  h.run(100 * MS);
  assert.ok(cpu(sc, p) > t0, 'it still runs');
  sc.pin(p, 0, 0b01);
  h.run(100 * MS);
  assert.equal(sc.vcpuList(p)[0]!.cpu, 0);
  assert.throws(() => sc.pin(p, 0, 0b100), XenError);
  assert.throws(() => sc.pin(p, 0, 0), XenError);
  assert.throws(() => sc.pin(p, 5, 1), XenError);
});

test('every scheduling operation is privileged', () => {
  const { h, sc } = host('credit');
  const rec = start(h, sc, 'g', 'sched-hog');
  const guest = new SchedControl(h.hv, h.hv.domains.get(rec.domid)!);
  assert.throws(() => guest.setParams(rec.domid, { weight: 65535 }), /not privileged/);
  assert.throws(() => guest.getParams(rec.domid), /not privileged/);
  assert.throws(() => guest.setGlobal({ tsliceMs: 1 }), /not privileged/);
  assert.throws(() => guest.pin(rec.domid, 0, 1), /not privileged/);
  assert.throws(() => guest.setOnline(rec.domid, 1), /not privileged/);
  assert.throws(() => guest.vcpuList(), /not privileged/);
  assert.deepEqual(sc.getParams(rec.domid), { weight: 256, cap: 0 });
  assert.throws(() => sc.setParams(rec.domid, { weight: 1 }, 'bvt'), /scheduler is credit/);
  assert.throws(() => sc.setParams(999, { weight: 1 }), /no domain/);
});

test('scheduling commands: arguments become actions', () => {
  assert.deepEqual(parseSchedCredit([]), { kind: 'sched-get', policy: 'credit' });
  assert.deepEqual(parseSchedCredit(['-d', 'web']), { kind: 'sched-get', policy: 'credit', domain: 'web' });
  assert.deepEqual(parseSchedCredit(['-d', 'web', '-w', '512', '-c', '50']),
    { kind: 'sched-set', policy: 'credit', domain: 'web', params: { weight: 512, cap: 50 }, global: {} });
  assert.deepEqual(parseSchedCredit(['-s', '-t', '5']), { kind: 'sched-set', policy: 'credit', params: {}, global: { tsliceMs: 5 } });
  assert.throws(() => parseSchedCredit(['-w', '512']), UsageError);
  assert.throws(() => parseSchedCredit(['-d', 'x', '-w', 'lots']), UsageError);
  assert.deepEqual(parseSchedBvt(['-d', '3', '-b', '1', '-w', '2000', '-l', '3000', '-u', '1000']),
    { kind: 'sched-set', policy: 'bvt', domain: '3', params: { warpBack: 1, warpValue: 2000, warpLimitUs: 3000, unwarpUs: 1000 }, global: {} });
  assert.deepEqual(parseSchedRr(['-s', '50']), { kind: 'sched-set', policy: 'rr', params: {}, global: { sliceMs: 50 } });
  assert.deepEqual(parseVcpuPin(['web', 'all', '0-1']), { kind: 'vcpu-pin', domain: 'web', vcpu: 'all', cpus: '0-1' });
  assert.deepEqual(parseVcpuPin(['web', '0', '1', '-']), { kind: 'vcpu-pin', domain: 'web', vcpu: 0, cpus: '1' });
  assert.throws(() => parseVcpuPin(['web', '0']), UsageError);
  assert.deepEqual(parseVcpuSet(['web', '2']), { kind: 'vcpu-set', domain: 'web', count: 2 });
  assert.throws(() => parseVcpuSet(['web', '0']), UsageError);
  assert.equal(parseCpuList('all', 4), 0b1111);
  assert.equal(parseCpuList('0,2-3', 4), 0b1101);
  assert.equal(parseCpuList('^1', 4), 0b1101);
  assert.throws(() => parseCpuList('4', 4), SchedError);
  assert.equal(formatCpuList(0b1101, 4), '0,2-3');
  assert.equal(formatCpuList(0b1111, 4), 'all');
});

test('scheduling actions on a host, printed as xl prints them', () => {
  const { h, sc } = host('credit', 2);
  const rec = start(h, sc, 'web', 'sched-hog');
  const resolve = (d: string) => (/^\d+$/.test(d) ? Number(d) : [...h.guests.values()].find((r) => r.config.name === d)!.domid);
  const domains = () => [...h.hv.domains.values()].map((d) => ({ domid: d.id, name: d.name }));
  dispatchSched(sc, 2, parseSchedCredit(['-d', 'web', '-w', '512', '-c', '50']), resolve, domains);
  const info = dispatchSched(sc, 2, parseSchedCredit([]), resolve, domains)!;
  assert.equal(formatSchedCredit(info),
    'Cpupool Pool-0: tslice=30ms ratelimit=0us migrate_resist=0us\n' +
    'Name                                ID Weight  Cap\n' +
    'Domain-0                             0    256    0\n' +
    `web                               ${String(rec.domid).padStart(4)}    512   50\n`);
  dispatchSched(sc, 2, parseVcpuPin(['web', 'all', '1']), resolve, domains);
  assert.equal(sc.vcpuList(rec.domid)[0]!.affinity, 0b10);
  assert.throws(() => dispatchSched(sc, 2, parseSchedBvt([]), resolve, domains), /running scheduler is credit/);
  const b = host('bvt');
  start(b.h, b.sc, 'w', 'sched-hog');
  const bi = dispatchSched(b.sc, 1, parseSchedBvt([]), () => 1, () => [...b.h.hv.domains.values()].map((d) => ({ domid: d.id, name: d.name })))!;
  assert.match(formatSchedBvt(bi), /^BVT: ctx_allow=5000us mcu=100us\nName +ID MCUadv Warpback  Warpvalue  Warpl\(us\)  Warpu\(us\)\nDomain-0 +0 +10 +0 +0 +0 +0\nw +1 +10 /);
});

test('vcpu-pin of a blocked vCPU: its timer follows it to the new hart', () => {
  const { h, sc } = host('credit', 2);
  const w = start(h, sc, 'w', 'sched-waker period=2000 work=50');
  let wakes = 0;
  h.onConsole = (rec, text) => { if (rec === w) wakes += text.split('\n').filter((l) => l.startsWith('LAT ')).length; };
  h.run(20 * MS);
  const v = h.hv.domains.get(w.domid)!.vcpus[0]!;
  assert.equal(v.processor, 0);
  // Pin it to the idle hart 1 while it sleeps between wake-ups.
  h.runUntil(() => v.state === 3 /* BLOCKED */, 10 * MS, 1000);
  sc.pin(w.domid, 0, 0b10);
  const before = wakes;
  h.run(100 * MS);
  assert.ok(wakes - before >= 45, `${wakes - before} wake-ups in 100 ms after the pin`);
  assert.equal(sc.vcpuList(w.domid)[0]!.cpu, 1);
});

test('a config\'s cpus=, cpu_weight= and cap= reach the scheduler', () => {
  const { h, sc } = host('credit', 2);
  const cfg = parseConfig('name = "c"\nkernel = "k"\nmemory = 4\ncmdline = "sched-hog"\ncpus = "1"\ncpu_weight = 512\ncap = 40\n', 'c.cfg');
  const rec = h.create(cfg, { kernel: MINIOS, paused: true });
  applySchedConfig(sc, 2, rec.domid, cfg);
  h.ctl.unpause(rec.domid);
  h.run(300 * MS);
  assert.deepEqual(sc.getParams(rec.domid), { weight: 512, cap: 40 });
  assert.equal(sc.vcpuList(rec.domid)[0]!.cpu, 1);
  const share = sc.vcpuList(rec.domid)[0]!.cpuTimeNs / 3e9 * 10;
  assert.ok(share > 0.3 && share < 0.45, `cap 40 alone: ${share}`);
  const b = host('bvt');
  const r2 = b.h.create(parseConfig('name = "c"\nkernel = "k"\nmemory = 4\ncmdline = "sched-hog"\n', 'c.cfg'), { kernel: MINIOS, paused: true });
  assert.throws(() => applySchedConfig(b.sc, 1, r2.domid, { cpuWeight: 512 }), /Credit parameters/);
  assert.throws(() => applySchedConfig(b.sc, 1, r2.domid, { cpus: '3' }), SchedError);
});

test('runstate: running, runnable, blocked and offline time per vCPU', () => {
  const { h, sc } = host('credit');
  const a = start(h, sc, 'a', 'sched-hog');
  start(h, sc, 'b', 'sched-hog');
  const w = start(h, sc, 'w', 'sched-waker period=5000 work=100');
  h.run(1000 * MS);
  const rs = (domid: number) => sc.vcpuList(domid)[0]!.runstateNs;
  const [run, runnable, blocked] = rs(a.domid);
  const total = run + runnable + blocked + rs(a.domid)[3];
  assert.ok(Math.abs(total - 1e9) < 2e7, `the four add up to the domain's life: ${total}`);
  assert.ok(run > 0.4e9 && runnable > 0.4e9 && blocked < 1e7, `a hog beside another: ${rs(a.domid)}`);
  const wr = rs(w.domid);
  assert.ok(wr[2] > 0.9e9, `the waker is mostly blocked: ${wr}`);
  assert.ok(Math.abs(wr[0] - sc.vcpuList(w.domid)[0]!.cpuTimeNs) < 1e6, 'running time is its CPU time');
  h.ctl.pause(a.domid);
  const before = rs(a.domid);
  h.run(100 * MS);
  const after = rs(a.domid);
  assert.ok(after[3] - before[3] > 0.09e9, `paused: offline ${after[3] - before[3]}`);
  assert.ok(after[0] - before[0] < 1e5, 'it stops running once its hart takes the IPI');
});
