/*
 * Runs every conformance image (guests/conformance/{isa,priv}/*.S, built into
 * guests/images/conformance/) on the rv32 machine and reads the finisher verdict: exit 0
 * is a pass; otherwise the code is the failing test number, or 0x800 + mcause for an
 * unexpected trap (see guests/conformance/test.h). The same images pass on QEMU virt
 * (conformance-qemu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeSession } from '../src/native/native-run.js';
import { describeCause } from '../src/machine/rv32/csr.js';
import { CONFORMANCE_DIR as dir, conformanceImages, hartsFor } from './support/conformance.js';

const images = conformanceImages();

test('conformance images exist', () => {
  assert.ok(images.length > 0, `no conformance images in ${dir}: run 'make -C guests'`);
});

for (const img of images) {
  test(`conformance: ${img}`, () => {
    const out: number[] = [];
    const session = new NativeSession(readFileSync(join(dir, img)), img, {
      bios: 'none', harts: hartsFor(img), ramSize: 128 * 1024 * 1024,
      maxInsns: 200_000_000, consoleOut: (b) => out.push(b), reboot: false,
    });
    const r = session.runToCompletion();
    const code = r.exitCode;
    const why = code >= 0x800 && code < 0x1000 ? `unexpected trap: ${describeCause(code - 0x800)}`
      : code === 124 ? 'did not finish within the instruction limit' : `failed test number ${code}`;
    assert.equal(code, 0, `${img}: ${why}; console: ${Buffer.from(out).toString()}`);
  });
}
