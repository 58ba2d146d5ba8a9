/*
 * `tsxen run-native` as a user meets it: real processes, real exit statuses, and
 * one-line errors (never a stack trace) for every kind of bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, image } from './support/paths.js';
import { makeElf, words } from './support/elf-writer.js';
import { Program, asm, li, to } from './support/asm.js';

const BIN = join(REPO_ROOT, 'bin', 'tsxen.js');
const tmp = mkdtempSync(join(tmpdir(), 'tsxen-cli-'));

function tsxen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An M-mode image at 0x80000000 that writes `value` to the finisher. */
function finisherImage(name: string, value: number): string {
  const prog = [...li(5, 0x100000), ...li(6, value), asm.sw(6, 5, 0), asm.jal(0, 0)];
  const file = join(tmp, name);
  writeFileSync(file, makeElf(0x80000000, [{ paddr: 0x80000000, bytes: words(prog) }]));
  return file;
}

function assertOneLineError(r: { stderr: string }, pattern: RegExp): void {
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('hello-m.elf prints its greeting and exits 0', { skip: !existsSync(image('hello-m.elf')) }, () => {
  const r = tsxen('run-native', image('hello-m.elf'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Hello from tsxen/);
  assert.match(r.stdout, /M-mode/);
});

test('hello-s.elf boots under the SBI firmware, prints its greeting and exits 0', { skip: !existsSync(image('hello-s.elf')) }, () => {
  const r = tsxen('run-native', image('hello-s.elf'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Hello from tsxen/);
  assert.match(r.stdout, /S-mode/);
});

test('the exit status is the finisher code', () => {
  assert.equal(tsxen('run-native', finisherImage('pass.elf', 0x5555)).status, 0);
  const fail = tsxen('run-native', finisherImage('fail.elf', (7 << 16) | 0x3333));
  assert.equal(fail.status, 7);
  assert.match(fail.stderr, /fail, code 7/);
  assert.equal(tsxen('run-native', finisherImage('fail300.elf', (300 << 16) | 0x3333)).status, 255, 'codes above 255 must not wrap');
  assert.equal(tsxen('run-native', finisherImage('reset.elf', 0x7777), '--no-reboot').status, 0);
});

test('a guest that resets itself reboots, and every engine retires the same instructions', () => {
  // Each boot counts itself in RAM outside the image (which is reloaded), runs a hot loop
  // (translated), and resets until the third boot, which passes.
  const p = new Program();
  p.emit(...li(5, 0x80100000), asm.lw(6, 5, 0), asm.addi(6, 6, 1), asm.sw(6, 5, 0), ...li(7, 200_000));
  p.label('loop').emit(asm.addi(7, 7, -1), to.b(asm.bne, 7, 0, 'loop'));
  p.emit(...li(8, 3), ...li(9, 0x100000), to.b(asm.blt, 6, 8, 'reset'));
  p.emit(...li(10, 0x5555), asm.sw(10, 9, 0), asm.jal(0, 0));
  p.label('reset').emit(...li(10, 0x7777), asm.sw(10, 9, 0), asm.jal(0, 0));
  const file = join(tmp, 'reboots.elf');
  writeFileSync(file, makeElf(0x80000000, [{ paddr: 0x80000000, bytes: words(p.assemble(0x80000000)) }]));
  const counts = ['interp', 'jit', 'wasm'].map((engine) => {
    const stats = join(tmp, `reboots-${engine}.json`);
    const r = tsxen('run-native', file, '--bios', 'none', '--engine', engine, '--stats-json', stats);
    assert.equal(r.status, 0, `${engine}: ${r.stderr}`);
    return JSON.parse(readFileSync(stats, 'utf8')).instructions as number;
  });
  assert.ok(counts[0]! > 3 * 400_000, 'three boots ran their loops');
  assert.deepEqual(counts, [counts[0], counts[0], counts[0]], 'every engine retired the same instructions');
});

test('--max-insns stops a guest that never finishes with status 124', () => {
  const file = join(tmp, 'spin.elf');
  writeFileSync(file, makeElf(0x80000000, [{ paddr: 0x80000000, bytes: words([asm.jal(0, 0)]) }]));
  const r = tsxen('run-native', file, '--max-insns', '5000', '--stats-json', join(tmp, 'stats.json'));
  assert.equal(r.status, 124);
  assert.match(r.stderr, /instruction limit/);
  const stats = JSON.parse(readFileSync(join(tmp, 'stats.json'), 'utf8'));
  assert.equal(stats.instructions, 5000);
});

test('an image with a tohost symbol finishes through it, and --signature dumps its signature', () => {
  const data = 0x80001000;
  const prog = [
    ...li(5, data + 8), ...li(6, 0xdeadbeef), asm.sw(6, 5, 0), ...li(6, 0x1234), asm.sw(6, 5, 4),
    ...li(5, data), ...li(6, (3 << 1) | 1), asm.sw(6, 5, 0), asm.jal(0, 0),
  ];
  const file = join(tmp, 'htif.elf');
  writeFileSync(file, makeElf(0x80000000, [
    { paddr: 0x80000000, bytes: words(prog) }, { paddr: data, bytes: new Uint8Array(16) },
  ], { symbols: { tohost: data, begin_signature: data + 8, end_signature: data + 16 } }));
  const r = tsxen('run-native', file, '--signature', join(tmp, 'sig.txt'));
  assert.equal(r.status, 3, 'tohost (3 << 1) | 1 is a failure of test 3');
  assert.match(r.stderr, /tohost: fail, test 3/);
  assert.equal(readFileSync(join(tmp, 'sig.txt'), 'utf8'), 'deadbeef\n00001234\n');
});

test('--trace prints each instruction with its disassembly', () => {
  const r = tsxen('run-native', finisherImage('trace.elf', 0x5555), '--trace');
  assert.equal(r.status, 0);
  assert.match(r.stderr, /hart0 M 80000000: 001002b7 {2}lui t0, 0x100/);
  assert.match(r.stderr, /sw t1, 0\(t0\)/);
});

test('bad input gets a one-line error and a non-zero status', () => {
  let r = tsxen('run-native', join(tmp, 'missing.elf'));
  assert.equal(r.status, 1);
  assertOneLineError(r, /missing\.elf: no such file/);

  r = tsxen('run-native', join(REPO_ROOT, 'package.json'));
  assert.equal(r.status, 1);
  assertOneLineError(r, /not an ELF file/);

  r = tsxen('run-native', process.execPath); // the host's own (64-bit) node binary
  assert.equal(r.status, 1);
  assertOneLineError(r, /not a 32-bit ELF/);

  const x86 = join(tmp, 'x86.elf');
  writeFileSync(x86, makeElf(0x80000000, [{ paddr: 0x80000000, bytes: words([0]) }], { machine: 3 }));
  r = tsxen('run-native', x86);
  assertOneLineError(r, /not a RISC-V image/);

  const outside = join(tmp, 'outside.elf');
  writeFileSync(outside, makeElf(0x80000000, [{ paddr: 0x80000000, bytes: words([0]) }, { paddr: 0x40000000, bytes: words([0]) }]));
  r = tsxen('run-native', outside);
  assert.equal(r.status, 1);
  assertOneLineError(r, /segment 0x40000000-0x40000003 is outside RAM/);

  r = tsxen('run-native', finisherImage('big.elf', 0x5555), '--mem', 'lots');
  assert.equal(r.status, 2);
  assertOneLineError(r, /cannot parse size 'lots'/);

  r = tsxen('run-native', finisherImage('harts.elf', 0x5555), '--harts', '9');
  assert.equal(r.status, 2);
  assertOneLineError(r, /--harts must be a whole number from 1 to 8/);

  r = tsxen('run-native');
  assert.equal(r.status, 2);
  assertOneLineError(r, /no image given/);

  r = tsxen('run-native', finisherImage('opt.elf', 0x5555), '--bogus');
  assert.equal(r.status, 2);
  assertOneLineError(r, /Unknown option '--bogus'/);

  r = tsxen('no-such-command');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown command 'no-such-command'/);
});
