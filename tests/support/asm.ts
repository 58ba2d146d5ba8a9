/*
 * A tiny RV32 assembler for tests: encodes instructions from the base formats so unit
 * tests and random-instruction lockstep runs need no cross toolchain.
 */

const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) | 0;
const I = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) | 0;
const S = (imm: number, rs2: number, rs1: number, f3: number, op: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | op) | 0;
const B = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) | 0;
const U = (imm: number, rd: number, op: number): number => ((imm & 0xfffff000) | (rd << 7) | op) | 0;
const J = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) | 0;

export const asm = {
  lui: (rd: number, imm: number) => U(imm, rd, 0x37),
  auipc: (rd: number, imm: number) => U(imm, rd, 0x17),
  jal: (rd: number, off: number) => J(off, rd),
  jalr: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x67),
  beq: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 0),
  bne: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 1),
  blt: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 4),
  bge: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 5),
  bltu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 6),
  bgeu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 7),
  lb: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x03),
  lh: (rd: number, rs1: number, imm: number) => I(imm, rs1, 1, rd, 0x03),
  lw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x03),
  lbu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x03),
  lhu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 5, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 0, 0x23),
  sh: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 1, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 2, 0x23),
  addi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x13),
  slti: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x13),
  sltiu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x13),
  xori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x13),
  ori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 6, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => I(sh, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => I(sh, rs1, 5, rd, 0x13),
  srai: (rd: number, rs1: number, sh: number) => I(0x400 | sh, rs1, 5, rd, 0x13),
  add: (rd: number, a: number, b: number) => R(0, b, a, 0, rd, 0x33),
  sub: (rd: number, a: number, b: number) => R(0x20, b, a, 0, rd, 0x33),
  sll: (rd: number, a: number, b: number) => R(0, b, a, 1, rd, 0x33),
  slt: (rd: number, a: number, b: number) => R(0, b, a, 2, rd, 0x33),
  sltu: (rd: number, a: number, b: number) => R(0, b, a, 3, rd, 0x33),
  xor: (rd: number, a: number, b: number) => R(0, b, a, 4, rd, 0x33),
  srl: (rd: number, a: number, b: number) => R(0, b, a, 5, rd, 0x33),
  sra: (rd: number, a: number, b: number) => R(0x20, b, a, 5, rd, 0x33),
  or: (rd: number, a: number, b: number) => R(0, b, a, 6, rd, 0x33),
  and: (rd: number, a: number, b: number) => R(0, b, a, 7, rd, 0x33),
  mul: (rd: number, a: number, b: number) => R(1, b, a, 0, rd, 0x33),
  mulh: (rd: number, a: number, b: number) => R(1, b, a, 1, rd, 0x33),
  mulhsu: (rd: number, a: number, b: number) => R(1, b, a, 2, rd, 0x33),
  mulhu: (rd: number, a: number, b: number) => R(1, b, a, 3, rd, 0x33),
  div: (rd: number, a: number, b: number) => R(1, b, a, 4, rd, 0x33),
  divu: (rd: number, a: number, b: number) => R(1, b, a, 5, rd, 0x33),
  rem: (rd: number, a: number, b: number) => R(1, b, a, 6, rd, 0x33),
  remu: (rd: number, a: number, b: number) => R(1, b, a, 7, rd, 0x33),
  csrrw: (rd: number, csr: number, rs1: number) => I(csr, rs1, 1, rd, 0x73),
  csrrs: (rd: number, csr: number, rs1: number) => I(csr, rs1, 2, rd, 0x73),
  csrrc: (rd: number, csr: number, rs1: number) => I(csr, rs1, 3, rd, 0x73),
  csrrwi: (rd: number, csr: number, uimm: number) => I(csr, uimm, 5, rd, 0x73),
  lr: (rd: number, rs1: number) => R(0x02 << 2, 0, rs1, 2, rd, 0x2f),
  sc: (rd: number, rs2: number, rs1: number) => R(0x03 << 2, rs2, rs1, 2, rd, 0x2f),
  amoadd: (rd: number, rs2: number, rs1: number) => R(0x00 << 2, rs2, rs1, 2, rd, 0x2f),
  amoswap: (rd: number, rs2: number, rs1: number) => R(0x01 << 2, rs2, rs1, 2, rd, 0x2f),
  amomaxu: (rd: number, rs2: number, rs1: number) => R(0x1c << 2, rs2, rs1, 2, rd, 0x2f),
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
  mret: () => 0x30200073,
  sret: () => 0x10200073,
  wfi: () => 0x10500073,
  fence: () => 0x0ff0000f,
  fencei: () => 0x0000100f,
  sfencevma: (rs1: number, rs2: number) => R(0x09, rs2, rs1, 0, 0, 0x73),
};

/** li: one or two instructions loading a 32-bit constant. */
export function li(rd: number, value: number): number[] {
  value |= 0;
  if (value >= -2048 && value < 2048) return [asm.addi(rd, 0, value)];
  const lo = (value << 20) >> 20;
  const hi = (value - lo) | 0;
  return lo === 0 ? [asm.lui(rd, hi)] : [asm.lui(rd, hi), asm.addi(rd, rd, lo)];
}

type Thunk = (pc: number, label: (name: string) => number) => number;
type Item = number | Thunk;

/** A program with labels: emit words or label-relative thunks, then assemble at a base. */
export class Program {
  private items: Item[] = [];
  private labels = new Map<string, number>();

  /** Appends instructions; a function receives its own pc and a label resolver. */
  emit(...ws: (Item | Item[])[]): this {
    for (const w of ws) {
      if (Array.isArray(w)) this.items.push(...w);
      else this.items.push(w);
    }
    return this;
  }

  label(name: string): this {
    this.labels.set(name, this.items.length * 4);
    return this;
  }

  /** The address of `name` once assembled at `base`. */
  address(name: string, base: number): number {
    const off = this.labels.get(name);
    if (off === undefined) throw new Error(`no label ${name}`);
    return (base + off) >>> 0;
  }

  assemble(base: number): number[] {
    return this.items.map((it, i) => {
      if (typeof it === 'number') return it;
      const pc = (base + i * 4) | 0;
      return it(pc, (name) => this.address(name, base) | 0);
    });
  }
}

/** Branch/jump helpers for Program: `to(asm.bne, 5, 0, 'loop')`. */
export const to = {
  b: (op: (a: number, b: number, off: number) => number, rs1: number, rs2: number, target: string) =>
    (pc: number, label: (n: string) => number) => op(rs1, rs2, label(target) - pc),
  jal: (rd: number, target: string) => (pc: number, label: (n: string) => number) => asm.jal(rd, label(target) - pc),
  /** la rd, label: auipc + addi (two words, emit as a pair). */
  la: (rd: number, target: string): ((pc: number, label: (n: string) => number) => number)[] => [
    (pc, label) => { const off = (label(target) - pc) | 0; const lo = (off << 20) >> 20; return asm.auipc(rd, (off - lo) | 0); },
    (pc, label) => { const off = (label(target) - (pc - 4)) | 0; return asm.addi(rd, rd, (off << 20) >> 20); },
  ],
};
