/*
 * minios, native build: the Mini-OS-style kernel boots on the bare machine under the SBI
 * firmware, runs its self-tests (page tables, timers, user processes, system calls,
 * demand paging, context switches, ...) and powers off. Every test line must be PASS and
 * the closing count must agree with the lines printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, image } from './support/paths.js';

const BIN = join(REPO_ROOT, 'bin', 'tsxen.js');

function runNative(name: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'run-native', image(name), '--bios', 'sbi', '--max-insns', '2000000000'],
    { encoding: 'utf8', timeout: 120_000, input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const EXPECTED_TESTS = [
  'console', 'time', 'pt-build-switch', 'pt-single', 'pt-batch', 'pt-writable', 'pin-unpin', 'timer',
  'block-wakeup', 'user-process', 'syscall', 'demand-paging', 'context-switch', 'process-create',
  'user-isolation', 'no-leak', 'ipi',
];

test('minios-native passes every self-test and powers off cleanly', { skip: !existsSync(image('minios-native.elf')) }, () => {
  const r = runNative('minios-native.elf');
  assert.equal(r.status, 0, `exit status ${r.status}\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split(/\r?\n/);
  const passed = lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5));
  const failed = lines.filter((l) => l.startsWith('FAIL '));
  assert.deepEqual(failed, [], 'no FAIL lines');
  assert.deepEqual(passed, EXPECTED_TESTS, 'every self-test ran, in order');
  const done = r.stdout.match(/^minios: done (\d+) passed (\d+) failed$/m);
  assert.ok(done, 'the closing line is printed');
  assert.equal(Number(done[1]), passed.length);
  assert.equal(Number(done[2]), 0);
  assert.match(r.stdout, /hello from user process \d+/, 'a user process wrote through a system call');
});

test('minios-native-bench prints a BENCH line for every microbenchmark and the CPU workload', { skip: !existsSync(image('minios-native-bench.elf')) }, () => {
  const r = runNative('minios-native-bench.elf');
  assert.equal(r.status, 0, `exit status ${r.status}\n${r.stdout}\n${r.stderr}`);
  const bench = new Map<string, { n: number; cycles: number }>();
  for (const m of r.stdout.matchAll(/^BENCH (\S+) (\d+) (\d+)$/gm)) bench.set(m[1]!, { n: Number(m[2]), cycles: Number(m[3]) });
  for (const name of ['null-syscall', 'page-fault', 'context-switch', 'process-create', 'map-single', 'map-batch', 'cpu']) {
    const b = bench.get(name);
    assert.ok(b !== undefined, `BENCH ${name} is printed`);
    assert.ok(b.n > 0 && b.cycles > 0, `BENCH ${name} has a count and a cycle figure`);
  }
  assert.doesNotMatch(r.stdout, /^FAIL /m);
});
