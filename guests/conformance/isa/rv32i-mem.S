/*
 * RV32I loads and stores: LB, LH, LW, LBU, LHU, SB, SH, SW on aligned addresses.
 *
 * Sign and zero extension at the 0x7f/0x80 and 0x7fff/0x8000 edges, little-endian byte
 * order in both directions, partial stores merging into a word, offsets at both ends of
 * the 12-bit range (-2048, +2047) in both directions from the base, a base register that
 * is also the destination or the stored value, stores of x0, loads into x0, and
 * initialised data as the loader placed it. (Misaligned accesses: misaligned.S.)
 */
#include "test.h"

        TEST_INIT

        la s0, buf                    /* s0: a word-aligned scratch buffer */
        la s1, rodata_words

        /* Initialised data, as loaded from the image */
        TEST_CASE(1, a4, 0x00ff00ff, lw a4, 0(s1))
        TEST_CASE(2, a4, 0xff00ff00, lw a4, 4(s1))
        TEST_CASE(3, a4, 0x0ff00ff0, lw a4, 8(s1))
        TEST_CASE(4, a4, 0xf00ff00f, lw a4, 12(s1))

        /* Byte order of a stored word */
        li a1, 0x11223344
        sw a1, 0(s0)
        TEST_CASE(5, a4, 0x44, lbu a4, 0(s0))
        TEST_CASE(6, a4, 0x33, lbu a4, 1(s0))
        TEST_CASE(7, a4, 0x22, lbu a4, 2(s0))
        TEST_CASE(8, a4, 0x11, lbu a4, 3(s0))
        TEST_CASE(9, a4, 0x3344, lhu a4, 0(s0))
        TEST_CASE(10, a4, 0x1122, lhu a4, 2(s0))
        TEST_CASE(11, a4, 0x11223344, lw a4, 0(s0))

        /* Sign extension (LB, LH) and zero extension (LBU, LHU) */
        li a1, 0x807f01ff
        sw a1, 0(s0)
        TEST_CASE(12, a4, 0xffffffff, lb a4, 0(s0))
        TEST_CASE(13, a4, 0x00000001, lb a4, 1(s0))
        TEST_CASE(14, a4, 0x0000007f, lb a4, 2(s0))
        TEST_CASE(15, a4, 0xffffff80, lb a4, 3(s0))
        TEST_CASE(16, a4, 0x000000ff, lbu a4, 0(s0))
        TEST_CASE(17, a4, 0x00000080, lbu a4, 3(s0))
        TEST_CASE(18, a4, 0x000001ff, lh a4, 0(s0))
        TEST_CASE(19, a4, 0xffff807f, lh a4, 2(s0))
        TEST_CASE(20, a4, 0x0000807f, lhu a4, 2(s0))
        li a1, 0x7fff8000
        sw a1, 4(s0)
        TEST_CASE(21, a4, 0xffff8000, lh a4, 4(s0))
        TEST_CASE(22, a4, 0x00007fff, lh a4, 6(s0))
        TEST_CASE(23, a4, 0x00008000, lhu a4, 4(s0))
        TEST_CASE(24, a4, 0x00007fff, lhu a4, 6(s0))

        /* SB and SH write only their bytes (the register's upper bits are ignored) */
        li a1, 0xaaaaaaaa
        sw a1, 8(s0)
        li a2, 0x12345678
        sb a2, 8(s0)
        TEST_CASE(25, a4, 0xaaaaaa78, lw a4, 8(s0))
        sb a2, 11(s0)
        TEST_CASE(26, a4, 0x78aaaa78, lw a4, 8(s0))
        sb a2, 9(s0)
        sb a2, 10(s0)
        TEST_CASE(27, a4, 0x78787878, lw a4, 8(s0))
        sw a1, 8(s0)
        sh a2, 8(s0)
        TEST_CASE(28, a4, 0xaaaa5678, lw a4, 8(s0))
        sh a2, 10(s0)
        TEST_CASE(29, a4, 0x56785678, lw a4, 8(s0))
        li a2, 0xffff0001
        sh a2, 10(s0)
        TEST_CASE(30, a4, 0x00015678, lw a4, 8(s0))
        /* Neighbouring words are untouched */
        TEST_CASE(31, a4, 0x7fff8000, lw a4, 4(s0))
        sw a1, 12(s0)
        TEST_CASE(32, a4, 0x00015678, lw a4, 8(s0))

        /* Offsets at both ends of the range, around a base in the middle of big */
        la s2, big_mid
        li a1, 0x01020304
        sw a1, -2048(s2)
        li a1, 0x05060708
        sw a1, 2044(s2)
        li a1, 0x0000005a
        sb a1, 2047(s2)
        li a1, 0x0000a5a5
        sh a1, 2046(s2)
        la s3, big
        TEST_CASE(33, a4, 0x01020304, lw a4, 0(s3))           /* big_mid - 2048 == big */
        TEST_CASE(34, a4, 0x01020304, lw a4, -2048(s2))
        TEST_CASE(35, a4, 0xa5a50708, lw a4, 2044(s2))
        TEST_CASE(36, a4, 0xffffffa5, lb a4, 2047(s2))
        TEST_CASE(37, a4, 0x000000a5, lbu a4, 2047(s2))
        TEST_CASE(38, a4, 0xffffa5a5, lh a4, 2046(s2))
        TEST_CASE(39, a4, 0x00000004, lbu a4, -2048(s2))
        TEST_CASE(40, a4, 0x00000102, lhu a4, -2046(s2))
        li t0, 4096 - 4
        add t0, s3, t0
        TEST_CASE(41, a4, 0xa5a50708, lw a4, 0(t0))           /* big_mid + 2044 */
        /* negative offset from a base one past the data */
        addi t0, s0, 16
        TEST_CASE(42, a4, 0xaaaaaaaa, lw a4, -4(t0))

        /* The base register as destination and as the stored value */
        sw s0, 16(s0)
        TEST_CASE(43, a4, 0, lw a4, 16(s0); sub a4, a4, s0)   /* sw rs2 == rs1 */
        addi a1, s0, 16
        TEST_CASE(44, a1, 0, lw a1, 0(a1); sub a1, a1, s0)     /* lw rd == rs1 */
        li a1, 0x00000080
        sw a1, 20(s0)
        addi a1, s0, 20
        TEST_CASE(45, a1, 0xffffff80, lb a1, 0(a1))
        addi a1, s0, 20
        TEST_CASE(46, a1, 0x00000080, lhu a1, 0(a1))

        /* x0: stores write zero, loads into x0 are discarded */
        li a1, -1
        sw a1, 24(s0)
        sw x0, 24(s0)
        TEST_CASE(47, a4, 0, lw a4, 24(s0))
        sw a1, 24(s0)
        sb x0, 25(s0)
        TEST_CASE(48, a4, 0xffff00ff, lw a4, 24(s0))
        sh x0, 26(s0)
        TEST_CASE(49, a4, 0x000000ff, lw a4, 24(s0))
        li TESTNUM, 50
        lw x0, 24(s0)
        lb x0, 24(s0)
        lbu x0, 24(s0)
        lh x0, 24(s0)
        lhu x0, 24(s0)
        bnez x0, __fail
        TEST_CASE(51, a4, 0, li a4, 7; add a4, x0, x0)

        /* A load right after a store to the same address sees the store */
        li a1, 0x13579bdf
        TEST_CASE(52, a4, 0x13579bdf, sw a1, 28(s0); lw a4, 28(s0))
        TEST_CASE(53, a4, 0xffffffdf, sb a1, 28(s0); lb a4, 28(s0))
        li a1, 0x2468
        TEST_CASE(54, a4, 0x24689bdf, sh a1, 30(s0); lw a4, 28(s0))

        /* Every byte of a word, written one at a time, then read back as halves */
        li a1, 0
        li a2, 0xf0
1:      add t0, s0, a1
        sb a2, 32(t0)
        addi a2, a2, 1
        addi a1, a1, 1
        li t1, 4
        bne a1, t1, 1b
        TEST_CASE(55, a4, 0xf3f2f1f0, lw a4, 32(s0))
        TEST_CASE(56, a4, 0xfffff1f0, lh a4, 32(s0))
        TEST_CASE(57, a4, 0x0000f3f2, lhu a4, 34(s0))

        /* Across a page boundary: the last word of one page, the first of the next */
        la s4, page2
        li a1, 0xcafef00d
        sw a1, -4(s4)
        li a1, 0x0badbeef
        sw a1, 0(s4)
        TEST_CASE(58, a4, 0xcafef00d, lw a4, -4(s4))
        TEST_CASE(59, a4, 0x0badbeef, lw a4, 0(s4))
        TEST_CASE(60, a4, 0xffffffca, lb a4, -1(s4))
        TEST_CASE(61, a4, 0x000000ef, lbu a4, 0(s4))

        TEST_PASS
        TEST_END

        .section .rodata
        .align 4
rodata_words:
        .word 0x00ff00ff, 0xff00ff00, 0x0ff00ff0, 0xf00ff00f

        .bss
        .align 12
buf:    .space 64
        .align 4
big:    .space 2048
big_mid:
        .space 2048
        .align 12
        .space 4096
page2:  .space 16
