import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Program, asm, li, to } from '../../../tests/support/asm.js';
import { makeElf, words } from '../../../tests/support/elf-writer.js';
import { NativeSession } from '../../native/native-run.js';

const BASE = 0x80000000;
const RESULTS = 0x80100000;
const t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, s2 = 18, s3 = 19, t3 = 28, t4 = 29, t5 = 30;
const CSR_MTVEC = 0x305, CSR_MIE = 0x304, CSR_MSTATUS = 0x300;
const TICKS = 20, PERIOD = 50;

/** Counts in a loop while a periodic machine timer interrupt samples the counter. */
function timerProgram(): Program {
  const p = new Program();
  p.emit(li(s0, RESULTS), to.la(t0, 'handler'), asm.csrrw(0, CSR_MTVEC, t0));
  p.emit(li(s1, 0x0200bff8), li(s2, 0x02004000));
  p.emit(asm.lw(t0, s1, 0), asm.addi(t0, t0, PERIOD), asm.sw(t0, s2, 0), asm.sw(0, s2, 4));
  p.emit(li(t0, 0x80), asm.csrrs(0, CSR_MIE, t0), li(t0, 8), asm.csrrs(0, CSR_MSTATUS, t0));
  p.emit(li(s3, 0));
  p.label('loop').emit(asm.addi(s3, s3, 1), to.jal(0, 'loop'));
  p.label('handler');
  p.emit(asm.lw(t1, s1, 0), asm.lw(t2, s2, 0), asm.sub(t1, t1, t2));        // lateness in ticks
  p.emit(asm.lw(t3, s0, 0), asm.slli(t4, t3, 3), asm.add(t4, t4, s0));
  p.emit(asm.sw(t1, t4, 8), asm.sw(s3, t4, 12), asm.addi(t3, t3, 1), asm.sw(t3, s0, 0));
  p.emit(li(t5, TICKS), to.b(asm.beq, t3, t5, 'done'));
  p.emit(asm.addi(t2, t2, PERIOD), asm.sw(t2, s2, 0), asm.mret());
  p.label('done').emit(li(t0, 0x100000), li(t1, 0x5555), asm.sw(t1, t0, 0));
  p.label('hang').emit(to.jal(0, 'hang'));
  return p;
}

function runTimer(): { samples: number[]; lateness: number[]; instret: number; cycles: number } {
  const elf = makeElf(BASE, [{ paddr: BASE, bytes: words(timerProgram().assemble(BASE)) }]);
  const s = new NativeSession(elf, 'timer', { bios: 'none', maxInsns: 10_000_000 });
  const r = s.runToCompletion();
  assert.equal(r.exitCode, 0, JSON.stringify(r.reason));
  const at = (off: number): number => s.machine.ram.i32[((RESULTS - BASE) + off) >>> 2]!;
  const samples: number[] = [], lateness: number[] = [];
  for (let i = 0; i < TICKS; i++) { lateness.push(at(8 + 8 * i)); samples.push(at(12 + 8 * i)); }
  return { samples, lateness, instret: r.instructions, cycles: r.cycles };
}

test('timer interrupts arrive at the same instruction on every run', () => {
  const a = runTimer();
  const b = runTimer();
  assert.deepEqual(a.samples, b.samples);
  assert.equal(a.instret, b.instret);
  assert.equal(a.cycles, b.cycles);
  // Periodic: the loop (two instructions per count) advances by the same amount between
  // ticks, give or take the one count that straddles a tick.
  const deltas = a.samples.slice(1).map((v, i) => v - a.samples[i]!);
  const lo = Math.min(...deltas), hi = Math.max(...deltas);
  assert.ok(hi - lo <= 1 && lo > 0, `equal periods: ${deltas.join(',')}`);
});

test('a timer interrupt is taken as soon as mtime reaches mtimecmp', () => {
  const { lateness } = runTimer();
  // Reading mtime is the handler's first instruction: trap entry (20 cycles) is 2 ticks.
  for (const l of lateness) assert.ok(l >= 0 && l <= 3, `lateness ${l} ticks`);
});
