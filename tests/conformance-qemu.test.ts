/*
 * The conformance images are instruments for tsxen *and* for QEMU: each one must also
 * pass on `qemu-system-riscv32 -M virt -bios none` (with `-smp N` for a `// harts: N`
 * test), so a test that encodes a misreading of the spec fails here instead of making
 * tsxen wrong. Skipped where qemu-system-riscv32 is not installed (CI installs it:
 * tools/install-toolchain.sh --qemu).
 *
 * QEMU's exit status is the finisher code's low byte: the failing test number mod 256,
 * or 0x800 + mcause mod 256 for an unexpected trap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CONFORMANCE_DIR, conformanceImages, hartsFor } from './support/conformance.js';

const hasQemu = spawnSync('qemu-system-riscv32', ['--version']).status === 0;

for (const img of conformanceImages()) {
  test(`conformance on QEMU: ${img}`, { skip: hasQemu ? false : 'qemu-system-riscv32 not installed' }, () => {
    const harts = hartsFor(img);
    const r = spawnSync('qemu-system-riscv32', [
      '-M', 'virt', '-smp', String(harts), '-bios', 'none', '-nographic', '-monitor', 'none',
      '-serial', 'stdio', '-kernel', join(CONFORMANCE_DIR, img),
    ], { encoding: 'latin1', timeout: 60_000, input: '' });
    const why = r.status === null ? `QEMU did not finish (${r.signal ?? r.error?.message})`
      : `QEMU exit status ${r.status}`;
    assert.equal(r.status, 0, `${img} on QEMU (${harts} hart(s)): ${why}; output: ${r.stdout}${r.stderr}`);
  });
}
