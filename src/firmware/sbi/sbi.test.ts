import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Program, asm, li, to } from '../../../tests/support/asm.js';
import { makeElf, words } from '../../../tests/support/elf-writer.js';
import { NativeSession } from '../../native/native-run.js';

const BASE = 0x80400000;
const RESULTS = 0x80500000;
// registers
const t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a6 = 16, a7 = 17;
const CSR_STVEC = 0x105, CSR_SIE = 0x104, CSR_SSTATUS = 0x100, CSR_SCAUSE = 0x142, CSR_TIME = 0xc01;

const sbi = (eid: number, fid: number): number[] => [...li(a7, eid), ...li(a6, fid), asm.ecall()];

/** An S-mode kernel that exercises the SBI calls and records what they return. */
function kernel(): Program {
  const p = new Program();
  p.emit(li(s0, RESULTS));
  p.emit(sbi(0x10, 0), asm.sw(a0, s0, 0), asm.sw(a1, s0, 4));                       // spec version
  p.emit(li(a0, 0x54494d45), sbi(0x10, 3), asm.sw(a1, s0, 8));                       // probe TIME
  p.emit(li(a0, 0x12345), sbi(0x10, 3), asm.sw(a1, s0, 12));                         // probe unknown
  p.emit(sbi(0x999, 0), asm.sw(a0, s0, 16));                                         // unknown extension
  p.emit(li(a0, 75), sbi(0x4442434e, 2));                                            // DBCN write_byte 'K'
  p.emit(li(a0, 0x4f), sbi(0x01, 0));                                                // legacy putchar 'O'
  // Timer: the firmware turns the M timer interrupt into STIP for this kernel.
  p.emit(to.la(t0, 'handler'), asm.csrrw(0, CSR_STVEC, t0));
  p.emit(li(t0, 0x20), asm.csrrs(0, CSR_SIE, t0), li(t0, 2), asm.csrrs(0, CSR_SSTATUS, t0));
  p.emit(asm.csrrs(a0, CSR_TIME, 0), asm.addi(a0, a0, 100), li(a1, 0), sbi(0x54494d45, 0));
  p.label('wait').emit(asm.lw(t1, s0, 20), to.b(asm.beq, t1, 0, 'wait'));
  // HSM: start hart 1 with an opaque value, wait for it to report.
  p.emit(li(a0, 1), to.la(a1, 'second'), li(a2, 0x77), sbi(0x48534d, 0), asm.sw(a0, s0, 24));
  p.label('wait2').emit(asm.lw(t1, s0, 28), to.b(asm.beq, t1, 0, 'wait2'));
  p.emit(li(a0, 1), sbi(0x48534d, 2), asm.sw(a1, s0, 44));                           // status of hart 1
  p.emit(li(a0, 0), li(a1, 0), sbi(0x53525354, 0));                                  // SRST shutdown
  p.label('hang').emit(to.jal(0, 'hang'));
  p.label('handler');
  p.emit(asm.csrrs(t2, CSR_SCAUSE, 0), asm.sw(t2, s0, 32), li(t1, 1), asm.sw(t1, s0, 20));
  p.emit(li(a0, -1), li(a1, -1), sbi(0x54494d45, 0), asm.sret());
  p.label('second');
  p.emit(li(s1, RESULTS), asm.sw(a0, s1, 36), asm.sw(a1, s1, 40), li(t1, 1), asm.sw(t1, s1, 28));
  p.emit(sbi(0x48534d, 1));                                                          // hart_stop
  p.label('hang2').emit(to.jal(0, 'hang2'));
  return p;
}

test('SBI firmware: base, probe, console, timer as STIP, HSM start/stop/status, shutdown', () => {
  const out: number[] = [];
  const elf = makeElf(BASE, [{ paddr: BASE, bytes: words(kernel().assemble(BASE)) }]);
  const session = new NativeSession(elf, 'sbi-kernel', { bios: 'sbi', harts: 2, consoleOut: (b) => out.push(b), maxInsns: 1_000_000 });
  const r = session.runToCompletion();
  const at = (off: number): number => session.machine.ram.i32[((RESULTS - 0x80000000) + off) >>> 2]!;
  assert.equal(r.reason.kind, 'shutdown', `stopped: ${JSON.stringify(r.reason)}`);
  assert.equal(r.exitCode, 0);
  assert.equal(at(0), 0, 'get_spec_version succeeds');
  assert.equal(at(4), 0x02000000, 'SBI spec 2.0');
  assert.equal(at(8), 1, 'TIME is present');
  assert.equal(at(12), 0, 'an unknown extension is absent');
  assert.equal(at(16), -2, 'SBI_ERR_NOT_SUPPORTED');
  assert.equal(Buffer.from(out).toString(), 'KO');
  assert.equal(at(32) >>> 0, 0x80000005, 'supervisor timer interrupt reached the kernel');
  assert.equal(at(24), 0, 'hart_start succeeds');
  assert.equal(at(36), 1, 'hart 1 starts with a0 = its hart id');
  assert.equal(at(40), 0x77, 'and a1 = the opaque value');
  assert.equal(at(44), 1, 'hart 1 is stopped after hart_stop');
});
