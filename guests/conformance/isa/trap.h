/*
 * Expected traps in the isa/ tests (M-mode, -bios none).
 *
 *   EXPECT_TRAP(resume)  arms a one-shot handler: the next trap records mcause, mtval and
 *                        mepc in s8, s9, s10, puts mtvec back to the harness's
 *                        unexpected-trap handler, and resumes at `resume` with mret.
 *   CHECK_TRAP(num, cause, tval, epc)  fails test `num` unless the recorded trap matches;
 *                        `epc` is a label (the instruction that must have trapped).
 *
 * The instruction after the one expected to trap should be `j __fail`: falling through
 * means no trap was taken. s8..s11 and t0 belong to this machinery.
 */
#ifndef TSXEN_ISA_TRAP_H
#define TSXEN_ISA_TRAP_H

#define EXPECT_TRAP(resume)                          \
        la s11, resume;                              \
        la t0, __expect_trap;                        \
        csrw mtvec, t0;                              \
        li s8, -1;                                   \
        li s9, -1;                                   \
        li s10, -1;

#define CHECK_TRAP(num, cause, tval, epc)            \
        li TESTNUM, num;                             \
        li t6, cause;                                \
        bne s8, t6, __fail;                          \
        li t6, tval;                                 \
        bne s9, t6, __fail;                          \
        la t6, epc;                                  \
        bne s10, t6, __fail;

/* Same, but the expected mtval is in a register. */
#define CHECK_TRAP_REG(num, cause, tvalreg, epc)     \
        li TESTNUM, num;                             \
        li t6, cause;                                \
        bne s8, t6, __fail;                          \
        bne s9, tvalreg, __fail;                     \
        la t6, epc;                                  \
        bne s10, t6, __fail;

#define EXPECT_TRAP_HANDLER                          \
        .align 2;                                    \
__expect_trap:                                       \
        csrr s8, mcause;                             \
        csrr s9, mtval;                              \
        csrr s10, mepc;                              \
        la t0, __unexpected_trap;                    \
        csrw mtvec, t0;                              \
        csrw mepc, s11;                              \
        mret;

#endif
