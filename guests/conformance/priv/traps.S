/*
 * Trap entry and return (privileged spec 1.12 §3.1.6-3.1.9, §3.3.2, §4.1): ecall causes
 * from U, S and M; the state an exception saves (xepc, xcause, xtval, xPP, xPIE); mret
 * and sret restoring it (xPP back to U, MPRV cleared when leaving M); medeleg/mideleg
 * routing to S, never from M; mtvec/stvec direct and vectored (only interrupts vector).
 */
#include "priv.h"

        PRIV_INIT

        /* ---- ecall from M: cause 11, mepc = the ecall, mtval = 0, MPP = M. */
        li a1, MSTATUS_MIE                              /* MIE = 1 (mie = 0: no interrupts) */
        csrs mstatus, a1
        EXPECT_TRAP(1, em: ecall)
        CHECK(2, s2, CAUSE_ECALL_M)
        CHECK_LABEL(3, s3, em)
        CHECK(4, s4, 0)
        CHECK_MASKED(5, s5, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MPP_M | MSTATUS_MPIE)

        /* ---- ebreak: cause 3, mtval = its address (or 0). */
        EXPECT_TRAP(6, eb: ebreak)
        CHECK(7, s2, CAUSE_BREAKPOINT)
        CHECK_LABEL(8, s3, eb)
        li TESTNUM, 9
        beqz s4, 1f
        la t6, eb
        bne s4, t6, __fail
1:
        /* ---- an all-zero word is illegal. */
        EXPECT_TRAP(10, ill: .word 0)
        CHECK(11, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(12, s3, ill)
        CHECK(13, s4, 0)                                /* the instruction bits are 0 */

        /* ---- ecall from S and U (not delegated): causes 9 and 8, MPP = S / U. */
        csrw mstatus, zero
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(20, es: ecall)
        CHECK(21, s2, CAUSE_ECALL_S)
        CHECK_LABEL(22, s3, es)
        CHECK_MASKED(23, s5, MSTATUS_MPP, MPP_S)
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(24, eu: ecall)
        CHECK(25, s2, CAUSE_ECALL_U)
        CHECK_LABEL(26, s3, eu)
        CHECK_MASKED(27, s5, MSTATUS_MPP, MPP_U)

        /* ---- mret: MIE = MPIE, MPIE = 1, MPP = U (the least-privileged mode). */
        li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
        csrc mstatus, a1
        li a1, MPP_M                                   /* MPIE = 0 */
        csrs mstatus, a1
        la t0, 1f
        csrw mepc, t0
        mret
1:      csrr a0, mstatus
        CHECK_MASKED(30, a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MPP_U | MSTATUS_MPIE)
        li a1, MPP_M | MSTATUS_MPIE
        csrs mstatus, a1
        la t0, 1f
        csrw mepc, t0
        mret
1:      csrr a0, mstatus
        CHECK_MASKED(31, a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MPP_U | MSTATUS_MPIE | MSTATUS_MIE)
        csrw mstatus, zero

        /* mret to S with MPIE = 1: S runs with MIE = 1, seen as MPIE by the next trap. */
        li a1, MPP_S | MSTATUS_MPIE
        csrs mstatus, a1
        la t0, 1f
        csrw mepc, t0
        mret
1:      BACK_TO_M
        CHECK(32, s2, CAUSE_ECALL_S)
        CHECK_MASKED(33, s5, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MPP_S | MSTATUS_MPIE)

        /* mret to a mode below M clears MPRV (new in 1.12); mret to M keeps it. QEMU
           7.2 keeps MPRV on every mret: skipped there. */
        csrw mstatus, zero
        li a1, MPP_S | MSTATUS_MPRV
        csrs mstatus, a1
        la t0, 1f
        csrw mepc, t0
        mret
1:      BACK_TO_M
        SKIP_ON_QEMU(1f)
        CHECK_MASKED(34, s5, MSTATUS_MPRV, 0)
1:      csrw mstatus, zero
        li a1, MPP_U | MSTATUS_MPRV
        csrs mstatus, a1
        la t0, 1f
        csrw mepc, t0
        mret
1:      BACK_TO_M
        SKIP_ON_QEMU(1f)
        CHECK_MASKED(35, s5, MSTATUS_MPRV, 0)
1:
        csrw mstatus, zero
        li a1, MPP_M | MSTATUS_MPRV
        csrs mstatus, a1
        la t0, 1f
        csrw mepc, t0
        mret
1:      csrr a0, mstatus
        CHECK_MASKED(36, a0, MSTATUS_MPRV, MSTATUS_MPRV)
        csrw mstatus, zero

        /* ---- sret from M: to SPP, SIE = SPIE, SPIE = 1, SPP = U, MPRV cleared. */
        li a1, MSTATUS_SPP | MSTATUS_SPIE
        csrs mstatus, a1
        la t0, 1f
        csrw sepc, t0
        sret
1:      csrr a0, sstatus                                /* S-mode can read sstatus */
        CHECK_MASKED(40, a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE | MSTATUS_SIE)
        BACK_TO_M
        CHECK(41, s2, CAUSE_ECALL_S)
        csrw mstatus, zero
        li a1, MSTATUS_MPRV | MPP_M                     /* SPP = U, SPIE = 0 */
        csrs mstatus, a1
        la t0, 1f
        csrw sepc, t0
        sret
1:      BACK_TO_M
        CHECK(42, s2, CAUSE_ECALL_U)
        CHECK_MASKED(43, s5, MSTATUS_SIE | MSTATUS_SPIE, MSTATUS_SPIE)
        SKIP_ON_QEMU(1f)                                /* QEMU 7.2 keeps MPRV on sret */
        CHECK_MASKED(39, s5, MSTATUS_MPRV, 0)
1:
        csrw mstatus, zero

        /* ---- xRET from too low a privilege is illegal. */
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(44, mr: mret)
        CHECK(45, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(46, s3, mr)
        CHECK_MASKED(47, s5, MSTATUS_MPP, MPP_S)
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(48, mret)
        CHECK(49, s2, CAUSE_ILLEGAL)
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(50, sr: sret)
        CHECK(51, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(52, s3, sr)
        CHECK_MASKED(53, s5, MSTATUS_MPP, MPP_U)

        /* ---- medeleg: U ecall to S; S state saved, M state untouched. */
        li a1, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
        csrw medeleg, a1
        li a1, MSTATUS_SIE                              /* SIE = 1 before the trap */
        csrs mstatus, a1
        csrw mepc, zero
        csrw mcause, zero
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(60, du: ecall)                      /* → __strap, now in S */
        CHECK(61, s2, CAUSE_ECALL_U)
        CHECK_LABEL(62, s3, du)
        CHECK(63, s4, 0)
        CHECK_MASKED(64, s5, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE)
        /* Still in S: an undelegated S ecall reaches M. */
        BACK_TO_M
        CHECK(65, s2, CAUSE_ECALL_S)
        CHECK_MASKED(66, s5, MSTATUS_MPP | MSTATUS_SIE | MSTATUS_SPIE, MPP_S | MSTATUS_SPIE)

        /* An illegal instruction in S goes to S with SPP = S and stval = the bits (or 0). */
        csrw mstatus, zero
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(68, ds: .word 0x1234500b)        /* custom-0 opcode */
        CHECK(69, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(70, s3, ds)
        CHECK_TVAL_INSN(71, s4, ds)
        CHECK_MASKED(72, s5, MSTATUS_SPP, MSTATUS_SPP)
        /* ebreak in S, delegated. */
        EXPECT_TRAP(73, ebreak)
        CHECK(74, s2, CAUSE_BREAKPOINT)
        BACK_TO_M

        /* Delegation never takes a trap from M down to S. */
        EXPECT_TRAP(75, .word 0)
        CHECK(76, s2, CAUSE_ILLEGAL)
        csrr a0, mcause
        CHECK(77, a0, CAUSE_ILLEGAL)
        /* medeleg[9]: S ecalls to S itself. */
        li a1, (1 << CAUSE_ECALL_S)
        csrw medeleg, a1
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(78, ecall)
        CHECK(79, s2, CAUSE_ECALL_S)
        CHECK_MASKED(80, s5, MSTATUS_SPP, MSTATUS_SPP)
        EXPECT_TRAP(81, csrw medeleg, zero)           /* S may not: illegal → M */
        CHECK(82, s2, CAUSE_ILLEGAL)
        csrw medeleg, zero
        csrw mstatus, zero

        /* ---- mtvec vectored: exceptions to BASE, interrupt i to BASE + 4·i. */
        la a1, mvt
        ori a1, a1, 1
        csrw mtvec, a1
        li s7, -1
        EXPECT_TRAP(90, ecall)
        CHECK(91, s7, 0)
        CHECK(92, s2, CAUSE_ECALL_M)
        li s7, -1
        li a1, MIP_SSIP                                 /* SSI, not delegated: to M */
        csrw mie, a1
        csrs mip, a1
        li a1, MSTATUS_MIE
        EXPECT_TRAP(93, csrs mstatus, a1; vi1: nop)
        CHECK(94, s7, IRQ_SSI)
        CHECK(95, s2, INTR | IRQ_SSI)
        CHECK_LABEL(96, s3, vi1)
        CHECK_MASKED(97, s5, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MPP_M)
        csrw mip, zero
        li s7, -1
        li a1, MIP_MSIP                                 /* CLINT msip → MSI at BASE + 12 */
        csrw mie, a1
        li t0, CLINT_MSIP(0)
        li t1, 1
        li a1, MSTATUS_MIE
        csrs mstatus, a1
        EXPECT_TRAP(98, sw t1, 0(t0); 1: j 1b)
        CHECK(99, s7, IRQ_MSI)
        CHECK(100, s2, INTR | IRQ_MSI)
        li t0, CLINT_MSIP(0)
        sw zero, 0(t0)
        csrw mie, zero
        /* An interrupt from a lower mode with MIE = 0 is still taken (M is higher). */
        li a1, MIP_STIP
        csrw mie, a1
        csrs mip, a1
        li s7, -1
        li TESTNUM, 101                                 /* taken as soon as U runs */
        la s11, 2f
        ENTER_MODE(MPP_U)
1:      j 1b
2:
        CHECK(102, s7, IRQ_STI)
        CHECK(103, s2, INTR | IRQ_STI)
        CHECK_MASKED(104, s5, MSTATUS_MPP, MPP_U)
        csrw mip, zero
        csrw mie, zero
        la a1, __mtrap
        csrw mtvec, a1

        /* ---- stvec vectored, with a delegated interrupt and a delegated exception. */
        la a1, svt
        ori a1, a1, 1
        csrw stvec, a1
        li a1, MIP_SSIP | MIP_STIP
        csrw mideleg, a1
        li a1, 1 << CAUSE_ECALL_U
        csrw medeleg, a1
        li a1, MIP_SSIP
        csrw mie, a1
        csrs mip, a1
        li s7, -1
        li TESTNUM, 110                                 /* S interrupts are on in U */
        la s11, 2f
        ENTER_MODE(MPP_U)
1:      j 1b
2:
        CHECK(111, s7, 0x100 + IRQ_SSI)
        CHECK(112, s2, INTR | IRQ_SSI)
        CHECK_MASKED(113, s5, MSTATUS_SPP, 0)
        csrci sip, MIP_SSIP                             /* S clears its own SSIP */
        /* Now in S with SIE = 0: no interrupt, even with SSIP pending again. */
        csrsi sip, MIP_SSIP
        nop
        nop
        csrr a0, sip
        CHECK_MASKED(114, a0, MIP_SSIP, MIP_SSIP)
        /* Setting SIE takes it at once, at BASE + 4. */
        li s7, -1
        EXPECT_TRAP(115, csrsi sstatus, MSTATUS_SIE; si1: nop)
        CHECK(116, s7, 0x100 + IRQ_SSI)
        CHECK_LABEL(117, s3, si1)
        CHECK_MASKED(118, s5, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE)
        csrci sip, MIP_SSIP
        BACK_TO_M
        /* A delegated exception vectors to BASE. */
        li s7, -1
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(119, ecall)
        CHECK(120, s7, 0x100)
        CHECK(121, s2, CAUSE_ECALL_U)
        BACK_TO_M
        /* A delegated interrupt is not taken in M, even with SIE = 1. */
        li a1, MSTATUS_SIE | MSTATUS_MIE
        csrs mstatus, a1
        li a1, MIP_SSIP
        csrs mip, a1
        nop
        nop
        csrc mip, a1
        csrw mstatus, zero
        csrw mie, zero
        csrw mideleg, zero
        csrw medeleg, zero
        la a1, __strap
        csrw stvec, a1

        TEST_PASS
        PRIV_END

/* Vector tables: entry i records i (0x100 + i for S) in s7 and joins the catcher. */
        .align 6
mvt:    j mv0
        j mv1
        j mv2
        j mv3
        j mv4
        j mv5
        j mv6
        j mv7
        j mv8
        j mv9
        j mv10
        j mv11
mv0:    li s7, 0;  j __mtrap
mv1:    li s7, 1;  j __mtrap
mv2:    li s7, 2;  j __mtrap
mv3:    li s7, 3;  j __mtrap
mv4:    li s7, 4;  j __mtrap
mv5:    li s7, 5;  j __mtrap
mv6:    li s7, 6;  j __mtrap
mv7:    li s7, 7;  j __mtrap
mv8:    li s7, 8;  j __mtrap
mv9:    li s7, 9;  j __mtrap
mv10:   li s7, 10; j __mtrap
mv11:   li s7, 11; j __mtrap

        .align 6
svt:    j sv0
        j sv1
        j sv2
        j sv3
        j sv4
        j sv5
        j sv6
        j sv7
        j sv8
        j sv9
sv0:    li s7, 0x100; j __strap
sv1:    li s7, 0x101; j __strap
sv2:    li s7, 0x102; j __strap
sv3:    li s7, 0x103; j __strap
sv4:    li s7, 0x104; j __strap
sv5:    li s7, 0x105; j __strap
sv6:    li s7, 0x106; j __strap
sv7:    li s7, 0x107; j __strap
sv8:    li s7, 0x108; j __strap
sv9:    li s7, 0x109; j __strap
