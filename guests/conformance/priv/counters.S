/*
 * Counters (privileged spec 1.12 §3.1.10-12, unprivileged Zicntr): cycle, time, instret
 * and their high halves; mcycle/minstret writable from M; time agreeing with the CLINT's
 * mtime; mcounteren gating S and U, scounteren gating U, bit by bit.
 */
#include "priv.h"

/* hi:lo of a 64-bit counter, read consistently. Clobbers t0. */
#define READ64(hi, lo, csrhi, csrlo)                 \
8:      csrr hi, csrhi;                              \
        csrr lo, csrlo;                              \
        csrr t0, csrhi;                              \
        bne hi, t0, 8b;

        PRIV_INIT

        /* ---- instret counts retired instructions: exactly 11 from one read to the next
           here (the reading instruction sees the count before itself). QEMU 7.2 counts
           host ticks without -icount: there only "it grew" is checked. */
        csrr a0, instret
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        csrr a1, instret
        sub a2, a1, a0
        li TESTNUM, 1
        blez a2, __fail
        SKIP_ON_QEMU(1f)
        CHECK(2, a2, 11)
1:      csrr a0, minstret                               /* minstret is the same counter */
        csrr a1, instret
        sub a2, a1, a0
        li TESTNUM, 3
        blez a2, __fail
        SKIP_ON_QEMU(1f)
        CHECK(4, a2, 1)
1:
        /* ECALL and EBREAK do not retire (priv 1.12 §3.3.1): from one read to the next,
           the csrr, li and la (2) of EXPECT_TRAP, and the catcher's 8 instructions are
           counted, the ecall is not. */
        csrr a0, instret
        EXPECT_TRAP(8, ecall)
        csrr a1, instret
        sub a2, a1, a0
        SKIP_ON_QEMU(1f)
        li TESTNUM, 9
        li t6, 1 + 1 + 2 + 8
        bne a2, t6, __fail
1:
        /* ---- cycle grows, and at least as fast as instret. */
        csrr a0, cycle
        csrr a3, instret
        li t1, 100
1:      addi t1, t1, -1
        bnez t1, 1b
        csrr a1, cycle
        csrr a4, instret
        sub a2, a1, a0
        li TESTNUM, 5
        blez a2, __fail
        SKIP_ON_QEMU(1f)
        sub a5, a4, a3
        li TESTNUM, 6
        bltu a2, a5, __fail
1:      csrr a0, mcycle
        li TESTNUM, 7
        csrr a1, cycle
        bltu a1, a0, __fail                             /* (no wrap in this short test) */

        /* ---- The high halves read, and are consistent with the low halves. */
        READ64(a0, a1, cycleh, cycle)
        READ64(a2, a3, instreth, instret)
        READ64(a4, a5, timeh, time)
        READ64(a0, a1, mcycleh, mcycle)
        READ64(a2, a3, minstreth, minstret)

        /* ---- Writing minstret / mcycle (and the high halves) from M. */
        li a0, 1000
        csrw minstret, a0
        csrr a1, instret
        SKIP_ON_QEMU(1f)
        /* The write replaces the increment of the writing instruction (Zicsr). */
        CHECK(10, a1, 1000)
1:      li t0, 1000                                     /* QEMU: no upper bound (time) */
        li TESTNUM, 11
        bltu a1, t0, __fail
        li a0, 7
        csrw minstreth, a0
        csrr a1, instreth
        CHECK(12, a1, 7)
        csrw minstreth, zero
        li a0, 0x0fff0000                              /* far from a carry */
        csrw mcycle, a0
        csrr a1, cycle
        li TESTNUM, 13
        bltu a1, a0, __fail
        SKIP_ON_QEMU(1f)
        CHECK(16, a1, 0x0fff0000)                       /* as for minstret */
1:
        li a0, 3
        csrw mcycleh, a0
        csrr a1, cycleh
        CHECK(14, a1, 3)
        /* A carry from the low half into the high half. QEMU 7.2 keeps the halves of
           a written counter apart (no carry): skipped there. */
        SKIP_ON_QEMU(1f)
        csrw minstreth, zero
        li a0, -8
        csrw minstret, a0
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        csrr a1, instreth
        CHECK(15, a1, 1)
1:

        /* ---- time is mtime: between two reads of the CLINT's mtime. */
        li s6, CLINT_MTIME
        lw a0, 0(s6)
        csrr a1, time
        lw a2, 0(s6)
        li TESTNUM, 20
        bltu a1, a0, __fail
        bltu a2, a1, __fail
        /* … and it advances. */
        csrr a0, time
        li t1, 2000
1:      addi t1, t1, -1
        bnez t1, 1b
        csrr a1, time
        li TESTNUM, 21
        bgeu a0, a1, __fail

        /* ---- mcounteren = 0: S and U may not read any counter. */
        csrw mcounteren, zero
        csrw scounteren, zero
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(30, c1: csrr a0, cycle)
        CHECK(31, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(32, s3, c1)
        CHECK_TVAL_INSN(33, s4, c1)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(34, csrr a0, time)
        CHECK(35, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(36, csrr a0, instret)
        CHECK(37, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(38, csrr a0, cycleh)
        CHECK(39, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(40, csrr a0, timeh)
        CHECK(41, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(42, csrr a0, instreth)
        CHECK(43, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(44, csrr a0, cycle)
        CHECK(45, s2, CAUSE_ILLEGAL)
        /* M-mode is never gated. */
        csrr a0, cycle
        csrr a0, time
        csrr a0, instret

        /* ---- Bit by bit: CY only. */
        li a1, 1
        csrw mcounteren, a1
        ENTER_MODE(MPP_S)
        csrr a0, cycle
        csrr a0, cycleh
        EXPECT_TRAP(50, csrr a0, time)
        CHECK(51, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(52, csrr a0, instret)
        CHECK(53, s2, CAUSE_ILLEGAL)
        /* TM only. */
        li a1, 2
        csrw mcounteren, a1
        ENTER_MODE(MPP_S)
        csrr a0, time
        csrr a0, timeh
        EXPECT_TRAP(54, csrr a0, cycle)
        CHECK(55, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(56, csrr a0, instreth)
        CHECK(57, s2, CAUSE_ILLEGAL)
        /* IR only. */
        li a1, 4
        csrw mcounteren, a1
        ENTER_MODE(MPP_S)
        csrr a0, instret
        csrr a0, instreth
        EXPECT_TRAP(58, csrr a0, timeh)
        CHECK(59, s2, CAUSE_ILLEGAL)

        /* ---- U needs both mcounteren and scounteren. */
        li a1, 7
        csrw mcounteren, a1
        csrw scounteren, zero
        ENTER_MODE(MPP_S)                               /* S: allowed */
        csrr a0, cycle
        csrr a0, time
        csrr a0, instret
        BACK_TO_M
        ENTER_MODE(MPP_U)                               /* U: scounteren = 0 */
        EXPECT_TRAP(60, u1: csrr a0, cycle)
        CHECK(61, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(62, s3, u1)
        CHECK_MASKED(63, s5, MSTATUS_MPP, MPP_U)
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(64, csrr a0, time)
        CHECK(65, s2, CAUSE_ILLEGAL)
        li a1, 5                                        /* CY and IR in scounteren */
        csrw scounteren, a1
        ENTER_MODE(MPP_U)
        csrr a0, cycle
        csrr a0, instret
        csrr a0, instreth
        EXPECT_TRAP(66, csrr a0, time)
        CHECK(67, s2, CAUSE_ILLEGAL)
        li a1, 7                                        /* all in scounteren, TM not in */
        csrw scounteren, a1                             /* mcounteren: still gated */
        li a1, 5
        csrw mcounteren, a1
        ENTER_MODE(MPP_U)
        csrr a0, cycle
        EXPECT_TRAP(68, csrr a0, time)
        CHECK(69, s2, CAUSE_ILLEGAL)
        li a1, 7
        csrw mcounteren, a1
        ENTER_MODE(MPP_U)
        csrr a0, cycle
        csrr a1, time
        csrr a2, instret
        csrr a3, cycleh
        csrr a4, timeh
        csrr a5, instreth
        /* A delegated illegal-instruction from a gated counter goes to S. */
        BACK_TO_M
        CHECK(70, s2, CAUSE_ECALL_U)
        csrw scounteren, zero
        li a1, 1 << CAUSE_ILLEGAL
        csrw medeleg, a1
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(71, csrr a0, cycle)
        CHECK(72, s2, CAUSE_ILLEGAL)
        CHECK_MASKED(73, s5, MSTATUS_SPP, 0)
        BACK_TO_M
        csrw medeleg, zero

        TEST_PASS
        PRIV_END
