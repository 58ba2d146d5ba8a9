/*
 * RV32IMA + Zicsr + Zifencei + privileged instruction decoder.
 *
 * One table of operations (`Op`) feeds the interpreter (hart.ts), the disassembler
 * (disasm.ts) and, later, the block translator. Decoding happens once per instruction
 * word: the hart caches the result per physical page in a `DecodedPage` (an Int32Array
 * with DECODED_STRIDE slots per instruction) and re-decodes only after a store to it.
 *
 * Slot layout of one decoded instruction (index i*4 + k, so a slot index is also the
 * instruction's byte offset in its page):
 *   k=0 op and registers packed for the interpreter: op | rd << 8 | rs1 << 16 | rs2 << 24,
 *       so one load dispatches (0 = Op.UNDECODED: "decode me"). rd is X_SINK (32) when
 *       the instruction writes x0; for CSR-immediate forms rs1 holds the 5-bit uimm.
 *   k=1 imm   (sign-extended immediate; the CSR number for CSR ops)
 *   k=2 raw   (the instruction word, for mtval on illegal instruction and tracing)
 *   k=3 aux   (BRANCH_MISALIGNED: the branch's funct3)
 */

export const DECODED_STRIDE = 4;
export const DECODED_SHIFT = 2;
/** Register index that absorbs writes to x0: x has 33 slots and x[0] is never written. */
export const X_SINK = 32;

export const enum Op {
  UNDECODED = 0,
  ILLEGAL,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  /** A branch or JAL whose target offset is not 4-byte aligned: traps when taken. */
  BRANCH_MISALIGNED, JAL_MISALIGNED,
  LB, LH, LW, LBU, LHU, SB, SH, SW,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  FENCE, FENCE_I,
  ECALL, EBREAK, MRET, SRET, WFI, SFENCE_VMA,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W,
  AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
  /** Not an instruction: the sentinel after a page's last slot (see CodeCache). */
  PAGE_END,
  COUNT,
}

/** Mnemonics indexed by Op, for the disassembler and traces. */
export const OP_NAMES: readonly string[] = [
  '(undecoded)', '(illegal)',
  'lui', 'auipc', 'jal', 'jalr',
  'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu',
  'b?', 'jal',
  'lb', 'lh', 'lw', 'lbu', 'lhu', 'sb', 'sh', 'sw',
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai',
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
  'fence', 'fence.i',
  'ecall', 'ebreak', 'mret', 'sret', 'wfi', 'sfence.vma',
  'csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci',
  'lr.w', 'sc.w', 'amoswap.w', 'amoadd.w', 'amoxor.w', 'amoand.w', 'amoor.w',
  'amomin.w', 'amomax.w', 'amominu.w', 'amomaxu.w', '(page end)',
];

const BRANCH_OPS = [Op.BEQ, Op.BNE, Op.ILLEGAL, Op.ILLEGAL, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const LOAD_OPS = [Op.LB, Op.LH, Op.LW, Op.ILLEGAL, Op.LBU, Op.LHU, Op.ILLEGAL, Op.ILLEGAL];
const STORE_OPS = [Op.SB, Op.SH, Op.SW];
const OPIMM_OPS = [Op.ADDI, Op.SLLI, Op.SLTI, Op.SLTIU, Op.XORI, Op.SRLI, Op.ORI, Op.ANDI];
const OP_OPS = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const MULDIV_OPS = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
const CSR_OPS = [Op.ILLEGAL, Op.CSRRW, Op.CSRRS, Op.CSRRC, Op.ILLEGAL, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];
/** AMO funct5 → op. */
const AMO_OPS: Record<number, Op> = {
  0x02: Op.LR_W, 0x03: Op.SC_W, 0x01: Op.AMOSWAP_W, 0x00: Op.AMOADD_W, 0x04: Op.AMOXOR_W,
  0x0c: Op.AMOAND_W, 0x08: Op.AMOOR_W, 0x10: Op.AMOMIN_W, 0x14: Op.AMOMAX_W,
  0x18: Op.AMOMINU_W, 0x1c: Op.AMOMAXU_W,
};

export const immI = (w: number): number => w >> 20;
export const immS = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 0x1f);
export const immB = (w: number): number =>
  ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1);
export const immU = (w: number): number => w & 0xfffff000;
export const immJ = (w: number): number =>
  ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);

/** Decoded fields of one instruction word, for code outside the hot path. */
export interface Decoded {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  raw: number;
  /** Extra operand: the branch condition (funct3) of BRANCH_MISALIGNED. */
  aux?: number;
}

/**
 * Decodes `w` into `out` at slot offset `base` and returns the op. The rd slot holds
 * X_SINK when the destination is x0, so executing the op needs no x0 check.
 */
export function decodeInto(out: Int32Array, base: number, w: number): Op {
  const d = decodeFields(w);
  const rd = d.rd === 0 ? X_SINK : d.rd;
  out[base] = d.op | (rd << 8) | (d.rs1 << 16) | (d.rs2 << 24);
  out[base + 1] = d.imm;
  out[base + 2] = w;
  out[base + 3] = d.aux ?? 0;
  return d.op;
}

/** The decoder proper: instruction word → op and fields (rd as encoded, 0 included). */
export function decodeFields(w: number): Decoded {
  w |= 0;
  const opcode = w & 0x7f;
  const rd = (w >>> 7) & 0x1f;
  const funct3 = (w >>> 12) & 7;
  const rs1 = (w >>> 15) & 0x1f;
  const rs2 = (w >>> 20) & 0x1f;
  const funct7 = w >>> 25;
  const r = (op: Op, imm = 0, a = rs1, b = rs2): Decoded => ({ op, rd, rs1: a, rs2: b, imm, raw: w });
  const illegal = (): Decoded => ({ op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, raw: w });

  switch (opcode) {
    case 0x37: return r(Op.LUI, immU(w));
    case 0x17: return r(Op.AUIPC, immU(w));
    case 0x6f: {
      const imm = immJ(w);
      return r(imm & 2 ? Op.JAL_MISALIGNED : Op.JAL, imm);
    }
    case 0x67: return funct3 === 0 ? r(Op.JALR, immI(w)) : illegal();
    case 0x63: {
      const op = BRANCH_OPS[funct3]!;
      if (op === Op.ILLEGAL) return illegal();
      const imm = immB(w);
      if (imm & 2) return { op: Op.BRANCH_MISALIGNED, rd: 0, rs1, rs2, imm, raw: w, aux: funct3 };
      return r(op, imm);
    }
    case 0x03: {
      const op = LOAD_OPS[funct3]!;
      return op === Op.ILLEGAL ? illegal() : r(op, immI(w));
    }
    case 0x23: return funct3 < 3 ? r(STORE_OPS[funct3]!, immS(w)) : illegal();
    case 0x13: {
      let op = OPIMM_OPS[funct3]!;
      if (funct3 === 1) {
        if (funct7 !== 0) return illegal();
        return r(op, rs2);
      }
      if (funct3 === 5) {
        if (funct7 === 0x20) op = Op.SRAI;
        else if (funct7 !== 0) return illegal();
        return r(op, rs2);
      }
      return r(op, immI(w));
    }
    case 0x33: {
      if (funct7 === 0) return r(OP_OPS[funct3]!);
      if (funct7 === 1) return r(MULDIV_OPS[funct3]!);
      if (funct7 === 0x20) {
        if (funct3 === 0) return r(Op.SUB);
        if (funct3 === 5) return r(Op.SRA);
      }
      return illegal();
    }
    case 0x0f:
      // FENCE ignores its unused fields (they are hints); FENCE.I likewise.
      if (funct3 === 0) return r(Op.FENCE);
      if (funct3 === 1) return r(Op.FENCE_I);
      return illegal();
    case 0x73: {
      if (funct3 === 0) {
        if (w === 0x00000073) return r(Op.ECALL);
        if (w === 0x00100073) return r(Op.EBREAK);
        if (w === 0x30200073) return r(Op.MRET);
        if (w === 0x10200073) return r(Op.SRET);
        if (w === 0x10500073) return r(Op.WFI);
        if (funct7 === 0x09 && rd === 0) return r(Op.SFENCE_VMA);
        return illegal();
      }
      const op = CSR_OPS[funct3]!;
      if (op === Op.ILLEGAL) return illegal();
      return r(op, (w >>> 20) & 0xfff);
    }
    case 0x2f: {
      if (funct3 !== 2) return illegal();
      const op = AMO_OPS[w >>> 27];
      if (op === undefined) return illegal();
      if (op === Op.LR_W && rs2 !== 0) return illegal();
      return r(op);
    }
    default:
      return illegal();
  }
}
