/*
 * An SMP PV kernel runs its processes on all its vCPUs (issue 5): minios's `smp-procs`
 * mode brings up its secondary vCPUs into the kernel's scheduler (one run queue behind a
 * spinlock, an idle context per vCPU woken by IPIs, per-vCPU time slices) and runs four
 * CPU-bound user processes. With two vCPUs on two harts, both vCPUs run process slices
 * and the hypervisor charges both of them; with one vCPU the same processes still all run.
 * How much faster two vCPUs are is a benchmark figure (`npm run bench:sched`, "smp").
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { image } from './support/paths.js';

const MINIOS = readFileSync(image('minios-pv.elf'));
const N = 4;

interface Run { out: string; slices: number[]; cpuNs: number[] }

function boot(vcpus: number): Run {
  const host = new XenHost({ harts: 2, memMiB: 64 });
  const rec: GuestRecord = host.create(parseConfig(
    `name = "procs"\nkernel = "k"\nmemory = 8\nvcpus = ${vcpus}\ncmdline = "smp-procs n=${N} iters=1"\non_poweroff = "preserve"\n`,
    'procs'), { kernel: MINIOS });
  const done = () => rec.console.recent().includes('minios: done');
  assert.ok(host.runUntil(done, 1e9), rec.console.recent());
  const out = rec.console.recent();
  const cpuNs = host.ctl.vcpuList(rec.domid).map((v) => v.cpuTimeNs);
  host.destroy(rec.domid);
  assert.match(out, new RegExp(`^BENCH smp-procs ${N} \\d+$`, 'm'));
  const slices: number[] = [];
  for (const [, cpu, n] of out.matchAll(/^SMP cpu (\d+) slices (\d+)$/gm)) slices[Number(cpu)] = Number(n);
  return { out, slices, cpuNs };
}

test('smp-procs: user processes run on both vCPUs of a 2-vCPU domain, and on the one vCPU of another', () => {
  const two = boot(2);
  assert.match(two.out, /^SMP vcpus 2$/m);
  assert.match(two.out, /^PASS smp-procs$/m, two.out);
  assert.doesNotMatch(two.out, /^FAIL/m, two.out);
  assert.match(two.out, /minios: done 1 passed 0 failed/);
  assert.equal((two.out.match(/^BENCH cpu 1 \d+$/gm) ?? []).length, N, 'every process computed the right digests');
  assert.equal(two.slices.length, 2, two.out);
  for (const s of two.slices) assert.ok(s >= 5, `each vCPU ran process slices: ${two.slices}`);

  // The hypervisor's accounting charged both vCPUs for the work they did.
  assert.equal(two.cpuNs.length, 2);
  for (const ns of two.cpuNs) assert.ok(ns > 0, `vCPU time ${two.cpuNs} ns`);

  const one = boot(1);
  assert.match(one.out, /^PASS smp-procs$/m, one.out);
  assert.deepEqual(one.slices.length, 1);
  assert.equal(one.cpuNs.length, 1);
  assert.equal((one.out.match(/^BENCH cpu 1 \d+$/gm) ?? []).length, N, 'every process computed the right digests');
});
