/*
 * The same image on tsxen and on QEMU's virt machine must print the same console output
 * and finish with the same status. Skipped where qemu-system-riscv32 is not installed
 * (CI installs it: tools/install-toolchain.sh --qemu).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { NativeSession } from '../src/native/native-run.js';
import { image } from './support/paths.js';

const hasQemu = spawnSync('qemu-system-riscv32', ['--version']).status === 0;

function onQemu(file: string, bios: 'none' | 'default'): { status: number | null; out: string; err: string } {
  const args = ['-M', 'virt', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-kernel', file];
  if (bios === 'none') args.unshift('-bios', 'none');
  const r = spawnSync('qemu-system-riscv32', args, { encoding: 'latin1', timeout: 60_000, input: '' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function onTsxen(file: string, bios: 'none' | 'sbi'): { status: number; out: string } {
  const bytes: number[] = [];
  const r = new NativeSession(readFileSync(file), file, { bios, consoleOut: (b) => bytes.push(b), maxInsns: 500_000_000 })
    .runToCompletion();
  return { status: r.exitCode, out: Buffer.from(bytes).toString('latin1') };
}

for (const name of ['hello-m.elf', 'bench-cpu-small.elf']) {
  test(`${name} prints the same and exits the same on tsxen and on QEMU (-bios none)`, {
    skip: !hasQemu ? 'qemu-system-riscv32 not installed' : !existsSync(image(name)) ? `${name} not built` : false,
  }, () => {
    const q = onQemu(image(name), 'none');
    const t = onTsxen(image(name), 'none');
    assert.equal(t.status, q.status);
    // Lines that print counters (instret, cycles) differ by design; compare the rest.
    const strip = (s: string): string => s.replace(/\r/g, '').split('\n').filter((l) => !/instret|cycle|time/i.test(l)).join('\n');
    assert.equal(strip(t.out), strip(q.out));
  });
}

test('hello-s.elf greets on tsxen (SBI) as on QEMU (OpenSBI)', {
  skip: !hasQemu ? 'qemu-system-riscv32 not installed' : !existsSync(image('hello-s.elf')) ? 'hello-s.elf not built' : false,
}, (ctx) => {
  const q = onQemu(image('hello-s.elf'), 'default');
  // Debian's QEMU ships no 32-bit OpenSBI, so -bios default cannot boot an S-mode image there.
  if (/Unable to load the RISC-V firmware/.test(q.err)) { ctx.skip('QEMU has no rv32 OpenSBI firmware'); return; }
  const t = onTsxen(image('hello-s.elf'), 'sbi');
  assert.equal(t.status, q.status);
  // OpenSBI prints its banner first; the kernel's own lines must match.
  const kernelLines = t.out.replace(/\r/g, '').split('\n').filter((l) => l.length > 0 && !/instret|cycle|time/i.test(l));
  assert.ok(kernelLines.length > 0);
  for (const line of kernelLines) assert.ok(q.out.includes(line), `QEMU printed ${JSON.stringify(line)} too`);
});
