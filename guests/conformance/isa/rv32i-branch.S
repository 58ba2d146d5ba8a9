/*
 * RV32I control transfer: every conditional branch taken and not taken on the signed and
 * unsigned edges, forward and backward, up to the ends of the branch range and across
 * pages; JAL and JALR link values, JALR's offset and its clearing of bit 0, rd == rs1,
 * and x0 as the link register.
 *
 * A target that is only 2-byte aligned is legal on a machine with the C extension and an
 * instruction-address-misaligned exception (cause 0, mtval = the target, mepc = the jump)
 * without it; the last part checks whichever misa says.
 */
#include "test.h"
#include "trap.h"

/* The branch must be taken: falling through fails. */
#define TEST_TAKEN(num, inst, v1, v2)                \
        li TESTNUM, num;                             \
        li a1, v1;                                   \
        li a2, v2;                                   \
        inst a1, a2, 1f;                             \
        j __fail;                                    \
1:

/* The branch must not be taken. */
#define TEST_NOT_TAKEN(num, inst, v1, v2)            \
        li TESTNUM, num;                             \
        li a1, v1;                                   \
        li a2, v2;                                   \
        inst a1, a2, 1f;                             \
        j 2f;                                        \
1:      j __fail;                                    \
2:

/* Taken backwards: jump over the target, branch back to it, then leave. */
#define TEST_TAKEN_BACK(num, inst, v1, v2)           \
        li TESTNUM, num;                             \
        li a1, v1;                                   \
        li a2, v2;                                   \
        j 2f;                                        \
1:      j 3f;                                        \
2:      inst a1, a2, 1b;                             \
        j __fail;                                    \
3:

        TEST_INIT

        /* BEQ / BNE */
        TEST_TAKEN(1, beq, 0, 0)
        TEST_TAKEN(2, beq, 0xffffffff, 0xffffffff)
        TEST_TAKEN(3, beq, 0x80000000, 0x80000000)
        TEST_NOT_TAKEN(4, beq, 0, 1)
        TEST_NOT_TAKEN(5, beq, 0x80000000, 0x00000000)
        TEST_NOT_TAKEN(6, beq, 0xffffffff, 0x7fffffff)
        TEST_TAKEN(7, bne, 0, 1)
        TEST_TAKEN(8, bne, 0x80000000, 0x00000000)
        TEST_TAKEN(9, bne, 0x00000001, 0x80000001)
        TEST_NOT_TAKEN(10, bne, 0, 0)
        TEST_NOT_TAKEN(11, bne, 0xffffffff, 0xffffffff)

        /* BLT / BGE (signed) */
        TEST_TAKEN(12, blt, 0, 1)
        TEST_TAKEN(13, blt, 0xffffffff, 0)
        TEST_TAKEN(14, blt, 0x80000000, 0x7fffffff)
        TEST_TAKEN(15, blt, 0x80000000, 0xffffffff)
        TEST_TAKEN(16, blt, 0xfffffffe, 0xffffffff)
        TEST_NOT_TAKEN(17, blt, 0, 0)
        TEST_NOT_TAKEN(18, blt, 1, 0)
        TEST_NOT_TAKEN(19, blt, 0, 0xffffffff)
        TEST_NOT_TAKEN(20, blt, 0x7fffffff, 0x80000000)
        TEST_NOT_TAKEN(21, blt, 0x80000000, 0x80000000)
        TEST_TAKEN(22, bge, 0, 0)
        TEST_TAKEN(23, bge, 1, 0)
        TEST_TAKEN(24, bge, 0, 0xffffffff)
        TEST_TAKEN(25, bge, 0x7fffffff, 0x80000000)
        TEST_TAKEN(26, bge, 0x80000000, 0x80000000)
        TEST_TAKEN(27, bge, 0xffffffff, 0xfffffffe)
        TEST_NOT_TAKEN(28, bge, 0xffffffff, 0)
        TEST_NOT_TAKEN(29, bge, 0x80000000, 0x7fffffff)
        TEST_NOT_TAKEN(30, bge, 0, 1)

        /* BLTU / BGEU (unsigned) */
        TEST_TAKEN(31, bltu, 0, 1)
        TEST_TAKEN(32, bltu, 0, 0xffffffff)
        TEST_TAKEN(33, bltu, 0x7fffffff, 0x80000000)
        TEST_TAKEN(34, bltu, 0xfffffffe, 0xffffffff)
        TEST_NOT_TAKEN(35, bltu, 0, 0)
        TEST_NOT_TAKEN(36, bltu, 0xffffffff, 0)
        TEST_NOT_TAKEN(37, bltu, 0x80000000, 0x7fffffff)
        TEST_NOT_TAKEN(38, bltu, 0xffffffff, 0xffffffff)
        TEST_TAKEN(39, bgeu, 0, 0)
        TEST_TAKEN(40, bgeu, 0xffffffff, 0)
        TEST_TAKEN(41, bgeu, 0x80000000, 0x7fffffff)
        TEST_TAKEN(42, bgeu, 0xffffffff, 0xffffffff)
        TEST_NOT_TAKEN(43, bgeu, 0, 1)
        TEST_NOT_TAKEN(44, bgeu, 0, 0xffffffff)
        TEST_NOT_TAKEN(45, bgeu, 0x7fffffff, 0x80000000)

        /* Backward branches */
        TEST_TAKEN_BACK(46, beq, 5, 5)
        TEST_TAKEN_BACK(47, bne, 5, 6)
        TEST_TAKEN_BACK(48, blt, 0x80000000, 0)
        TEST_TAKEN_BACK(49, bge, 0, 0x80000000)
        TEST_TAKEN_BACK(50, bltu, 0, 0x80000000)
        TEST_TAKEN_BACK(51, bgeu, 0x80000000, 0)

        /* A counted loop: bnez backwards 100 times */
        li TESTNUM, 52
        li a1, 100
        li a2, 0
1:      addi a2, a2, 1
        addi a1, a1, -1
        bnez a1, 1b
        li t6, 100
        bne a2, t6, __fail

        /* The same register on both sides */
        li TESTNUM, 53
        li a1, 0x80000000
        bne a1, a1, __fail
        blt a1, a1, __fail
        bltu a1, a1, __fail
        beq a1, a1, 1f
        j __fail
1:      bge a1, a1, 1f
        j __fail
1:      bgeu a1, a1, 1f
        j __fail
1:

        /* x0 compares as zero */
        li TESTNUM, 54
        li a1, 0
        beq x0, a1, 1f
        j __fail
1:
        li TESTNUM, 55
        li a1, -1
        blt x0, a1, __fail
        bltu x0, a1, 1f
        j __fail
1:      bge x0, a1, 1f
        j __fail
1:

        /* The far ends of the branch range: +4092 forward, -4096 backward. The skipped
           space is zero words (illegal instructions), so a wrong target traps. */
        li TESTNUM, 56
far_fwd_from:
        beq x0, x0, far_fwd
        .skip 4088
far_fwd:
        la t6, far_fwd_from
        la t5, far_fwd
        sub t5, t5, t6
        li t6, 4092
        bne t5, t6, __fail
        li TESTNUM, 57
        j far_back_from
far_back:
        j far_back_done
        .skip 4092
far_back_from:
        bne x0, TESTNUM, far_back
        j __fail
far_back_done:
        la t6, far_back
        la t5, far_back_from
        sub t5, t6, t5
        li t6, -4096
        bne t5, t6, __fail

        /* JAL: rd = pc + 4 */
        li TESTNUM, 58
        jal a1, 1f
2:      j __fail
1:      la t6, 2b
        bne a1, t6, __fail
        li TESTNUM, 59
        j 1f                          /* jal x0 */
        j __fail
1:      li TESTNUM, 60                /* backward jal with a link */
        j 3f
1:      la t6, 2f
        bne a2, t6, __fail
        j 4f
3:      jal a2, 1b
2:      j __fail
4:
        /* JAL over more than a page, forward and back */
        li TESTNUM, 61
        jal ra, far_jal_target
far_jal_link:
        j __fail

        /* JALR: target = (rs1 + imm) & ~1, rd = pc + 4 */
jalr_tests:
        li TESTNUM, 62
        la a1, 1f
        jalr a2, 0(a1)
2:      j __fail
1:      la t6, 2b
        bne a2, t6, __fail
        li TESTNUM, 63                /* positive offset */
        la a1, 1f
        addi a1, a1, -16
        jalr a2, 16(a1)
        j __fail
1:      li TESTNUM, 64                /* negative offset */
        la a1, 1f
        addi a1, a1, 2000
        jalr a2, -2000(a1)
        j __fail
1:      li TESTNUM, 65                /* bit 0 of the sum is cleared */
        la a1, 1f
        ori a1, a1, 1
        jalr a2, 0(a1)
        j __fail
1:      li TESTNUM, 66                /* ... also when the immediate sets it */
        la a1, 1f
        jalr a2, 1(a1)
        j __fail
1:      li TESTNUM, 67
        la a1, 1f
        addi a1, a1, 4
        jalr a2, -3(a1)
        j __fail
1:      li TESTNUM, 68                /* rd == rs1: the target uses the old value */
        la a1, 1f
        jalr a1, 0(a1)
2:      j __fail
1:      la t6, 2b
        bne a1, t6, __fail
        li TESTNUM, 69                /* rd == rs1 with an offset */
        la a1, 1f
        addi a1, a1, -8
        jalr a1, 8(a1)
2:      j __fail
1:      la t6, 2b
        bne a1, t6, __fail
        li TESTNUM, 70                /* rd = x0 (jr): no link, x0 stays zero */
        la a1, 1f
        jalr x0, 0(a1)
        j __fail
1:      bnez x0, __fail
        li TESTNUM, 71                /* call / ret through ra */
        call leaf
        li t6, 0x1234
        bne a0, t6, __fail

        /* Jump targets that are 2 but not 4-byte aligned. */
        csrr t0, misa
        andi t0, t0, 1 << 2           /* misa.C */
        bnez t0, misaligned_done
        li TESTNUM, 72                /* jalr to pc + 6: trap, rd unchanged */
        EXPECT_TRAP(1f)
        la a1, mis_jalr
        addi a1, a1, 6
        li a2, 0x5a5a
mis_jalr:
        jalr a2, 0(a1)
        j __fail
1:      CHECK_TRAP_REG(73, 0, a1, mis_jalr)
        CHECK(74, a2, 0x5a5a)
        EXPECT_TRAP(1f)               /* taken branch to pc + 6 */
        li a2, 0x5a5a
mis_br:
        beq x0, x0, mis_br + 6
        j __fail
1:      la t5, mis_br
        addi t5, t5, 6
        CHECK_TRAP_REG(75, 0, t5, mis_br)
        EXPECT_TRAP(1f)               /* jal to pc - 2, rd unchanged */
        li a2, 0x5a5a
mis_jal:
        jal a2, mis_jal - 2
        j __fail
1:      la t5, mis_jal
        addi t5, t5, -2
        CHECK_TRAP_REG(76, 0, t5, mis_jal)
        CHECK(77, a2, 0x5a5a)
        li TESTNUM, 78                /* a branch not taken never traps */
        li a1, 1
        beq a1, x0, . + 6
        bltu a1, x0, . - 2
misaligned_done:

        TEST_PASS

leaf:   li a0, 0x1234
        ret

        .skip 4096 * 2
far_jal_target:
        la t6, far_jal_link
        bne ra, t6, __fail
        li TESTNUM, 79
        jal a3, far_jal_back
far_jal_link2:
        j __fail

        EXPECT_TRAP_HANDLER
        TEST_END

        .section .text.far, "ax"
        .skip 4096 * 3
far_jal_back:
        la t6, far_jal_link2
        bne a3, t6, __fail
        j jalr_tests
