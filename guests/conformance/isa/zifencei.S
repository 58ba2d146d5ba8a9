/*
 * Zifencei: after stores to instruction memory and FENCE.I, instruction fetch sees the
 * new instructions.
 *
 * Each case first runs the code as it is (so that any decode or translation cache holds
 * it), then rewrites it and executes FENCE.I, then runs it again:
 * - a function called repeatedly, rewritten with SW 64 times;
 * - the instruction a few words ahead of the running code, in the same page;
 * - a loop that rewrites its own body between iterations;
 * - code built in a data page (own page, never executed before), then rewritten;
 * - rewriting with SB and SH (a byte or half of an instruction), with AMOSWAP, with SC.
 */
#include "test.h"

#define ADDI_A0_X0(imm) ((((imm) & 0xfff) << 20) | 0x00000513)
#define ADDI_A0_A0(imm) ((((imm) & 0xfff) << 20) | 0x00050513)
#define LUI_A0(imm)     ((((imm) & 0xfffff) << 12) | 0x00000537)
#define RET             0x00008067

        TEST_INIT

        /* A function rewritten with SW, 64 times */
        li TESTNUM, 1
        call patch_fn
        li t6, 1
        bne a0, t6, __fail
        li TESTNUM, 2
        la s0, patch_fn
        li s1, 0
1:      slli t0, s1, 20
        li t1, ADDI_A0_X0(0)
        or t0, t0, t1
        sw t0, 0(s0)
        fence.i
        call patch_fn
        bne a0, s1, __fail
        addi s1, s1, 31
        li t0, 31 * 64
        bne s1, t0, 1b

        /* The instruction just ahead, in the page that is running */
        li TESTNUM, 3
        la t0, ahead
        li t1, ADDI_A0_X0(0x7ab)
        sw t1, 0(t0)
        fence.i
        nop
ahead:  addi a0, x0, 1
        li t6, 0x7ab
        bne a0, t6, __fail

        /* A loop that rewrites its own body: iteration i runs what iteration i-1 wrote */
        li TESTNUM, 4
        la s0, loop_body
        li s1, 0                      /* iteration */
        li s2, 0                      /* sum of what the body produced */
1:
loop_body:
        addi a0, x0, 100              /* first iteration: 100; then 1, 2, ... */
        add s2, s2, a0
        addi s1, s1, 1
        li t1, ADDI_A0_X0(0)
        slli t0, s1, 20
        or t0, t0, t1
        sw t0, 0(s0)
        fence.i
        li t0, 10
        bne s1, t0, 1b
        li t6, 100 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9
        bne s2, t6, __fail

        /* Code built in a data page: lui a0, 0x12345; addi a0, a0, 0x678; ret */
        li TESTNUM, 5
        la s0, code_buf
        li t0, LUI_A0(0x12345)
        sw t0, 0(s0)
        li t0, ADDI_A0_A0(0x678)
        sw t0, 4(s0)
        li t0, RET
        sw t0, 8(s0)
        fence.i
        jalr s0
        li t6, 0x12345678
        bne a0, t6, __fail
        /* rewrite the middle instruction: addi a0, a0, -1 */
        li TESTNUM, 6
        li t0, ADDI_A0_A0(-1)
        sw t0, 4(s0)
        fence.i
        jalr s0
        li t6, 0x12344fff
        bne a0, t6, __fail
        /* SB: the immediate's top byte (bits 31:24) only: addi a0, a0, -1 -> 0x7ff */
        li TESTNUM, 7
        li t0, 0x7f
        sb t0, 7(s0)
        fence.i
        jalr s0
        li t6, 0x123457ff
        bne a0, t6, __fail
        /* SH: the upper half: addi a0, a0, 0x100 */
        li TESTNUM, 8
        li t0, (ADDI_A0_A0(0x100) >> 16)
        sh t0, 6(s0)
        fence.i
        jalr s0
        li t6, 0x12345100
        bne a0, t6, __fail
        /* AMOSWAP and SC as the writing stores */
        li TESTNUM, 9
        addi t1, s0, 4
        li t0, ADDI_A0_A0(0x321)
        amoswap.w t2, t0, (t1)
        li t6, ADDI_A0_A0(0x100)
        bne t2, t6, __fail
        fence.i
        jalr s0
        li t6, 0x12345321
        bne a0, t6, __fail
        li TESTNUM, 10
        li t3, 8
1:      lr.w t2, (t1)
        li t0, ADDI_A0_A0(0x456)
        sc.w t2, t0, (t1)
        beqz t2, 2f
        addi t3, t3, -1
        bnez t3, 1b
        j __fail
2:      fence.i
        jalr s0
        li t6, 0x12345456
        bne a0, t6, __fail
        /* Replace the whole routine with a single instruction: li a0, -5; ret */
        li TESTNUM, 11
        li t0, ADDI_A0_X0(-5)
        sw t0, 0(s0)
        li t0, RET
        sw t0, 4(s0)
        fence.i
        jalr s0
        li t6, -5
        bne a0, t6, __fail

        /* The function from the first case still holds its last rewrite */
        li TESTNUM, 12
        call patch_fn
        li t6, 31 * 63
        bne a0, t6, __fail

        TEST_PASS

        .align 2
patch_fn:
        addi a0, x0, 1
        ret

        TEST_END

        .bss
        .align 12
code_buf:
        .space 64
