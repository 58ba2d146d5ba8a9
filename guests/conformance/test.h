/*
 * Conformance test harness for tsxen's rv32 machine (assembly, M-mode, -bios none).
 *
 * Every test is a bare-metal image loaded at 0x80000000. Hart 0 runs the test; other
 * harts park in WFI unless the test claims them (see TEST_INIT_MULTIHART). The verdict
 * goes to the SiFive test finisher at 0x100000, exactly as on QEMU's virt machine:
 *   pass: 0x5555            fail: (testnum << 16) | 0x3333
 * so `qemu-system-riscv32 -M virt -bios none -kernel T.elf` exits 0 on pass and with the
 * failing test number on failure, and tsxen's tests read the same code.
 *
 * Register conventions inside tests: gp (x3) holds the current test number; t6 (x31) is
 * scratch for expected values; the unexpected-trap handler fails with 0x800 + mcause.
 */
#ifndef TSXEN_CONFORMANCE_TEST_H
#define TSXEN_CONFORMANCE_TEST_H

#define FINISHER     0x00100000
#define UART0        0x10000000
#define CLINT        0x02000000
#define CLINT_MTIMECMP(h) (CLINT + 0x4000 + 8 * (h))
#define CLINT_MTIME  (CLINT + 0xbff8)
#define FINISH_PASS  0x5555
#define FINISH_FAIL  0x3333

#define TESTNUM gp

/* Entry: hart 0 falls through into the test body; other harts park. */
#define TEST_INIT                                    \
        .section .text.init, "ax";                   \
        .globl _start;                               \
_start:                                              \
        csrr t0, mhartid;                            \
        bnez t0, __park;                             \
        la t0, __unexpected_trap;                    \
        csrw mtvec, t0;                              \
        la sp, __stack_top;                          \
        li TESTNUM, 0;

/* Entry for tests that use several harts: every hart falls through with its hart id in
   a0 and its own 4 KiB stack; the test branches on a0. */
#define TEST_INIT_MULTIHART                          \
        .section .text.init, "ax";                   \
        .globl _start;                               \
_start:                                              \
        csrr a0, mhartid;                            \
        la t0, __unexpected_trap;                    \
        csrw mtvec, t0;                              \
        la sp, __stack_top;                          \
        slli t0, a0, 12;                             \
        sub sp, sp, t0;                              \
        li TESTNUM, 0;

#define TEST_PASS                                    \
        li t0, FINISHER;                             \
        li t1, FINISH_PASS;                          \
        sw t1, 0(t0);                                \
1:      j 1b;

/* Fails with the current test number (never 0: a failure must not read as code 0). */
#define TEST_FAIL                                    \
        j __fail;

/* Fail unless reg == value (value: any 32-bit constant). */
#define CHECK(num, reg, value)                       \
        li TESTNUM, num;                             \
        li t6, value;                                \
        bne reg, t6, __fail;

/* riscv-tests style helpers: run code, then compare the destination register. */
#define TEST_CASE(num, testreg, correctval, code...) \
        li TESTNUM, num;                             \
        code;                                        \
        li t6, correctval;                           \
        bne testreg, t6, __fail;

#define TEST_RR_OP(num, inst, result, val1, val2)    \
        TEST_CASE(num, a4, result,                   \
          li a1, val1; li a2, val2; inst a4, a1, a2)

#define TEST_IMM_OP(num, inst, result, val1, imm)    \
        TEST_CASE(num, a4, result,                   \
          li a1, val1; inst a4, a1, imm)

/* The tail every test ends with: the fail path, the park loop and the trap handler. */
#define TEST_END                                     \
__fail:                                              \
        bnez TESTNUM, 2f;                            \
        li TESTNUM, 0xffff;                          \
2:      slli t0, TESTNUM, 16;                        \
        li t1, FINISH_FAIL;                          \
        or t0, t0, t1;                               \
        li t1, FINISHER;                             \
        sw t0, 0(t1);                                \
3:      j 3b;                                        \
__park:                                              \
        wfi;                                         \
        j __park;                                    \
        .align 2;                                    \
__unexpected_trap:                                   \
        csrr TESTNUM, mcause;                        \
        andi TESTNUM, TESTNUM, 0x7ff;                \
        addi TESTNUM, TESTNUM, 0x400;                \
        addi TESTNUM, TESTNUM, 0x400;                \
        j __fail;

#endif
