/* A disassembler for traces and error messages, driven by the decoder's op table. */

import { decodeFields, Op, OP_NAMES } from './decode.js';

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export function disassemble(word: number, pc: number): string {
  const d = decodeFields(word);
  const r = (i: number): string => ABI_NAMES[i]!;
  const name = OP_NAMES[d.op]!;
  const op = d.op;
  if (op === Op.ILLEGAL) return `.word ${hex(word)}`;
  if (op === Op.LUI || op === Op.AUIPC) return `${name} ${r(d.rd)}, ${hex(d.imm >>> 12)}`;
  if (op === Op.JAL || op === Op.JAL_MISALIGNED) return `${name} ${r(d.rd)}, ${hex(pc + d.imm)}`;
  if (op === Op.JALR) return `${name} ${r(d.rd)}, ${d.imm}(${r(d.rs1)})`;
  if ((op >= Op.BEQ && op <= Op.BGEU) || op === Op.BRANCH_MISALIGNED) {
    return `${name} ${r(d.rs1)}, ${r(d.rs2)}, ${hex(pc + d.imm)}`;
  }
  if (op >= Op.LB && op <= Op.LHU) return `${name} ${r(d.rd)}, ${d.imm}(${r(d.rs1)})`;
  if (op >= Op.SB && op <= Op.SW) return `${name} ${r(d.rs2)}, ${d.imm}(${r(d.rs1)})`;
  if (op >= Op.ADDI && op <= Op.SRAI) return `${name} ${r(d.rd)}, ${r(d.rs1)}, ${d.imm}`;
  if (op >= Op.ADD && op <= Op.REMU) return `${name} ${r(d.rd)}, ${r(d.rs1)}, ${r(d.rs2)}`;
  if (op >= Op.CSRRW && op <= Op.CSRRC) return `${name} ${r(d.rd)}, ${hex(d.imm)}, ${r(d.rs1)}`;
  if (op >= Op.CSRRWI && op <= Op.CSRRCI) return `${name} ${r(d.rd)}, ${hex(d.imm)}, ${d.rs1}`;
  if (op === Op.LR_W) return `${name} ${r(d.rd)}, (${r(d.rs1)})`;
  if (op >= Op.SC_W && op <= Op.AMOMAXU_W) return `${name} ${r(d.rd)}, ${r(d.rs2)}, (${r(d.rs1)})`;
  if (op === Op.SFENCE_VMA) return `${name} ${r(d.rs1)}, ${r(d.rs2)}`;
  return name;
}
