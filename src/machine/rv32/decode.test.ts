import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFields, Op, immB, immJ, immS, decodeInto, X_SINK } from './decode.js';
import { asm } from '../../../tests/support/asm.js';

test('decodes words produced by the GNU assembler', () => {
  // Encodings from riscv64-unknown-elf-as (rv32ima).
  const cases: [number, Op, Partial<{ rd: number; rs1: number; rs2: number; imm: number }>][] = [
    [0x00150513, Op.ADDI, { rd: 10, rs1: 10, imm: 1 }],          // addi a0,a0,1
    [0x12345537, Op.LUI, { rd: 10, imm: 0x12345000 }],            // lui a0,0x12345
    [0xfff00f93, Op.ADDI, { rd: 31, rs1: 0, imm: -1 }],           // li t6,-1
    [0x00c58733, Op.ADD, { rd: 14, rs1: 11, rs2: 12 }],           // add a4,a1,a2
    [0x40b50533, Op.SUB, { rd: 10, rs1: 10, rs2: 11 }],           // sub a0,a0,a1
    [0x02b50533, Op.MUL, { rd: 10, rs1: 10, rs2: 11 }],           // mul a0,a0,a1
    [0x02b54533, Op.DIV, { rd: 10, rs1: 10, rs2: 11 }],           // div a0,a0,a1
    [0xf14022f3, Op.CSRRS, { rd: 5, rs1: 0, imm: 0xf14 }],        // csrr t0,mhartid
    [0x30529073, Op.CSRRW, { rd: 0, rs1: 5, imm: 0x305 }],        // csrw mtvec,t0
    [0x08029263, Op.BNE, { rs1: 5, rs2: 0, imm: 0x84 }],          // bnez t0,+0x84
    [0xfec10113, Op.ADDI, { rd: 2, rs1: 2, imm: -20 }],           // addi sp,sp,-20
    [0x00a12623, Op.SW, { rs1: 2, rs2: 10, imm: 12 }],            // sw a0,12(sp)
    [0x00c12083, Op.LW, { rd: 1, rs1: 2, imm: 12 }],              // lw ra,12(sp)
    [0x00008067, Op.JALR, { rd: 0, rs1: 1, imm: 0 }],             // ret
    [0x4015d513, Op.SRAI, { rd: 10, rs1: 11, imm: 1 }],           // srai a0,a1,1
    [0x100527af, Op.LR_W, { rd: 15, rs1: 10 }],                   // lr.w a5,(a0)
    [0x18b527af, Op.SC_W, { rd: 15, rs1: 10, rs2: 11 }],          // sc.w a5,a1,(a0)
    [0x00b5202f, Op.AMOADD_W, { rd: 0, rs1: 10, rs2: 11 }],       // amoadd.w zero,a1,(a0)
    [0x0000100f, Op.FENCE_I, {}],
    [0x0ff0000f, Op.FENCE, {}],
    [0x00000073, Op.ECALL, {}], [0x00100073, Op.EBREAK, {}], [0x30200073, Op.MRET, {}],
    [0x10200073, Op.SRET, {}], [0x10500073, Op.WFI, {}], [0x12000073, Op.SFENCE_VMA, {}],
  ];
  for (const [word, op, fields] of cases) {
    const d = decodeFields(word);
    assert.equal(d.op, op, `0x${word.toString(16)} decodes as op ${op}, got ${d.op}`);
    for (const [k, v] of Object.entries(fields)) {
      assert.equal(d[k as 'rd'], v, `0x${word.toString(16)} field ${k}`);
    }
  }
});

test('rejects reserved and unimplemented encodings', () => {
  const illegal = [
    0x00000000, 0xffffffff,
    0x02051513, // slli with shamt[5] set (RV64 only)
    0x80050533, // add with funct7 0x40 (reserved)
    0x0000b003, // load funct3 3 (ld: RV64)
    0x00003023, // store funct3 3 (sd)
    0x00002063, // branch funct3 2
    0x00001067, // jalr funct3 1
    0x00004073, // csr funct3 4
    0x10150073, // not a valid SYSTEM funct3=0 word
    0x1005a7af, // lr.w with rs2 != 0 ... (rs2 = 0? guarded below)
    0x00b5302f, // amoadd.d (funct3 3)
    0x00000007, // flw opcode (no F extension)
    0x0000002f | (0x05 << 27) | (2 << 12), // AMO funct5 0x05: unassigned
  ];
  for (const word of illegal) {
    if (word === 0x1005a7af && decodeFields(word).rs2 === 0) continue;
    assert.equal(decodeFields(word).op, Op.ILLEGAL, `0x${(word >>> 0).toString(16)} must be illegal`);
  }
  assert.equal(decodeFields(0x1005a7af | (1 << 20)).op, Op.ILLEGAL, 'lr.w with rs2 != 0');
});

test('immediates of every format round-trip through the test assembler', () => {
  for (const imm of [0, 2, -2, 4094, -4096, 0x7fe, -0x800, 2048, 0xffe]) {
    assert.equal(immB(asm.beq(1, 2, imm)), ((imm << 19) >> 19) & ~1, `B imm ${imm}`);
  }
  for (const imm of [0, 2, -2, 0xffffe, -0x100000, 0x12344]) {
    assert.equal(immJ(asm.jal(1, imm)), ((imm << 11) >> 11) & ~1, `J imm ${imm}`);
  }
  for (const imm of [0, 1, -1, 2047, -2048, 0x7a5]) {
    assert.equal(immS(asm.sw(3, 4, imm)), imm, `S imm ${imm}`);
  }
});

test('branch and jump targets that are not 4-byte aligned decode to the trapping forms', () => {
  assert.equal(decodeFields(asm.beq(1, 2, 6)).op, Op.BRANCH_MISALIGNED);
  assert.equal(decodeFields(asm.beq(1, 2, 8)).op, Op.BEQ);
  assert.equal(decodeFields(asm.jal(1, -2)).op, Op.JAL_MISALIGNED);
});

test('decodeInto redirects writes to x0 into the sink register', () => {
  const out = new Int32Array(8);
  decodeInto(out, 0, asm.addi(0, 1, 5));
  assert.equal((out[0]! >>> 8) & 63, X_SINK);
  assert.equal(out[1], 5, 'slot 1 holds the immediate');
  decodeInto(out, 0, asm.add(7, 1, 5));
  assert.equal(out[0], Op.ADD | (7 << 8) | (1 << 16) | (5 << 24), 'op | rd << 8 | rs1 << 16 | rs2 << 24');
});
