/*
 * The trap values tsxen chooses where the spec allows several (docs/machine.md, "Choices
 * where the spec allows more than one"). The conformance images accept what the spec
 * allows so that they pass on QEMU versions that choose otherwise; these tests pin
 * tsxen's own choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Program, asm, li, to } from '../../../tests/support/asm.js';
import { makeElf, words } from '../../../tests/support/elf-writer.js';
import { NativeSession } from '../../native/native-run.js';

const BASE = 0x80000000;
const RESULTS = 0x80100000;
const RAM = 128 * 1024 * 1024;
const t0 = 5, t1 = 6, s0 = 8, s1 = 9, a1 = 11;
const CSR_MTVEC = 0x305, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343;

/** Runs `body` (after mtvec setup); the first trap records mcause, mtval, mepc and passes. */
function firstTrap(body: (p: Program) => void): { mcause: number; mtval: number; mepc: number; at: (l: string) => number } {
  const p = new Program();
  p.emit(li(s0, RESULTS), to.la(t0, 'handler'), asm.csrrw(0, CSR_MTVEC, t0));
  body(p);
  p.label('hang').emit(to.jal(0, 'hang'));
  p.label('handler');
  p.emit(asm.csrrs(t0, CSR_MCAUSE, 0), asm.sw(t0, s0, 0));
  p.emit(asm.csrrs(t0, CSR_MTVAL, 0), asm.sw(t0, s0, 4));
  p.emit(asm.csrrs(t0, CSR_MEPC, 0), asm.sw(t0, s0, 8));
  p.emit(li(t0, 0x100000), li(t1, 0x5555), asm.sw(t1, t0, 0));
  const elf = makeElf(BASE, [{ paddr: BASE, bytes: words(p.assemble(BASE)) }]);
  const s = new NativeSession(elf, 'trap-values', { bios: 'none', ramSize: RAM, maxInsns: 100_000 });
  const r = s.runToCompletion();
  assert.equal(r.exitCode, 0, `the program trapped and passed: ${JSON.stringify(r.reason)}`);
  const word = (off: number): number => s.machine.ram.i32[((RESULTS - BASE) + off) >>> 2]! >>> 0;
  return { mcause: word(0), mtval: word(4), mepc: word(8), at: (l) => p.address(l, BASE) };
}

test('ebreak: mtval is 0 (as QEMU 7.2), mepc the ebreak', () => {
  const r = firstTrap((p) => p.label('bp').emit(asm.ebreak()));
  assert.deepEqual([r.mcause, r.mtval, r.mepc], [3, 0, r.at('bp')]);
});

test('a misaligned load running past the end of RAM: mtval is the first byte outside RAM', () => {
  const end = BASE + RAM;
  const r = firstTrap((p) => p.emit(li(s1, end - 2)).label('ld').emit(asm.lw(a1, s1, 0)));
  assert.deepEqual([r.mcause, r.mtval, r.mepc], [5, end >>> 0, r.at('ld')]);
});

test('a misaligned store running past the end of RAM: mtval is the first byte outside RAM', () => {
  const end = BASE + RAM;
  const r = firstTrap((p) => p.emit(li(s1, end - 1)).label('st').emit(asm.sh(a1, s1, 0)));
  assert.deepEqual([r.mcause, r.mtval, r.mepc], [7, end >>> 0, r.at('st')]);
});

test('a misaligned load that starts outside RAM: mtval is its own address', () => {
  const r = firstTrap((p) => p.emit(li(s1, 0x7ffffffe)).label('ld').emit(asm.lw(a1, s1, 0)));
  assert.deepEqual([r.mcause, r.mtval, r.mepc], [5, 0x7ffffffe, r.at('ld')]);
});
