/*
 * Interrupts (privileged spec 1.12 §3.1.9, §3.2.1, §3.3.3, §4.1.3): the CLINT's mtimecmp
 * raising MTIP and msip raising MSIP; SSIP, STIP and SEIP written by M-mode and
 * delegated to S through mideleg; the global enables (MIE, SIE, and "a lower mode always
 * takes a higher mode's interrupts"); mie gating; priorities (M-level before S-level,
 * then MEI, MSI, MTI, SEI, SSI, STI); WFI waking on a pending interrupt, also with MIE = 0.
 */
#include "priv.h"

/* mtimecmp(0) = mtime + delta, written so that no spurious earlier value is ever seen.
   Clobbers t0-t4. */
#define TIMER_IN(delta)                              \
        li t0, CLINT_MTIME;                          \
8:      lw t2, 4(t0);                                \
        lw t1, 0(t0);                                \
        lw t3, 4(t0);                                \
        bne t2, t3, 8b;                              \
        li t4, delta;                                \
        add t4, t1, t4;                              \
        sltu t1, t4, t1;                             \
        add t2, t2, t1;                              \
        li t0, CLINT_MTIMECMP(0);                    \
        li t1, -1;                                   \
        sw t1, 4(t0);                                \
        sw t4, 0(t0);                                \
        sw t2, 4(t0);

#define TIMER_OFF                                    \
        li t0, CLINT_MTIMECMP(0);                    \
        li t1, -1;                                   \
        sw t1, 4(t0);                                \
        sw t1, 0(t0);

#define MSIP_SET(v)                                  \
        li t0, CLINT_MSIP(0);                        \
        li t1, v;                                    \
        sw t1, 0(t0);

/* Spin (interrupts as they are) until (mip & bits) != 0; fail with num after a bound. */
#define WAIT_MIP(num, bits)                          \
        li TESTNUM, num;                             \
        li t3, 20000000;                             \
        li t4, bits;                                 \
8:      csrr t2, mip;                                \
        and t2, t2, t4;                              \
        bnez t2, 7f;                                 \
        addi t3, t3, -1;                             \
        bnez t3, 8b;                                 \
        j __fail;                                    \
7:

        PRIV_INIT
        TIMER_OFF
        MSIP_SET(0)

        /* ---- Machine timer: MTIP follows mtime >= mtimecmp. */
        csrr a0, mip
        CHECK_MASKED(1, a0, MIP_MTIP | MIP_MSIP, 0)
        TIMER_IN(20000)                                 /* 2 ms: "not yet" holds on QEMU */
        csrr a0, mip
        CHECK_MASKED(2, a0, MIP_MTIP, 0)                /* not yet */
        WAIT_MIP(3, MIP_MTIP)                           /* MIE = 0, mie = 0: just pending */
        li a1, MIP_MTIP                                 /* pending, MIE = 0: no trap */
        csrw mie, a1
        nop
        nop
        li a1, MSTATUS_MIE
        EXPECT_TRAP(4, csrs mstatus, a1; mt1: nop)
        CHECK(5, s2, INTR | IRQ_MTI)
        CHECK_LABEL(6, s3, mt1)
        CHECK(7, s4, 0)
        CHECK_MASKED(8, s5, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MPP_M)
        TIMER_OFF                                       /* a new mtimecmp clears MTIP */
        csrr a0, mip
        CHECK_MASKED(9, a0, MIP_MTIP, 0)
        /* mtimecmp in the past: pending at once. */
        li t0, CLINT_MTIMECMP(0)
        sw zero, 0(t0)
        sw zero, 4(t0)
        csrr a0, mip
        CHECK_MASKED(10, a0, MIP_MTIP, MIP_MTIP)
        /* mip.MTIP is read-only: clearing it does nothing. */
        li a1, MIP_MTIP
        csrc mip, a1
        csrr a0, mip
        CHECK_MASKED(11, a0, MIP_MTIP, MIP_MTIP)
        TIMER_OFF

        /* ---- Machine software interrupt from the CLINT's msip. */
        MSIP_SET(1)
        li t0, CLINT_MSIP(0)
        lw a0, 0(t0)
        CHECK(12, a0, 1)
        csrr a0, mip
        CHECK_MASKED(13, a0, MIP_MSIP, MIP_MSIP)
        li a1, MIP_MSIP
        csrw mie, a1
        li a1, MSTATUS_MIE
        EXPECT_TRAP(14, csrs mstatus, a1; nop)
        CHECK(15, s2, INTR | IRQ_MSI)
        MSIP_SET(0)
        csrr a0, mip
        CHECK_MASKED(16, a0, MIP_MSIP, 0)
        li t0, CLINT_MSIP(0)
        lw a0, 0(t0)
        CHECK(17, a0, 0)
        /* While MIE = 1, msip set by a store traps soon after that store (interrupts
           are asynchronous: QEMU takes it at its next block, tsxen right after the
           store; either way inside this loop). */
        li a1, MSTATUS_MIE
        csrs mstatus, a1
        li t0, CLINT_MSIP(0)
        li t1, 1
        EXPECT_TRAP(18, sw t1, 0(t0); ms1: j ms1)
        CHECK(19, s2, INTR | IRQ_MSI)
        CHECK_LABEL(20, s3, ms1)
        MSIP_SET(0)
        csrw mie, zero
        /* msip has one bit: bit 0. */
        MSIP_SET(0xfffffffe)
        csrr a0, mip
        CHECK_MASKED(27, a0, MIP_MSIP, 0)
        MSIP_SET(0xffffffff)
        li t0, CLINT_MSIP(0)
        lw a0, 0(t0)
        CHECK(28, a0, 1)
        MSIP_SET(0)

        /* ---- mtime is writable; a carry reaches the high half; the time CSR follows. */
        li t0, CLINT_MTIME
        li t1, 0xfffff000                               /* 4096 ticks before a carry */
        sw t1, 0(t0)
        li t1, 4
        sw t1, 4(t0)
        lw a0, 4(t0)
        CHECK(90, a0, 4)
        csrr a0, timeh
        CHECK(91, a0, 4)
        li TESTNUM, 92
        li t3, 2000000
1:      lw a0, 4(t0)
        addi t3, t3, -1
        beqz t3, __fail
        li t1, 5
        bne a0, t1, 1b
        csrr a0, timeh
        CHECK(93, a0, 5)
        lw a0, 0(t0)
        li TESTNUM, 94
        li t1, 0x100000
        bgeu a0, t1, __fail                             /* just past the carry */
        /* The timer compares against the written time. */
        TIMER_IN(300)
        WAIT_MIP(95, MIP_MTIP)
        TIMER_OFF

        /* ---- SSIP, STIP, SEIP written by M; not delegated, they trap to M. */
        li a1, MIP_SSIP
        csrw mie, a1
        csrs mip, a1
        li a1, MSTATUS_MIE
        EXPECT_TRAP(21, csrs mstatus, a1; nop)
        CHECK(22, s2, INTR | IRQ_SSI)
        csrw mip, zero
        li a1, MIP_STIP
        csrw mie, a1
        csrs mip, a1
        li a1, MSTATUS_MIE
        EXPECT_TRAP(23, csrs mstatus, a1; nop)
        CHECK(24, s2, INTR | IRQ_STI)
        csrw mip, zero
        li a1, MIP_SEIP
        csrw mie, a1
        csrs mip, a1
        li a1, MSTATUS_MIE
        EXPECT_TRAP(25, csrs mstatus, a1; nop)
        CHECK(26, s2, INTR | IRQ_SEI)
        csrw mip, zero
        csrw mie, zero

        /* ---- The same three delegated: taken in S (SIE = 1), never in M. */
        li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
        csrw mideleg, a1
        csrw mie, a1
        li a1, MSTATUS_MIE | MSTATUS_SIE
        csrs mstatus, a1
        li a1, MIP_STIP
        csrs mip, a1                                    /* pending in M: not taken */
        nop
        nop
        csrr a0, mip
        CHECK_MASKED(30, a0, MIP_STIP, MIP_STIP)
        li a1, MSTATUS_MIE
        csrc mstatus, a1
        li TESTNUM, 31
        la s11, 1f
        ENTER_MODE(MPP_S)                               /* SIE = 1: taken at once */
2:      j 2b
1:      CHECK(32, s2, INTR | IRQ_STI)
        CHECK_MASKED(33, s5, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE)
        BACK_TO_M                                       /* S cannot clear STIP: M does */
        li a1, MIP_STIP
        csrc mip, a1
        li a1, MIP_SEIP
        csrs mip, a1
        li a1, MSTATUS_SIE
        csrs mstatus, a1
        li TESTNUM, 34
        la s11, 1f
        ENTER_MODE(MPP_S)
2:      j 2b
1:      CHECK(35, s2, INTR | IRQ_SEI)
        BACK_TO_M
        li a1, MIP_SEIP
        csrc mip, a1
        /* SSIP set by S itself through sip, taken when S enables SIE. */
        ENTER_MODE(MPP_S)
        csrsi sip, MIP_SSIP
        nop
        csrr a0, sip
        CHECK_MASKED(36, a0, MIP_SSIP, MIP_SSIP)
        EXPECT_TRAP(37, csrsi sstatus, MSTATUS_SIE; ss1: nop)
        CHECK(38, s2, INTR | IRQ_SSI)
        CHECK_LABEL(39, s3, ss1)
        csrci sip, MIP_SSIP
        /* sie gates S interrupts too. */
        li a1, MIP_SSIP
        csrc sie, a1
        csrsi sip, MIP_SSIP
        csrsi sstatus, MSTATUS_SIE
        nop
        nop
        csrci sstatus, MSTATUS_SIE
        csrci sip, MIP_SSIP
        /* In U, S interrupts are taken whatever SIE says. */
        BACK_TO_M
        li a1, MSTATUS_SIE
        csrc mstatus, a1
        li a1, MIP_SSIP
        csrs mie, a1
        csrs mip, a1
        li TESTNUM, 40
        la s11, 1f
        ENTER_MODE(MPP_U)
2:      j 2b
1:      CHECK(41, s2, INTR | IRQ_SSI)
        CHECK_MASKED(42, s5, MSTATUS_SPP | MSTATUS_SPIE, 0)
        csrci sip, MIP_SSIP
        BACK_TO_M
        csrw mideleg, zero
        csrw mie, zero
        csrw mip, zero
        csrw mstatus, zero

        /* ---- Priorities among M-level interrupts: MSI, MTI, SEI, SSI, STI (MEI has no
           software source here). Each trap clears MIE; the next one is re-enabled. */
        li a1, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP | MIP_SEIP
        csrw mie, a1
        li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
        csrs mip, a1
        MSIP_SET(1)
        li t0, CLINT_MTIMECMP(0)
        sw zero, 0(t0)
        sw zero, 4(t0)
        /* Take them one by one, clearing the source of each, and record the order as
           hex digits in a2. QEMU 7.2 deviates: without AIA it takes the lowest-numbered
           pending interrupt first (SSI, MSI, STI, MTI, SEI), so there only the set is
           checked. */
        li a2, 0
        li s6, 5
1:      li a1, MSTATUS_MIE
        EXPECT_TRAP(50, csrs mstatus, a1; 2: j 2b)
        li TESTNUM, 51
        li t6, INTR
        xor t6, s2, t6
        li t5, 16
        bgeu t6, t5, __fail
        slli a2, a2, 4
        or a2, a2, t6
        li t5, IRQ_MSI
        bne t6, t5, 2f
        MSIP_SET(0)
2:      li t5, IRQ_MTI
        bne t6, t5, 2f
        TIMER_OFF
2:      li t5, 1
        sll t5, t5, t6                                  /* SSIP, STIP, SEIP: in mip */
        csrc mip, t5
        addi s6, s6, -1
        bnez s6, 1b
        csrr a0, mip
        CHECK_MASKED(52, a0, 0xaaa, 0)
        SKIP_ON_QEMU(1f)
        CHECK(53, a2, 0x37915)                          /* MSI, MTI, SEI, SSI, STI */
        j 2f
1:      CHECK(54, a2, 0x13579)                          /* QEMU 7.2: by number */
2:
        csrw mip, zero
        /* In S, an M-level interrupt (STI kept in M) beats a delegated one of higher
           priority (SEI). */
        li a1, MIP_SEIP
        csrw mideleg, a1
        li a1, MIP_STIP | MIP_SEIP
        csrw mie, a1
        csrs mip, a1
        li a1, MSTATUS_SIE
        csrs mstatus, a1
        li TESTNUM, 60
        la s11, 1f
        ENTER_MODE(MPP_S)
2:      j 2b
1:      CHECK(61, s2, INTR | IRQ_STI)                   /* caught in M */
        CHECK_MASKED(62, s5, MSTATUS_MPP, MPP_S)
        li a1, MIP_STIP
        csrc mip, a1
        li TESTNUM, 63
        la s11, 1f
        ENTER_MODE(MPP_S)                               /* now SEI, in S */
2:      j 2b
1:      CHECK(64, s2, INTR | IRQ_SEI)
        BACK_TO_M
        csrw mip, zero
        /* Among S-level interrupts taken in S: SEI, SSI, STI (QEMU 7.2: by number). */
        li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
        csrw mideleg, a1
        csrw mie, a1
        csrs mip, a1
        li a2, 0
        li s6, 3
        ENTER_MODE(MPP_S)
1:      EXPECT_TRAP(65, csrsi sstatus, MSTATUS_SIE; 2: j 2b)
        li t6, INTR
        xor t6, s2, t6
        slli a2, a2, 4
        or a2, a2, t6
        li t5, 1
        sll t5, t5, t6
        csrc sip, t5                                    /* only SSIP is S-writable… */
        BACK_TO_M                                       /* …so M clears the others */
        csrc mip, t5
        ENTER_MODE(MPP_S)
        addi s6, s6, -1
        bnez s6, 1b
        BACK_TO_M
        SKIP_ON_QEMU(1f)
        CHECK(66, a2, 0x915)
        j 2f
1:      CHECK(67, a2, 0x159)
2:      csrw mip, zero
        csrw mie, zero
        csrw mideleg, zero
        csrw mstatus, zero

        /* ---- mie gating: a pending MTIP with MTIE = 0 is not taken, even with MIE. */
        li t0, CLINT_MTIMECMP(0)
        sw zero, 0(t0)
        sw zero, 4(t0)
        li a1, MSTATUS_MIE
        csrs mstatus, a1
        nop
        nop
        li a1, MIP_MTIP
        EXPECT_TRAP(70, csrs mie, a1; nop)              /* enabling it takes it */
        CHECK(71, s2, INTR | IRQ_MTI)
        TIMER_OFF
        csrw mie, zero

        /* ---- WFI with MIE = 0: wakes on a pending enabled interrupt, takes no trap. */
        li a1, MIP_MTIP
        csrw mie, a1
        TIMER_IN(1000)
        wfi
        csrr a0, mip
        li TESTNUM, 80
        andi a0, a0, MIP_MTIP
        beqz a0, 1f                                     /* a spurious wake-up is allowed: */
        j 2f                                            /* then wait for MTIP by polling */
1:      WAIT_MIP(81, MIP_MTIP)
2:      TIMER_OFF
        /* With an interrupt pending but not enabled in mie, WFI waits for the enabled
           one (the timer): mtime has reached mtimecmp when it returns (tsxen and QEMU
           stall; a WFI that returned early would fail here). */
        li a1, MIP_SSIP
        csrs mip, a1
        li a1, MIP_MTIP
        csrw mie, a1
        TIMER_IN(2000)
        wfi
        li TESTNUM, 82
        csrr a0, mip
        andi a0, a0, MIP_MTIP
        beqz a0, __fail
        csrw mip, zero
        TIMER_OFF
        /* ---- WFI with MIE = 1: the interrupt is taken with mepc after the wfi. */
        li a1, MSTATUS_MIE
        csrs mstatus, a1
        TIMER_IN(100000)                                /* 10 ms: reaches the wfi first */
        EXPECT_TRAP(83, wfi; wf1: j wf1)
        CHECK(84, s2, INTR | IRQ_MTI)
        CHECK_LABEL(85, s3, wf1)
        TIMER_OFF
        /* ---- WFI in S, woken by the machine timer, which traps to M at once. */
        li TESTNUM, 86
        la s11, 1f
        TIMER_IN(100000)
        ENTER_MODE(MPP_S)
        wfi
wf2:    j wf2
1:      CHECK(87, s2, INTR | IRQ_MTI)
        CHECK_MASKED(88, s5, MSTATUS_MPP, MPP_S)
        CHECK_LABEL(89, s3, wf2)
        TIMER_OFF
        csrw mie, zero
        csrw mstatus, zero

        TEST_PASS
        PRIV_END
