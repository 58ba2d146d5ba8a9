/*
 * Trap virtualisation (privileged spec 1.12 §3.1.6.5): mstatus.TVM makes satp accesses
 * and sfence.vma from S-mode illegal, TW makes wfi from S-mode illegal, TSR makes sret
 * from S-mode illegal. None of them affects M-mode. tsxen's hypervisor relies on all
 * three (DESIGN.md: guest kernels run in S-mode with TVM set).
 */
#include "priv.h"

        PRIV_INIT

        /* ---- TVM = 0: S may use satp and sfence.vma (satp stays Bare here). */
        ENTER_MODE(MPP_S)
        csrr a0, satp
        csrw satp, zero
        sfence.vma
        sfence.vma zero, zero
        BACK_TO_M
        CHECK(1, s2, CAUSE_ECALL_S)

        /* ---- TVM = 1: every form traps from S, with tval = the instruction bits (or 0). */
        li a1, MSTATUS_TVM
        csrs mstatus, a1
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(2, v1: csrr a0, satp)
        CHECK(3, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(4, s3, v1)
        CHECK_TVAL_INSN(5, s4, v1)
        CHECK_MASKED(6, s5, MSTATUS_MPP | MSTATUS_TVM, MPP_S | MSTATUS_TVM)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(7, v2: csrw satp, zero)
        CHECK(8, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(9, s3, v2)
        ENTER_MODE(MPP_S)
        li a2, 0x1000
        EXPECT_TRAP(10, v3: csrrs a0, satp, a2)
        CHECK(11, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(12, s3, v3)
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(13, v4: sfence.vma)
        CHECK(14, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(15, s3, v4)
        CHECK_TVAL_INSN(16, s4, v4)
        ENTER_MODE(MPP_S)
        li a2, 0x80000000
        li a3, 1
        EXPECT_TRAP(17, v5: sfence.vma a2, a3)
        CHECK(18, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(19, s3, v5)
        /* The rest of S-mode is unaffected. */
        ENTER_MODE(MPP_S)
        csrr a0, sstatus
        csrr a0, stvec
        csrw sscratch, a0
        BACK_TO_M
        CHECK(20, s2, CAUSE_ECALL_S)
        /* M-mode is unaffected. */
        csrr a0, satp
        csrw satp, zero
        sfence.vma
        /* Delegating illegal instructions sends the TVM trap to S instead. */
        li a1, 1 << CAUSE_ILLEGAL
        csrw medeleg, a1
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(21, v6: csrr a0, satp)              /* → __strap, stays in S */
        CHECK(22, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(23, s3, v6)
        CHECK_MASKED(24, s5, MSTATUS_SPP, MSTATUS_SPP)
        BACK_TO_M
        csrw medeleg, zero
        li a1, MSTATUS_TVM
        csrc mstatus, a1

        /* ---- sfence.vma from U is always illegal; satp from U is not accessible. */
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(25, v7: sfence.vma)
        CHECK(26, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(27, s3, v7)
        CHECK_MASKED(28, s5, MSTATUS_MPP, MPP_U)

        /* ---- TW. wfi must not hang here: a delegated SSIP is pending and enabled in
           sie, but sstatus.SIE = 0 keeps it from being taken in S (and M never takes
           a delegated interrupt), so wfi completes at once. */
        li a1, MIP_SSIP
        csrw mideleg, a1
        csrw mie, a1
        csrs mip, a1
        csrw mstatus, zero
        /* TW = 0: wfi in S and M completes. */
        ENTER_MODE(MPP_S)
        wfi
        BACK_TO_M
        CHECK(30, s2, CAUSE_ECALL_S)
        wfi
        /* TW = 1: wfi in S traps; in M it still completes. (The spec traps a WFI that
           does not complete within an implementation-defined time limit, which may be
           0: tsxen and QEMU trap at once, even with an interrupt pending as here.) */
        li a1, MSTATUS_TW
        csrs mstatus, a1
        wfi
        ENTER_MODE(MPP_S)
        EXPECT_TRAP(31, w1: wfi)
        CHECK(32, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(33, s3, w1)
        CHECK_TVAL_INSN(34, s4, w1)
        CHECK_MASKED(35, s5, MSTATUS_MPP, MPP_S)
        /* In U, wfi traps with TW = 1 … (the pending SSIP would be taken in U: off) */
        csrw mip, zero
        csrw mie, zero
        csrw mideleg, zero
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(36, w2: wfi)
        CHECK(37, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(38, s3, w2)
        /* … and, on tsxen and QEMU, with TW = 0 too (the spec allows a U-mode wfi to
           complete only within a bounded time; both machines trap instead). */
        li a1, MSTATUS_TW
        csrc mstatus, a1
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(39, w3: wfi)
        CHECK(40, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(41, s3, w3)

        /* ---- TSR = 0: sret from S works (back to S, at sepc). */
        csrw mstatus, zero
        ENTER_MODE(MPP_S)
        la t0, 1f
        csrw sepc, t0
        li t0, MSTATUS_SPP | MSTATUS_SPIE
        csrs sstatus, t0
        sret
1:      csrr a0, sstatus                                /* still S: sstatus readable */
        CHECK_MASKED(50, a0, MSTATUS_SPP | MSTATUS_SIE, MSTATUS_SIE)
        BACK_TO_M
        CHECK(51, s2, CAUSE_ECALL_S)
        /* TSR = 1: sret from S traps, nothing changes. */
        li a1, MSTATUS_TSR
        csrs mstatus, a1
        ENTER_MODE(MPP_S)
        la t0, 1f
        csrw sepc, t0
        li t0, MSTATUS_SPP | MSTATUS_SPIE
        csrs sstatus, t0
        EXPECT_TRAP(52, tsr1: sret)
        CHECK(53, s2, CAUSE_ILLEGAL)
        CHECK_LABEL(54, s3, tsr1)
        CHECK_TVAL_INSN(55, s4, tsr1)
        CHECK_MASKED(56, s5, MSTATUS_MPP | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_TSR,
                     MPP_S | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_TSR)
        j 2f
1:      TEST_FAIL
2:
        /* TSR = 1: sret from M still works. */
        li a1, MSTATUS_SPP
        csrs mstatus, a1
        la t0, 1f
        csrw sepc, t0
        sret
1:      BACK_TO_M
        CHECK(57, s2, CAUSE_ECALL_S)
        /* TSR = 1: sret from U is illegal regardless. */
        ENTER_MODE(MPP_U)
        EXPECT_TRAP(58, sret)
        CHECK(59, s2, CAUSE_ILLEGAL)
        csrw mstatus, zero

        TEST_PASS
        PRIV_END
