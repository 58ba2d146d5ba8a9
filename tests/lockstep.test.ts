/*
 * Lockstep differential testing: the interpreter (engine 'interp') and the block
 * translator (engine 'jit') run the same programs side by side, in slices of random
 * length, and after every slice must agree on every register, pc, privilege mode, CSR,
 * virtual time, retired-instruction count, pending trap, stop reason and RAM byte.
 *
 * Programs:
 *  - random instruction streams (tests/support/asm.ts) in M-mode, with loads and stores
 *    of every width (misaligned ones too), branches, loops that make code hot, traps of
 *    every kind skipped by a handler, timer interrupts landing mid-block, reads of
 *    mtime/cycle/instret, stores into the code page's data words and self-modifying code;
 *  - the same streams as a U-mode and an S-mode process with Sv32 on;
 *  - page-table changes under running code (remap + sfence.vma) and writes into code by
 *    "the hypervisor" (Ram.load between slices);
 *  - every image in guests/images/conformance/.
 *
 * A mismatch reports the slice, then replays both machines to find the first diverging
 * instruction, and prints it with the state that differs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Program, asm, li, to } from './support/asm.js';
import { makeElf, words } from './support/elf-writer.js';
import { IMAGES, REPO_ROOT } from './support/paths.js';
import { Machine, type Engine } from '../src/machine/rv32/machine.js';
import type { WasmBackend } from '../src/machine/rv32/jit/wasm/backend.js';
import { NativeSession } from '../src/native/native-run.js';
import { disassemble } from '../src/machine/rv32/disasm.js';
import { Mode } from '../src/machine/rv32/csr.js';
import type { Hart } from '../src/machine/rv32/hart.js';

// ---- the harness ---------------------------------------------------------------------

type Make = (engine: Engine) => Machine;
/** Something done to both machines between slices (the hypervisor writing memory…). */
type Poke = (m: Machine, slice: number) => void;

const HART_FIELDS = [
  'pc', 'mode', 'state', 'cycles', 'instret', 'trapCause', 'reservation', 'mstatus', 'medeleg', 'mideleg',
  'mie', 'mipSoft', 'mipLines', 'mtvec', 'stvec', 'mepc', 'sepc', 'mcause', 'scause', 'mtval', 'stval',
  'mscratch', 'sscratch', 'satp', 'mcounteren', 'scounteren',
] as const;

/** A tiny deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return s >>> 0;
  };
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** The first difference between two machines, or null (RAM compared unless `skipRam`). */
function difference(a: Machine, b: Machine, skipRam = false): string | null {
  if ((a.stopReason?.kind ?? null) !== (b.stopReason?.kind ?? null)) {
    return `stop: ${JSON.stringify(a.stopReason)} vs ${JSON.stringify(b.stopReason)}`;
  }
  if (a.now !== b.now) return `machine time ${a.now} vs ${b.now}`;
  for (let i = 0; i < a.harts.length; i++) {
    const ha = a.harts[i]! as unknown as Record<string, number>, hb = b.harts[i]! as unknown as Record<string, number>;
    for (const f of HART_FIELDS) {
      if (ha[f] !== hb[f]) return `hart ${i} ${f}: interp ${hex(ha[f]!)} (${ha[f]}) vs translator ${hex(hb[f]!)} (${hb[f]})`;
    }
    for (let r = 1; r < 32; r++) {
      const va = a.harts[i]!.x[r]!, vb = b.harts[i]!.x[r]!;
      if (va !== vb) return `hart ${i} x${r}: interp ${hex(va)} vs translator ${hex(vb)}`;
    }
  }
  if (skipRam) return null;
  const ma = Buffer.from(a.ram.u8.buffer, a.ram.u8.byteOffset, a.ram.size);
  const mb = Buffer.from(b.ram.u8.buffer, b.ram.u8.byteOffset, b.ram.size);
  if (!ma.equals(mb)) {
    for (let p = 0; p < a.ram.size; p += 4096) {
      if (Buffer.compare(ma.subarray(p, p + 4096), mb.subarray(p, p + 4096)) !== 0) {
        for (let o = p; o < p + 4096; o++) {
          if (ma[o] !== mb[o]) return `RAM byte ${hex(a.ram.base + o)}: interp ${hex(ma[o]!)} vs translator ${hex(mb[o]!)}`;
        }
      }
    }
  }
  return null;
}

/** The slice ends of a run: random lengths, short ones often (budgets that split blocks). */
function sliceEnds(seed: number, count: number, maxCycles: number): number[] {
  const r = rng(seed);
  const ends: number[] = [];
  let t = 0;
  for (let i = 0; i < count && t < maxCycles; i++) {
    const k = r() % 8;
    t += k < 3 ? 1 + (r() % 7) : k < 6 ? 1 + (r() % 400) : 1 + (r() % 20000);
    ends.push(t);
  }
  return ends;
}

function runTo(m: Machine, ends: number[], upto: number, poke: Poke | undefined): void {
  for (let i = 0; i < upto; i++) {
    if (m.stopReason !== null) return;
    m.runUntil(ends[i]!);
    poke?.(m, i);
  }
}

/**
 * Replays both engines to find the first instruction after which they differ: bisects
 * the cycle at which a second slice boundary makes them differ. When the divergence
 * needs the whole slice (a translated block entered with a large budget), it names the
 * instruction of the slice that last wrote the differing register instead.
 */
function firstDivergence(make: Make, ends: number[], slice: number, poke: Poke | undefined, diff: string, other: Engine): string {
  const start = slice === 0 ? 0 : ends[slice - 1]!;
  const fresh = (engine: Engine): Machine => { const m = make(engine); runTo(m, ends, slice, poke); return m; };
  const traced = (m: Machine, into: string[], regs: number[][]): void => {
    for (const h of m.harts) {
      h.tracer = (hart: Hart, pc: number, raw: number) => {
        into.push(`hart ${hart.id} ${'USHM'[hart.mode]} ${hex(pc)}: ${hex(raw)} ${disassemble(raw, pc)}`);
        regs.push([...hart.x]);
      };
    }
  };
  let lo = start, hi = ends[slice]!; // agree at lo; differ at hi when run as one slice
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const a = fresh('interp'), b = fresh(other);
    a.runUntil(mid); b.runUntil(mid);
    if (difference(a, b) === null) lo = mid; else hi = mid;
  }
  const a = fresh('interp'), b = fresh(other);
  a.runUntil(lo); b.runUntil(lo);
  const ran: string[] = [];
  traced(a, ran, []);
  a.runUntil(hi); b.runUntil(hi);
  const after = difference(a, b);
  if (after !== null) {
    return `first divergence in cycles (${lo}, ${hi}]: instructions retired there: ` +
      `${ran.length > 0 ? ran.join('; ') : '(none: a trap or interrupt entry)'}; after it: ${after}`;
  }
  // Only the whole slice reproduces it: find the interpreter's last write to the register.
  const whole = fresh('interp');
  const lines: string[] = [];
  const regs: number[][] = [];
  traced(whole, lines, regs);
  whole.runUntil(ends[slice]!);
  const m = / x(\d+): /.exec(diff);
  let culprit = '';
  if (m !== null) {
    const r = Number(m[1]);
    for (let k = lines.length - 1; k >= 0; k--) {
      const prev = k > 0 ? regs[k - 1]![r] : undefined;
      if (regs[k]![r] !== prev) { culprit = `; x${r} was last changed by ${lines[k]}`; break; }
    }
  }
  return `the divergence needs the whole slice (${start}, ${ends[slice]}] (${lines.length} instructions)${culprit}; ` +
    `its last instructions: ${lines.slice(-6).join('; ')}`;
}

/** Runs `make` under both engines in lockstep; fails with the first divergence. */
function lockstep(name: string, makeAny: Make, opts: { engine: Engine; seed: number; slices?: number; maxCycles?: number; poke?: Poke }): Machine {
  // Translate a block on its second visit, not only once it is hot: every block the
  // programs reach gets translated and compared.
  const make: Make = (engine) => {
    const m = makeAny(engine);
    if (m.translator !== null) m.translator.hotAfter = 1;
    return m;
  };
  const ends = sliceEnds(opts.seed, opts.slices ?? 400, opts.maxCycles ?? 5_000_000);
  const a = make('interp'), b = make(opts.engine);
  for (let i = 0; i < ends.length; i++) {
    a.runUntil(ends[i]!);
    b.runUntil(ends[i]!);
    opts.poke?.(a, i);
    opts.poke?.(b, i);
    // All of a big RAM (the conformance images need 128 MiB) every 16th slice and at the end.
    const last = i === ends.length - 1 || a.stopReason !== null || b.stopReason !== null;
    const d = difference(a, b, a.ram.size > 16 * 1024 * 1024 && i % 16 !== 15 && !last);
    if (d !== null) {
      assert.fail(`${name}: interp and ${opts.engine} differ after slice ${i} (cycle ${ends[i]}): ${d}\n` +
        firstDivergence(make, ends, i, opts.poke, d, opts.engine));
    }
    if (a.stopReason !== null) break;
  }
  return b;
}

// ---- random programs -----------------------------------------------------------------

const RAM_BASE = 0x80000000;
const CODE_PA = RAM_BASE;
const DATA_PA = RAM_BASE + 0x10000;
const SAVE_PA = RAM_BASE + 0x11000;
const PT_PA = RAM_BASE + 0x20000;
const HANDLER_PA = RAM_BASE + 0x30000;
const RAM_SIZE = 512 * 1024;
const CLINT_MTIMECMP = 0x02004000, CLINT_MTIME = 0x0200bff8;
const CSR = { mstatus: 0x300, mie: 0x304, mtvec: 0x305, mscratch: 0x340, mepc: 0x341, mcause: 0x342, satp: 0x180, cycle: 0xc00, instret: 0xc02, time: 0xc01, mcounteren: 0x306 };

/** Registers the random code may use: the rest hold bases and counters. */
const POOL = [2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 28, 29, 30];
const DATA = 8, MIXED = 9, OUTER = 25, SMC = 26, MTIME = 27, LOOP = 31;

interface Layout {
  /** Virtual addresses the program runs at (equal to physical in M-mode). */
  code: number;
  data: number;
  /** Where mtime is mapped, or 0 for none. */
  mtime: number;
  /** M-mode: the program may use M-only CSRs. */
  machine: boolean;
}

/** The M-mode trap handler: skips exceptions, reprograms the timer on interrupts. */
function handler(period: number): number[] {
  const p = new Program();
  p.emit(asm.csrrw(0, CSR.mscratch, 30), li(30, SAVE_PA), asm.sw(29, 30, 0));
  p.emit(asm.csrrs(29, CSR.mcause, 0), to.b(asm.blt, 29, 0, 'irq'));
  p.emit(asm.csrrs(29, CSR.mepc, 0), asm.addi(29, 29, 4), asm.csrrw(0, CSR.mepc, 29));
  p.emit(asm.lw(29, 30, 4), asm.addi(29, 29, 1), asm.sw(29, 30, 4), to.jal(0, 'ret'));
  p.label('irq').emit(asm.lw(29, 30, 8), asm.addi(29, 29, 1), asm.sw(29, 30, 8));
  p.emit(li(30, CLINT_MTIMECMP), asm.lw(29, 30, 0), asm.addi(29, 29, period), asm.sw(29, 30, 0));
  p.emit(li(30, SAVE_PA));
  p.label('ret').emit(asm.lw(29, 30, 0), asm.csrrs(30, CSR.mscratch, 0), asm.mret());
  return p.assemble(HANDLER_PA);
}

/** A random program body that loops `rounds` times over the same code (so it gets hot). */
function randomBody(seed: number, lay: Layout, segments: number, rounds: number): Program {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const reg = (): number => pick(POOL);
  const src = (): number => (r() % 8 === 0 ? 0 : reg());
  const p = new Program();
  for (const x of POOL) p.emit(li(x, r()));
  p.emit(li(DATA, lay.data), to.la(MIXED, 'mixed'), li(OUTER, rounds));
  if (lay.mtime !== 0) p.emit(li(MTIME, lay.mtime));
  p.label('outer');
  const alu = (): number => {
    const rd = reg();
    switch (r() % 22) {
      case 0: return asm.add(rd, src(), src());
      case 1: return asm.sub(rd, src(), src());
      case 2: return asm.xor(rd, src(), src());
      case 3: return asm.or(rd, src(), src());
      case 4: return asm.and(rd, src(), src());
      case 5: return asm.sll(rd, src(), src());
      case 6: return asm.srl(rd, src(), src());
      case 7: return asm.sra(rd, src(), src());
      case 8: return asm.slt(rd, src(), src());
      case 9: return asm.sltu(rd, src(), src());
      case 10: return asm.addi(rd, src(), (r() % 4096) - 2048);
      case 11: return asm.xori(rd, src(), (r() % 4096) - 2048);
      case 12: return asm.slti(rd, src(), (r() % 4096) - 2048);
      case 13: return asm.sltiu(rd, src(), (r() % 4096) - 2048);
      case 14: return asm.slli(rd, src(), r() % 32);
      case 15: return asm.srli(rd, src(), r() % 32);
      case 16: return asm.srai(rd, src(), r() % 32);
      case 17: return asm.lui(rd, r() & 0xfffff000);
      case 18: return pick([asm.mul, asm.mulh, asm.mulhsu, asm.mulhu])(rd, src(), src());
      case 19: return pick([asm.div, asm.divu, asm.rem, asm.remu])(rd, src(), src());
      case 20: return asm.auipc(rd, r() & 0xfffff000);
      default: return asm.andi(pick([rd, 0]), src(), (r() % 4096) - 2048);
    }
  };
  const mem = (): number => {
    const misaligned = r() % 16 === 0;
    const k = r() % 8;
    const size = k < 3 ? 4 : k < 5 ? 2 : 1;
    let off = r() % 0xf00;
    if (!misaligned) off &= -size;
    const base = r() % 6 === 0 ? MIXED : DATA;
    if (base === MIXED) off = (r() % 60) & (misaligned ? -1 : -size);
    if (r() % 2 === 0) return pick(size === 4 ? [asm.sw] : size === 2 ? [asm.sh] : [asm.sb])(src(), base, off);
    return pick(size === 4 ? [asm.lw] : size === 2 ? [asm.lh, asm.lhu] : [asm.lb, asm.lbu])(reg(), base, off);
  };
  const straight = (): number => (r() % 3 === 0 ? mem() : alu());
  let labels = 0;
  for (let s = 0; s < segments; s++) {
    const kind = r() % 20;
    if (kind < 7) {
      for (let i = 1 + (r() % 8); i > 0; i--) p.emit(straight());
    } else if (kind < 10) {
      // A forward branch over a few instructions.
      const l = `f${labels++}`;
      p.emit(to.b(pick([asm.beq, asm.bne, asm.blt, asm.bge, asm.bltu, asm.bgeu]), src(), src(), l));
      for (let i = 1 + (r() % 5); i > 0; i--) p.emit(straight());
      p.label(l);
    } else if (kind < 13) {
      // A small counted loop, sometimes with a branch inside.
      const l = `l${labels++}`, k = `k${labels++}`;
      p.emit(li(LOOP, 1 + (r() % 12)));
      p.label(l);
      for (let i = 1 + (r() % 6); i > 0; i--) p.emit(straight());
      if (r() % 2 === 0) { p.emit(to.b(asm.bge, src(), src(), k), straight()); }
      p.label(k).emit(asm.addi(LOOP, LOOP, -1), to.b(asm.bne, LOOP, 0, l));
    } else if (kind === 13) {
      // A trap the handler skips.
      const t = r() % 6;
      if (t === 0) p.emit(asm.ecall());
      else if (t === 1) p.emit(asm.ebreak());
      else if (t === 2) p.emit(0); // illegal
      else if (t === 3) p.emit(asm.lw(reg(), 0, 16)); // access fault or page fault at 0x10
      else if (t === 4) p.emit(asm.sw(src(), 0, 32));
      else p.emit(asm.auipc(SMC, 0), asm.jalr(0, SMC, 10)); // misaligned target: traps at the jalr
    } else if (kind === 14) {
      // Time: mtime through the bus (exact inside a block), or cycle/instret CSRs.
      if (lay.mtime !== 0 && r() % 2 === 0) p.emit(asm.lw(reg(), MTIME, 0));
      else p.emit(asm.csrrs(reg(), pick([CSR.cycle, CSR.instret, CSR.time]), 0));
    } else if (kind === 15) {
      // Self-modifying code: rewrite the instruction two words ahead, then run it.
      const rd = reg();
      const k2 = (r() % 2000) - 1000;
      p.emit(li(LOOP, asm.addi(rd, rd, k2)));
      p.emit(asm.auipc(SMC, 0), asm.sw(LOOP, SMC, 12));
      if (r() % 2 === 0) p.emit(asm.fencei()); else p.emit(asm.addi(0, 0, 0));
      p.emit(asm.addi(rd, rd, 1));
    } else if (kind === 16) {
      // A call and return through jal/jalr.
      const f = `c${labels++}`, after = `a${labels++}`;
      p.emit(to.jal(1, f), to.jal(0, after));
      p.label(f);
      for (let i = 1 + (r() % 4); i > 0; i--) p.emit(straight());
      p.emit(asm.jalr(0, 1, 0));
      p.label(after);
    } else if (kind === 17) {
      // LR/SC and AMOs (left to the interpreter inside translated code).
      const off = (r() % 0x100) & -4;
      p.emit(asm.addi(SMC, DATA, off));
      p.emit(pick([asm.amoadd, asm.amoswap, asm.amomaxu])(reg(), src(), SMC));
      p.emit(asm.lr(reg(), SMC), straight(), asm.sc(reg(), src(), SMC));
    } else {
      for (let i = 1 + (r() % 3); i > 0; i--) p.emit(straight());
    }
  }
  p.emit(asm.addi(OUTER, OUTER, -1), to.b(asm.beq, OUTER, 0, 'end'), to.jal(0, 'outer'));
  p.label('end');
  return p;
}

function placeWords(m: Machine, pa: number, ws: number[]): void {
  m.ram.load(pa, words(ws));
}

/** A random program in M-mode (bare), with a periodic timer interrupt. */
function mModeProgram(seed: number, segments: number, rounds: number): Make {
  const period = 40 + (seed % 200);
  const lay: Layout = { code: CODE_PA + 0x100, data: DATA_PA, mtime: CLINT_MTIME, machine: true };
  const body = randomBody(seed, lay, segments, rounds);
  body.emit(li(5, 0x100000), li(6, 0x5555), asm.sw(6, 5, 0), asm.jal(0, 0));
  body.label('mixed').emit(...new Array(16).fill(0x13));
  const prologue = new Program();
  prologue.emit(li(5, HANDLER_PA), asm.csrrw(0, CSR.mtvec, 5));
  prologue.emit(li(5, CLINT_MTIME), asm.lw(6, 5, 0), asm.addi(6, 6, period), li(5, CLINT_MTIMECMP), asm.sw(6, 5, 0), asm.sw(0, 5, 4));
  prologue.emit(li(5, 0x80), asm.csrrs(0, CSR.mie, 5), li(5, 8), asm.csrrs(0, CSR.mstatus, 5));
  prologue.emit(li(5, lay.code), asm.jalr(0, 5, 0));
  const code = body.assemble(lay.code);
  const pro = prologue.assemble(CODE_PA);
  assert.ok(pro.length * 4 <= 0x100 && code.length * 4 < DATA_PA - lay.code);
  const hnd = handler(period);
  return (engine) => {
    const m = new Machine({ ramSize: RAM_SIZE, engine });
    placeWords(m, CODE_PA, pro);
    placeWords(m, lay.code, code);
    placeWords(m, HANDLER_PA, hnd);
    m.bootBare(CODE_PA);
    return m;
  };
}

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16;
const VA_CODE = 0x40000000, VA_DATA = 0x50000000, VA_MTIME = 0x60000000;

/**
 * A random program as a process with Sv32 on: M-mode builds a two-level page table
 * (code, data and the CLINT page mapped at other virtual addresses), then enters the
 * program in `mode` (U or S) with a timer interrupt; every trap goes to the M handler.
 */
function pagedProgram(seed: number, mode: Mode, segments: number, rounds: number): Make {
  const period = 60 + (seed % 150);
  const lay: Layout = { code: VA_CODE, data: VA_DATA, mtime: VA_MTIME + 0xff8, machine: false };
  const body = randomBody(seed, lay, segments, rounds);
  body.emit(asm.ecall(), asm.jal(0, 0)); // exit: the machine stops it below
  body.label('mixed').emit(...new Array(16).fill(0x13));
  const code = body.assemble(VA_CODE);
  const user = mode === Mode.U ? PTE_U : 0;
  const l1 = PT_PA + 0x1000;
  const setup = (m: Machine): void => {
    const pte = (pa: number, flags: number): number => ((Math.floor(pa / 4096) << 10) | flags | 0xc0) | 0; // A and D set
    const put = (pa: number, v: number): void => { m.ram.i32[(pa - RAM_BASE) >>> 2] = v; };
    // Root entries → one leaf table per region (4 MiB each).
    for (const [i, va] of [VA_CODE, VA_DATA, VA_MTIME].entries()) {
      put(PT_PA + (va >>> 22) * 4, pte(l1 + i * 0x1000, PTE_V));
    }
    for (let k = 0; k < 4; k++) put(l1 + k * 4, pte(CODE_PA + 0x1000 + k * 0x1000, PTE_V | PTE_R | PTE_W | PTE_X | user));
    put(l1 + 0x1000, pte(DATA_PA, PTE_V | PTE_R | PTE_W | user));
    put(l1 + 0x2000, pte(0x0200b000, PTE_V | PTE_R | user));
  };
  const prologue = new Program();
  prologue.emit(li(5, HANDLER_PA), asm.csrrw(0, CSR.mtvec, 5));
  prologue.emit(li(5, 0x80000000 | (PT_PA >>> 12)), asm.csrrw(0, CSR.satp, 5));
  prologue.emit(li(5, 7), asm.csrrw(0, CSR.mcounteren, 5));
  prologue.emit(li(5, CLINT_MTIME), asm.lw(6, 5, 0), asm.addi(6, 6, period), li(5, CLINT_MTIMECMP), asm.sw(6, 5, 0), asm.sw(0, 5, 4));
  prologue.emit(li(5, 0x80), asm.csrrs(0, CSR.mie, 5));
  // mstatus: MPP = mode, MPIE = 1 (interrupts on once in the lower mode).
  prologue.emit(li(5, (3 << 11)), asm.csrrc(0, CSR.mstatus, 5), li(5, (mode << 11) | 0x80), asm.csrrs(0, CSR.mstatus, 5));
  prologue.emit(li(5, VA_CODE), asm.csrrw(0, CSR.mepc, 5), asm.mret());
  const pro = prologue.assemble(CODE_PA);
  assert.ok(code.length * 4 <= 0x4000);
  const hnd = handler(period);
  return (engine) => {
    const m = new Machine({ ramSize: RAM_SIZE, engine });
    placeWords(m, CODE_PA, pro);
    placeWords(m, CODE_PA + 0x1000, code);
    placeWords(m, HANDLER_PA, hnd);
    setup(m);
    m.bootBare(CODE_PA);
    return m;
  };
}

// ---- tests ---------------------------------------------------------------------------

/** Both translators, each against the interpreter. */
const TRANSLATORS: Engine[] = ['jit', 'wasm'];

for (const engine of TRANSLATORS) {

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`lockstep (${engine}): random M-mode program, seed ${seed}`, () => {
    const m = lockstep(`M seed ${seed}`, mModeProgram(seed * 7919, 220, 6), { engine, seed });
    assert.equal(m.stopReason?.kind, 'finisher', 'the program ran to its end');
    assert.ok((m.translator?.stats.translated ?? 0) > 10, 'blocks were translated');
  });
}

for (const [mode, name] of [[Mode.U, 'U'], [Mode.S, 'S']] as const) {
  for (const seed of [11, 12, 13]) {
    test(`lockstep (${engine}): random ${name}-mode process with Sv32, seed ${seed}`, () => {
      const m = lockstep(`${name} seed ${seed}`, pagedProgram(seed * 104729, mode, 200, 6), { engine, seed, maxCycles: 3_000_000 });
      assert.ok((m.translator?.stats.translated ?? 0) > 10, 'blocks were translated');
    });
  }
}

test(`lockstep (${engine}): the hypervisor rewrites code between slices (Ram.load)`, () => {
  // A loop that adds the value of its `addi` to a counter; the poke swaps that
  // instruction's immediate every few slices, as a backend or a page-table update would
  // write guest memory from TypeScript.
  const p = new Program();
  p.emit(li(10, 0), li(11, 0));
  p.label('loop').emit(asm.addi(10, 10, 1)).label('patched').emit(asm.addi(11, 11, 1), to.jal(0, 'loop'));
  const code = p.assemble(CODE_PA);
  const at = p.address('patched', CODE_PA);
  const make: Make = (engine) => {
    const m = new Machine({ ramSize: RAM_SIZE, engine });
    placeWords(m, CODE_PA, code);
    m.bootBare(CODE_PA);
    return m;
  };
  const m = lockstep('dma', make, { engine,
    seed: 99, slices: 300, maxCycles: 400_000,
    poke: (mm, i) => { if (i % 5 === 4) mm.ram.load(at, words([asm.addi(11, 11, (i % 97) + 1)])); },
  });
  assert.ok((m.translator?.stats.invalidated ?? 0) > 0, 'translated blocks were invalidated');
});

test(`lockstep (${engine}): code rewritten on every iteration of its own loop (no compile storm)`, () => {
  // The loop stores into a word of its own region (a valid instruction it jumps over):
  // every store drops the block. The translator must stay exact, and must not retranslate
  // on every iteration (that would cost a compilation per guest instruction or so).
  const prog = [asm.lui(8, 0x80000000), asm.addi(8, 8, 28), asm.addi(5, 0, 0x13), asm.lui(6, 0x100000),
    asm.add(5, 5, 6), asm.sw(5, 8, 0), asm.beq(0, 0, 8), asm.addi(0, 0, 0), asm.jal(0, -16)];
  const make: Make = (engine) => {
    const m = new Machine({ ramSize: RAM_SIZE, engine });
    placeWords(m, CODE_PA, prog);
    m.bootBare(CODE_PA);
    return m;
  };
  const m = lockstep('storm', make, { engine, seed: 77, slices: 200, maxCycles: 1_000_000 });
  const st = m.translator!.stats;
  assert.ok(st.invalidated > 16, 'the loop invalidated its block');
  assert.ok(st.translated < m.harts[0]!.instret / 100, `${st.translated} translations for ${m.harts[0]!.instret} instructions`);
});

test(`lockstep (${engine}): data stored next to code in one page (no invalidation, no slow path)`, () => {
  // A loop that stores its counter into a word of its own code page, past its code.
  const prog = [asm.lui(8, 0x80000000), asm.addi(8, 8, 0x7f0), asm.addi(5, 0, 0),
    asm.addi(5, 5, 1), asm.sw(5, 8, 0), asm.sh(5, 8, 6), asm.sb(5, 8, 9), asm.jal(0, -16)];
  const make: Make = (engine) => {
    const m = new Machine({ ramSize: RAM_SIZE, engine });
    placeWords(m, CODE_PA, prog);
    m.bootBare(CODE_PA);
    return m;
  };
  const m = lockstep('data next to code', make, { engine, seed: 31, slices: 100, maxCycles: 500_000 });
  const st = m.translator!.stats;
  const x5 = m.harts[0]!.x[5]!;
  assert.ok(x5 > 50_000, 'the loop ran');
  assert.equal(m.ram.i32[(CODE_PA + 0x7f0 - RAM_BASE) >>> 2], x5);
  assert.equal(st.invalidated, 0, 'no translated block was dropped');
  // The WebAssembly blocks store to undecoded words of a code page themselves.
  if (engine === 'wasm') assert.ok(st.slowSteps < 50, `${st.slowSteps} stores left to the interpreter`);
});

test(`lockstep (${engine}): remapping a code page under a running S-mode kernel (sfence.vma)`, () => {
  // Translations are keyed by physical page and entered through the TLB.
  const m = lockstep('remap', remapProgram([asm.addi(12, 12, 3), asm.jalr(0, 1, 0)], [asm.addi(12, 12, 100), asm.jalr(0, 1, 0)]),
    { engine, seed: 5, slices: 200, maxCycles: 200_000 });
  // 200 calls to each mapping: 200 * 3 + 200 * 100.
  assert.equal(m.ram.i32[(DATA_PA - RAM_BASE) >>> 2], 200 * 103);
});

test(`lockstep (${engine}): the same code in two physical pages at one virtual address`, () => {
  // As the same kernel in two domains: the WebAssembly backend compiles it once.
  const fn = [asm.addi(12, 12, 7), asm.xori(18, 12, 5), asm.add(19, 19, 18), asm.jalr(0, 1, 0)];
  const m = lockstep('shared', remapProgram(fn, fn), { engine, seed: 6, slices: 200, maxCycles: 200_000 });
  assert.equal(m.ram.i32[(DATA_PA - RAM_BASE) >>> 2], 400 * 7);
  if (engine === 'wasm') assert.ok((m.translator!.backend as WasmBackend).reused > 0, 'the second page reused the first one\'s function');
});

}

/**
 * S-mode code at VA_CODE calls a function at VA 0x40010000, which maps in turn to two
 * physical pages holding `fnA` and `fnB`; between calls it flips the PTE and runs
 * sfence.vma; at the end it stores x12 at VA_DATA.
 */
function remapProgram(fnA: number[], fnB: number[]): Make {
  const FN_A = CODE_PA + 0x6000, FN_B = CODE_PA + 0x7000, l1 = PT_PA + 0x1000;
  const pteOf = (pa: number): number => ((Math.floor(pa / 4096) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | 0xc0) | 0;
  const p = new Program();
  // x14: the PTE of VA_CODE + 0x10000, seen through the table's own mapping at VA_CODE + 0x1000.
  p.emit(li(12, 0), li(13, 200), li(14, VA_CODE + 0x1000 + 0x10 * 4), li(15, pteOf(FN_A)), li(16, pteOf(FN_B)), li(17, VA_CODE + 0x10000));
  p.label('loop');
  p.emit(asm.jalr(1, 17, 0), asm.sw(16, 14, 0), asm.sfencevma(0, 0), asm.jalr(1, 17, 0), asm.sw(15, 14, 0), asm.sfencevma(17, 0));
  p.emit(asm.addi(13, 13, -1), to.b(asm.bne, 13, 0, 'loop'));
  p.emit(li(5, VA_DATA), asm.sw(12, 5, 0), asm.ecall(), asm.jal(0, 0));
  const code = p.assemble(VA_CODE);
  return (engine) => {
    const m = new Machine({ ramSize: RAM_SIZE, engine });
    const put = (pa: number, v: number): void => { m.ram.i32[(pa - RAM_BASE) >>> 2] = v; };
    put(PT_PA + (VA_CODE >>> 22) * 4, ((Math.floor(l1 / 4096) << 10) | PTE_V) | 0);
    put(PT_PA + (VA_DATA >>> 22) * 4, ((Math.floor((l1 + 0x1000) / 4096) << 10) | PTE_V) | 0);
    put(l1, pteOf(CODE_PA + 0x1000));
    put(l1 + 0x10 * 4, pteOf(FN_A));
    // The page table itself, mapped so the kernel can write the PTE (VA_CODE + 0x1000).
    put(l1 + 4, pteOf(l1));
    put(l1 + 0x1000, ((Math.floor(DATA_PA / 4096) << 10) | PTE_V | PTE_R | PTE_W | 0xc0) | 0);
    placeWords(m, CODE_PA + 0x1000, code);
    placeWords(m, FN_A, fnA);
    placeWords(m, FN_B, fnB);
    const pro = new Program();
    pro.emit(li(5, HANDLER_PA), asm.csrrw(0, CSR.mtvec, 5), li(5, 0x80000000 | (PT_PA >>> 12)), asm.csrrw(0, CSR.satp, 5));
    pro.emit(li(5, 3 << 11), asm.csrrc(0, CSR.mstatus, 5), li(5, 1 << 11), asm.csrrs(0, CSR.mstatus, 5));
    pro.emit(li(5, VA_CODE), asm.csrrw(0, CSR.mepc, 5), asm.mret());
    placeWords(m, CODE_PA, pro.assemble(CODE_PA));
    placeWords(m, HANDLER_PA, handler(1000));
    m.bootBare(CODE_PA);
    return m;
  };
}

const confDir = join(IMAGES, 'conformance');

/** `// harts: N` in the test's source chooses the hart count, as in conformance.test.ts. */
function hartsFor(img: string): number {
  const [group, ...rest] = img.replace(/\.elf$/, '').split('-');
  const src = join(REPO_ROOT, 'guests', 'conformance', group!, `${rest.join('-')}.S`);
  if (!existsSync(src)) return 1;
  const m = /\/\/\s*harts:\s*(\d+)/.exec(readFileSync(src, 'utf8'));
  return m ? Number(m[1]) : 1;
}
const images = existsSync(confDir) ? readdirSync(confDir).filter((f) => f.endsWith('.elf')).sort() : [];
for (const engine of TRANSLATORS) for (const img of images) {
  test(`lockstep (${engine}): conformance image ${img}`, () => {
    const bytes = readFileSync(join(confDir, img));
    const harts = hartsFor(img);
    const make: Make = (engine) => new NativeSession(bytes, img, { bios: 'none', engine, harts, ramSize: 128 * 1024 * 1024 }).machine;
    const m = lockstep(img, make, { engine, seed: img.length, slices: 3000, maxCycles: 50_000_000 });
    assert.ok(m.stopReason !== null, `${img} finished`);
    assert.equal(m.stopReason.kind === 'finisher' ? m.stopReason.event.kind : m.stopReason.kind, 'pass');
  });
}

for (const engine of TRANSLATORS) for (const name of ['bench-cpu-small.elf', 'bench-cpu-sv32-small.elf']) test(`lockstep (${engine}): ${name} retires the same instructions`, () => {
  const bytes = readFileSync(join(IMAGES, name));
  const run = (engine: Engine): { out: string; instret: number; cycles: number; x: number[] } => {
    const out: number[] = [];
    const s = new NativeSession(bytes, name, { bios: 'none', engine, consoleOut: (b) => out.push(b) });
    const r = s.runToCompletion();
    return { out: Buffer.from(out).toString(), instret: r.instructions, cycles: r.cycles, x: [...s.machine.harts[0]!.x] };
  };
  const a = run('interp'), b = run(engine);
  assert.deepEqual(b, a);
  assert.match(a.out, /PASS/);
});
