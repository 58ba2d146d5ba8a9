/*
 * RV32I integer computation: every OP and OP-IMM instruction, LUI and AUIPC.
 *
 * Edge values: zero, one, all ones, INT_MIN (0x80000000) and INT_MAX (0x7fffffff);
 * 12-bit immediates at both ends (-2048, 2047) and their sign extension; shifts by 0, 1
 * and 31, and shift amounts in a register whose upper bits must be ignored. Then the
 * register-aliasing forms (rd == rs1, rd == rs2, rs1 == rs2) and x0 as a destination,
 * which must leave x0 reading zero.
 */
#include "test.h"

/* rd is also rs1 / rs2 / both sources. */
#define TEST_RR_DEST1(num, inst, result, v1, v2) \
        TEST_CASE(num, a1, result, li a1, v1; li a2, v2; inst a1, a1, a2)
#define TEST_RR_DEST2(num, inst, result, v1, v2) \
        TEST_CASE(num, a2, result, li a1, v1; li a2, v2; inst a2, a1, a2)
#define TEST_RR_SAME(num, inst, result, v1) \
        TEST_CASE(num, a1, result, li a1, v1; inst a1, a1, a1)
#define TEST_IMM_DEST(num, inst, result, v1, imm) \
        TEST_CASE(num, a1, result, li a1, v1; inst a1, a1, imm)

        TEST_INIT

        /* ADD / ADDI */
        TEST_RR_OP(1, add, 0x00000000, 0x00000000, 0x00000000)
        TEST_RR_OP(2, add, 0x00000002, 0x00000001, 0x00000001)
        TEST_RR_OP(3, add, 0x0000000a, 0x00000003, 0x00000007)
        TEST_RR_OP(4, add, 0x80000000, 0x7fffffff, 0x00000001)
        TEST_RR_OP(5, add, 0x00000000, 0x80000000, 0x80000000)
        TEST_RR_OP(6, add, 0x00000000, 0xffffffff, 0x00000001)
        TEST_RR_OP(7, add, 0xfffffffe, 0xffffffff, 0xffffffff)
        TEST_RR_OP(8, add, 0x7fffffff, 0x80000000, 0xffffffff)
        TEST_IMM_OP(9, addi, 0x00000000, 0x00000000, 0)
        TEST_IMM_OP(10, addi, 0xfffff800, 0x00000000, -2048)
        TEST_IMM_OP(11, addi, 0x000007ff, 0x00000000, 2047)
        TEST_IMM_OP(12, addi, 0x80000000, 0x7fffffff, 1)
        TEST_IMM_OP(13, addi, 0x7fffffff, 0x80000000, -1)
        TEST_IMM_OP(14, addi, 0x800007fe, 0x7fffffff, 2047)
        TEST_IMM_OP(15, addi, 0x7ffff800, 0x80000000, -2048)
        TEST_IMM_OP(16, addi, 0x00000000, 0xffffffff, 1)

        /* SUB */
        TEST_RR_OP(17, sub, 0x00000000, 0x00000000, 0x00000000)
        TEST_RR_OP(18, sub, 0xffffffff, 0x00000000, 0x00000001)
        TEST_RR_OP(19, sub, 0x7fffffff, 0x80000000, 0x00000001)
        TEST_RR_OP(20, sub, 0x80000000, 0x00000000, 0x80000000)
        TEST_RR_OP(21, sub, 0x80000001, 0x00000000, 0x7fffffff)
        TEST_RR_OP(22, sub, 0xfffffffc, 0x00000003, 0x00000007)
        TEST_RR_OP(23, sub, 0x00000000, 0xffffffff, 0xffffffff)

        /* SLT / SLTI (signed) */
        TEST_RR_OP(24, slt, 0, 0x00000000, 0x00000000)
        TEST_RR_OP(25, slt, 1, 0x00000000, 0x00000001)
        TEST_RR_OP(26, slt, 0, 0x00000001, 0x00000000)
        TEST_RR_OP(27, slt, 1, 0xffffffff, 0x00000000)
        TEST_RR_OP(28, slt, 1, 0x80000000, 0x7fffffff)
        TEST_RR_OP(29, slt, 0, 0x7fffffff, 0x80000000)
        TEST_RR_OP(30, slt, 1, 0x80000000, 0xffffffff)
        TEST_RR_OP(31, slt, 0, 0xffffffff, 0xffffffff)
        TEST_IMM_OP(32, slti, 1, 0x80000000, 0)
        TEST_IMM_OP(33, slti, 0, 0x00000000, -1)
        TEST_IMM_OP(34, slti, 1, 0xfffff7ff, -2048)
        TEST_IMM_OP(35, slti, 0, 0xfffff800, -2048)
        TEST_IMM_OP(36, slti, 1, 0x000007fe, 2047)
        TEST_IMM_OP(37, slti, 0, 0x7fffffff, 2047)

        /* SLTU / SLTIU (unsigned; the immediate is sign-extended first) */
        TEST_RR_OP(38, sltu, 0, 0x00000000, 0x00000000)
        TEST_RR_OP(39, sltu, 1, 0x00000000, 0x00000001)
        TEST_RR_OP(40, sltu, 0, 0xffffffff, 0x00000000)
        TEST_RR_OP(41, sltu, 1, 0x00000000, 0xffffffff)
        TEST_RR_OP(42, sltu, 0, 0x80000000, 0x7fffffff)
        TEST_RR_OP(43, sltu, 1, 0x7fffffff, 0x80000000)
        TEST_RR_OP(44, sltu, 1, 0xfffffffe, 0xffffffff)
        TEST_IMM_OP(45, sltiu, 1, 0x00000000, 1)            /* seqz */
        TEST_IMM_OP(46, sltiu, 0, 0x00000005, 1)
        TEST_IMM_OP(47, sltiu, 1, 0x80000000, -1)           /* -1 compares as 0xffffffff */
        TEST_IMM_OP(48, sltiu, 0, 0xffffffff, -1)
        TEST_IMM_OP(49, sltiu, 1, 0xfffff7ff, -2048)
        TEST_IMM_OP(50, sltiu, 0, 0x00000800, 2047)
        TEST_IMM_OP(51, sltiu, 1, 0x000007fe, 2047)

        /* AND / ANDI, OR / ORI, XOR / XORI */
        TEST_RR_OP(52, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
        TEST_RR_OP(53, and, 0x00000000, 0xaaaaaaaa, 0x55555555)
        TEST_RR_OP(54, and, 0x80000001, 0xffffffff, 0x80000001)
        TEST_IMM_OP(55, andi, 0xff00ff00, 0xff00ff0f, -16)  /* 0xfffffff0 */
        TEST_IMM_OP(56, andi, 0x000007ff, 0xffffffff, 2047)
        TEST_IMM_OP(57, andi, 0x80000800, 0x80000fff, -2048)
        TEST_RR_OP(58, or, 0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
        TEST_RR_OP(59, or, 0xffffffff, 0xaaaaaaaa, 0x55555555)
        TEST_IMM_OP(60, ori, 0xfffff8ff, 0x000000ff, -2048)
        TEST_IMM_OP(61, ori, 0x800007ff, 0x80000000, 2047)
        TEST_IMM_OP(62, ori, 0xffffffff, 0x00000000, -1)
        TEST_RR_OP(63, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
        TEST_RR_OP(64, xor, 0x00000000, 0x12345678, 0x12345678)
        TEST_IMM_OP(65, xori, 0xedcba987, 0x12345678, -1) /* not */
        TEST_IMM_OP(66, xori, 0x12345228, 0x123455d7, 2047)
        TEST_IMM_OP(67, xori, 0xedcbaeaf, 0x123456af, -2048)

        /* SLL / SLLI */
        TEST_RR_OP(68, sll, 0x00000001, 0x00000001, 0)
        TEST_RR_OP(69, sll, 0x00000002, 0x00000001, 1)
        TEST_RR_OP(70, sll, 0x80000000, 0x00000001, 31)
        TEST_RR_OP(71, sll, 0x80000000, 0xffffffff, 31)
        TEST_RR_OP(72, sll, 0x90909080, 0x21212121, 7)
        TEST_RR_OP(73, sll, 0x21212121, 0x21212121, 32)      /* only rs2[4:0] counts */
        TEST_RR_OP(74, sll, 0x42424242, 0x21212121, 33)
        TEST_RR_OP(75, sll, 0x80000000, 0x21212121, 0xffffffff)
        TEST_RR_OP(76, sll, 0x90909080, 0x21212121, 0xffffffe7)
        TEST_IMM_OP(77, slli, 0x21212121, 0x21212121, 0)
        TEST_IMM_OP(78, slli, 0x42424242, 0x21212121, 1)
        TEST_IMM_OP(79, slli, 0x80000000, 0x21212121, 31)
        TEST_IMM_OP(80, slli, 0x00000000, 0x80000000, 1)

        /* SRL / SRLI (zero fill) */
        TEST_RR_OP(81, srl, 0x80000000, 0x80000000, 0)
        TEST_RR_OP(82, srl, 0x40000000, 0x80000000, 1)
        TEST_RR_OP(83, srl, 0x00000001, 0x80000000, 31)
        TEST_RR_OP(84, srl, 0x00000001, 0xffffffff, 31)
        TEST_RR_OP(85, srl, 0x01ffffff, 0xffffffff, 7)
        TEST_RR_OP(86, srl, 0x21212121, 0x21212121, 0xffffffe0)
        TEST_RR_OP(87, srl, 0x00000000, 0x21212121, 0xffffffff)
        TEST_RR_OP(88, srl, 0x7fffffff, 0xffffffff, 33)
        TEST_IMM_OP(89, srli, 0x80000000, 0x80000000, 0)
        TEST_IMM_OP(90, srli, 0x7fffffff, 0xffffffff, 1)
        TEST_IMM_OP(91, srli, 0x00000001, 0xffffffff, 31)
        TEST_IMM_OP(92, srli, 0x00424242, 0x21212121, 7)

        /* SRA / SRAI (sign fill) */
        TEST_RR_OP(93, sra, 0x80000000, 0x80000000, 0)
        TEST_RR_OP(94, sra, 0xc0000000, 0x80000000, 1)
        TEST_RR_OP(95, sra, 0xffffffff, 0x80000000, 31)
        TEST_RR_OP(96, sra, 0x00000000, 0x7fffffff, 31)
        TEST_RR_OP(97, sra, 0xff030303, 0x81818181, 7)
        TEST_RR_OP(98, sra, 0x81818181, 0x81818181, 0xffffffc0)
        TEST_RR_OP(99, sra, 0xffffffff, 0x81818181, 0xffffffff)
        TEST_RR_OP(100, sra, 0x3fffffff, 0x7fffffff, 33)
        TEST_IMM_OP(101, srai, 0x80000000, 0x80000000, 0)
        TEST_IMM_OP(102, srai, 0xc0000000, 0x80000000, 1)
        TEST_IMM_OP(103, srai, 0xffffffff, 0x80000000, 31)
        TEST_IMM_OP(104, srai, 0x00000000, 0x7fffffff, 31)
        TEST_IMM_OP(105, srai, 0xff030303, 0x81818181, 7)
        TEST_IMM_OP(106, srai, 0x00424242, 0x21212121, 7)

        /* LUI: the immediate fills bits 31:12, the low 12 bits are zero */
        TEST_CASE(107, a4, 0x00000000, lui a4, 0)
        TEST_CASE(108, a4, 0xfffff000, lui a4, 0xfffff)
        TEST_CASE(109, a4, 0x80000000, lui a4, 0x80000)
        TEST_CASE(110, a4, 0x7ffff000, lui a4, 0x7ffff)
        TEST_CASE(111, a4, 0x12345678, lui a4, 0x12345; addi a4, a4, 0x678)
        TEST_CASE(112, a4, 0x1233f800, lui a4, 0x12340; addi a4, a4, -2048)
        TEST_CASE(113, a4, 0xfffff7ff, lui a4, 0xfffff; srai a4, a4, 1; addi a4, a4, -1; srli a4, a4, 0)

        /* AUIPC: pc of the auipc itself plus the shifted immediate */
        TEST_CASE(114, a4, 0, 1: auipc a4, 0; la a5, 1b; sub a4, a4, a5)
        TEST_CASE(115, a4, 0x00001000, 1: auipc a4, 1; la a5, 1b; sub a4, a4, a5)
        TEST_CASE(116, a4, 0xfffff000, 1: auipc a4, 0xfffff; la a5, 1b; sub a4, a4, a5)
        TEST_CASE(117, a4, 0x80000000, 1: auipc a4, 0x80000; la a5, 1b; sub a4, a4, a5)
        /* Two auipcs 8 bytes apart differ by 8. */
        TEST_CASE(118, a4, 8, auipc a4, 0; nop; auipc a5, 0; sub a4, a5, a4)

        /* Aliased registers: the sources are read before the destination is written */
        TEST_RR_DEST1(119, add, 0x00000018, 13, 11)
        TEST_RR_DEST2(120, add, 0x00000018, 13, 11)
        TEST_RR_SAME(121, add, 0x0000001a, 13)
        TEST_RR_DEST1(122, sub, 0x00000002, 13, 11)
        TEST_RR_DEST2(123, sub, 0x00000002, 13, 11)
        TEST_RR_SAME(124, sub, 0x00000000, 13)
        TEST_RR_DEST1(125, sll, 0x00000080, 1, 7)
        TEST_RR_DEST2(126, sll, 0x00000080, 1, 7)
        TEST_RR_SAME(127, sll, 0x18000000, 24)
        TEST_RR_DEST1(128, sra, 0xffffff00, 0x80000000, 23)
        TEST_RR_DEST2(129, srl, 0x00000100, 0x80000000, 23)
        TEST_RR_SAME(130, slt, 0, 0x80000000)
        TEST_RR_SAME(131, sltu, 0, 0xffffffff)
        TEST_RR_SAME(132, xor, 0, 0x12345678)
        TEST_RR_SAME(133, and, 0x12345678, 0x12345678)
        TEST_RR_SAME(134, or, 0x12345678, 0x12345678)
        TEST_IMM_DEST(135, addi, 0x0000001a, 13, 13)
        TEST_IMM_DEST(136, slli, 0x00000080, 1, 7)
        TEST_IMM_DEST(137, srai, 0xffffffff, 0x80000000, 31)
        TEST_IMM_DEST(138, sltiu, 1, 0, 1)
        TEST_IMM_DEST(139, xori, 0xffffff0f, 0xf0, -1)

        /* x0 as a destination: the write is discarded, and x0 reads zero afterwards */
        li TESTNUM, 140
        li a1, 0x12345678
        li a2, 0x11111111
        add x0, a1, a2
        bnez x0, __fail
        li TESTNUM, 141
        addi x0, x0, 5
        bnez x0, __fail
        li TESTNUM, 142
        lui x0, 0x80000
        bnez x0, __fail
        li TESTNUM, 143
        auipc x0, 0x1
        bnez x0, __fail
        li TESTNUM, 144
        sub x0, x0, a1
        slli x0, a1, 3
        srai x0, a1, 3
        xori x0, a1, -1
        sltu x0, x0, a1
        bnez x0, __fail
        /* x0 as a source reads zero even right after a write to it */
        TEST_CASE(145, a4, 0x12345678, addi x0, x0, 7; add a4, x0, a1)
        TEST_CASE(146, a4, 1, lui x0, 1; sltu a4, x0, a1)
        /* and an OP with a destination that is not x0 still works after that */
        TEST_RR_OP(147, or, 0x13355779, 0x12345678, 0x11111111)

        TEST_PASS
        TEST_END
