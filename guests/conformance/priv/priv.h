/*
 * Helpers for the privileged-architecture tests (priv/*.S), on top of test.h.
 *
 * Trap catching. PRIV_INIT points mtvec at __mtrap and stvec at __strap. Both handlers
 * record the trap in saved registers and continue at the address "armed" in s11, in the
 * mode the trap entered (the handler does not return with xRET):
 *   s2 = xcause   s3 = xepc   s4 = xtval   s5 = xstatus (after the trap entry)
 * A handler disarms s11 before continuing, so a second, unexpected trap fails the test:
 * in M-mode with 0x800 + mcause (test.h), in S-mode with 0xe00 + scause.
 *
 *   EXPECT_TRAP(num, insn)   runs insn, which must trap; fails with num if it does not
 *   ENTER_MODE(MPP_x)        continues at the next instruction in mode x (through mret)
 *   BACK_TO_M                continues at the next instruction in M-mode (through ecall,
 *                            which must not be delegated)
 *
 * Numeric label 9 is used by these macros: tests should not use 9f/9b across them.
 *
 * PMP: QEMU implements PMP, and with no entry matching, S- and U-mode accesses fail.
 * PRIV_INIT opens one NAPOT entry over the whole address space; tsxen has no PMP entries
 * (the CSRs read 0 and ignore writes), so there it changes nothing.
 */
#ifndef TSXEN_CONFORMANCE_PRIV_H
#define TSXEN_CONFORMANCE_PRIV_H

#include "test.h"

#define MSTATUS_SIE   0x00000002
#define MSTATUS_MIE   0x00000008
#define MSTATUS_SPIE  0x00000020
#define MSTATUS_MPIE  0x00000080
#define MSTATUS_SPP   0x00000100
#define MSTATUS_MPP   0x00001800
#define MSTATUS_MPRV  0x00020000
#define MSTATUS_SUM   0x00040000
#define MSTATUS_MXR   0x00080000
#define MSTATUS_TVM   0x00100000
#define MSTATUS_TW    0x00200000
#define MSTATUS_TSR   0x00400000
#define MPP_U         0x00000000
#define MPP_S         0x00000800
#define MPP_M         0x00001800

#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define MIP_SSIP (1 << IRQ_SSI)
#define MIP_MSIP (1 << IRQ_MSI)
#define MIP_STIP (1 << IRQ_STI)
#define MIP_MTIP (1 << IRQ_MTI)
#define MIP_SEIP (1 << IRQ_SEI)
#define MIP_MEIP (1 << IRQ_MEI)
#define INTR     0x80000000

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

#define CLINT_MSIP(h) (CLINT + 4 * (h))

/* Sv32 PTE bits */
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define SATP_SV32 0x80000000

/* Entry for single-hart tests: test.h's TEST_INIT, then the trap catchers and open PMP. */
#define PRIV_INIT                                    \
        TEST_INIT                                    \
        PRIV_SETUP

#define PRIV_SETUP                                   \
        la t0, __mtrap;                              \
        csrw mtvec, t0;                              \
        la t0, __strap;                              \
        csrw stvec, t0;                              \
        li s11, 0;                                   \
        li t0, -1;                                   \
        csrw pmpaddr0, t0;                           \
        li t0, 0x1f;                                 \
        csrw pmpcfg0, t0;                            \
        csrw medeleg, zero;                          \
        csrw mideleg, zero;                          \
        csrw mie, zero;                              \
        csrw satp, zero;                             \
        csrw 0x31a, zero; /* menvcfgh: STCE = 0 */

#define EXPECT_TRAP(num, insn...)                    \
        li TESTNUM, num;                             \
        la s11, 9f;                                  \
        insn;                                        \
        j __fail;                                    \
9:

#define ENTER_MODE(mpp)                              \
        li t0, MSTATUS_MPP;                          \
        csrc mstatus, t0;                            \
        li t0, mpp;                                  \
        csrs mstatus, t0;                            \
        la t0, 9f;                                   \
        csrw mepc, t0;                               \
        mret;                                        \
9:

#define BACK_TO_M                                    \
        la s11, 9f;                                  \
        ecall;                                       \
9:

/* Fail with num unless reg holds the address of label. */
#define CHECK_LABEL(num, reg, label)                 \
        li TESTNUM, num;                             \
        la t6, label;                                \
        bne reg, t6, __fail;

/* Fail with num unless (reg & mask) == value. Clobbers t5. */
#define CHECK_MASKED(num, reg, mask, value)          \
        li TESTNUM, num;                             \
        li t5, mask;                                 \
        and t5, reg, t5;                             \
        li t6, value;                                \
        bne t5, t6, __fail;

/* Fail with num unless reg is the instruction word at label, or 0 (xtval for illegal
   instructions: the spec allows either; tsxen and QEMU write the instruction bits). */
#define CHECK_TVAL_INSN(num, reg, label)             \
        li TESTNUM, num;                             \
        beqz reg, 8f;                                \
        la t6, label;                                \
        lw t6, 0(t6);                                \
        bne reg, t6, __fail;                         \
8:

/* Known deviations of QEMU 7.2 from the spec are tolerated only on QEMU, which says who it
   is in marchid (its version number); tsxen's marchid is 0, so tsxen gets the strict
   check. Branches to label (past the strict check) on QEMU. Clobbers t5. */
#define SKIP_ON_QEMU(label)                          \
        csrr t5, marchid;                            \
        bnez t5, label;

/* The tail: test.h's, plus the trap catchers. */
#define PRIV_END                                     \
        TEST_END                                     \
        .align 6;                                    \
__mtrap:                                             \
        csrr s2, mcause;                             \
        csrr s3, mepc;                               \
        csrr s4, mtval;                              \
        csrr s5, mstatus;                            \
        beqz s11, __unexpected_trap;                 \
        mv t0, s11;                                  \
        li s11, 0;                                   \
        jr t0;                                       \
        .align 6;                                    \
__strap:                                             \
        csrr s2, scause;                             \
        csrr s3, sepc;                               \
        csrr s4, stval;                              \
        csrr s5, sstatus;                            \
        beqz s11, __s_unexpected;                    \
        mv t0, s11;                                  \
        li s11, 0;                                   \
        jr t0;                                       \
__s_unexpected:                                      \
        andi TESTNUM, s2, 0x1ff;                     \
        addi TESTNUM, TESTNUM, 0x700;                \
        addi TESTNUM, TESTNUM, 0x700;                \
        j __fail;

#endif
