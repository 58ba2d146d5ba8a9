/*
 * FENCE, ECALL and EBREAK in M-mode.
 *
 * - Every FENCE form executes as a no-op here: predecessor/successor sets, FENCE.TSO,
 *   PAUSE (a FENCE hint), the empty fence, and encodings with the fields that base
 *   implementations must ignore (rd, rs1, unused fm values) set; FENCE.I likewise with
 *   its unused fields. Memory stays ordered around them.
 * - ECALL from M: cause 11 (environment call from M-mode), mtval 0, mepc = the ECALL.
 * - EBREAK: cause 3 (breakpoint), mepc = the EBREAK, mtval 0 or the EBREAK's address
 *   (the spec allows both; QEMU 7.2 writes 0, later QEMUs may differ; tsxen writes 0,
 *   which src/machine/rv32/trap-values.test.ts pins).
 * - Neither changes any register but the trap CSRs; execution resumes at mepc + 4.
 */
#include "test.h"
#include "trap.h"

        TEST_INIT

        /* FENCE forms */
        li TESTNUM, 1
        la s0, buf
        li a1, 0x1234
        sw a1, 0(s0)
        fence
        fence rw, rw
        fence iorw, iorw
        fence r, r
        fence w, w
        fence r, rw
        fence rw, w
        fence i, o
        fence.tso
        .word 0x0000000f              /* fence with empty sets */
        .word 0x0100000f              /* pause: fence w, 0 */
        .word 0x0ff0008f              /* rd = x1 */
        .word 0x0ff0800f              /* rs1 = x1 */
        .word 0x0ff0878f              /* rs1 = x1, rd = x15 */
        .word 0x7ff0000f              /* fm = 0111 (reserved) */
        fence.i
        .word 0x0000908f              /* fence.i with rs1 = x1, rd = x1 */
        .word 0x0010100f              /* fence.i with imm = 1 */
        lw a2, 0(s0)
        bne a1, a2, __fail
        /* a store and a load around fences see each other */
        li a1, 0x5678
        sw a1, 4(s0)
        fence w, r
        lw a2, 4(s0)
        bne a1, a2, __fail
        /* fences with rd set write nothing to it */
        li TESTNUM, 2
        li ra, 0x3333
        li a5, 0x3333
        .word 0x0ff0008f              /* rd = x1 (ra) */
        .word 0x0ff0878f              /* rd = x15 (a5) */
        .word 0x0000908f              /* fence.i, rd = x1 */
        li t6, 0x3333
        bne ra, t6, __fail
        bne a5, t6, __fail

        /* ECALL from M */
        li a0, 0x1010
        li a1, 0x1111
        li a7, 0x1717
        EXPECT_TRAP(1f)
ecall_at:
        ecall
        j __fail
1:      CHECK_TRAP(3, 11, 0, ecall_at)
        CHECK(4, a0, 0x1010)
        CHECK(5, a1, 0x1111)
        CHECK(6, a7, 0x1717)

        /* EBREAK */
        EXPECT_TRAP(1f)
ebreak_at:
        ebreak
        j __fail
1:      li TESTNUM, 7
        li t6, 3
        bne s8, t6, __fail
        la t6, ebreak_at
        bne s10, t6, __fail
        beqz s9, 2f                   /* mtval: 0, or else the pc */
        bne s9, t6, __fail
2:
        CHECK(8, a0, 0x1010)

        /* A handler that returns to mepc + 4: execution continues after the ECALL /
           EBREAK, and a second one traps again with its own mepc */
        la t0, skip_handler
        csrw mtvec, t0
        li s1, 0
        li s2, 0
ecall2:
        ecall
        addi s1, s1, 1
ebreak2:
        ebreak
        addi s1, s1, 1
ecall3:
        ecall
        addi s1, s1, 1
        la t0, __unexpected_trap
        csrw mtvec, t0
        CHECK(9, s1, 3)
        CHECK(10, s2, 3)              /* three traps */
        la t6, ecall2
        li TESTNUM, 11
        bne s3, t6, __fail
        la t6, ebreak2
        li TESTNUM, 12
        bne s4, t6, __fail
        la t6, ecall3
        li TESTNUM, 13
        bne s5, t6, __fail
        CHECK(14, s6, 11)
        CHECK(15, s7, 3)
        CHECK(16, s8, 11)

        TEST_PASS

/* Records mepc of three traps in s3, s4, s5 and their causes in s6, s7, s8, counting in
   s2, and returns past the instruction. */
        .align 2
skip_handler:
        csrr t0, mepc
        csrr t1, mcause
        bnez s2, 1f
        mv s3, t0
        mv s6, t1
        j 3f
1:      li t2, 1
        bne s2, t2, 2f
        mv s4, t0
        mv s7, t1
        j 3f
2:      mv s5, t0
        mv s8, t1
3:      addi s2, s2, 1
        addi t0, t0, 4
        csrw mepc, t0
        mret

        EXPECT_TRAP_HANDLER
        TEST_END

        .bss
        .align 4
buf:    .space 16
