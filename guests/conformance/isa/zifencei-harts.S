/*
 * Zifencei across harts: hart 1 rewrites a function that hart 0 runs; once hart 0 has
 * seen hart 1's flag (after hart 1's FENCE w, w) and executed its own FENCE.I, it must
 * fetch the new instruction. 64 rounds, each new word different, and hart 0 runs the
 * function before every rewrite so a per-hart decode or translation cache would still
 * hold the old one.
 */
// harts: 2
#include "test.h"

#define ROUNDS 64
#define ADDI_A0_X0(imm) ((((imm) & 0xfff) << 20) | 0x00000513)

        TEST_INIT_MULTIHART
        bnez a0, hart1

        la s0, request
        la s1, ready
        li s2, 1                      /* round */
1:      li TESTNUM, 1
        call shared_fn                /* the old code: round - 1 (0 at first) */
        addi t6, s2, -1
        bne a0, t6, __fail
        sw s2, 0(s0)                  /* hart 1: write `li a0, round` */
2:      lw t0, 0(s1)
        bne t0, s2, 2b
        fence.i
        li TESTNUM, 2
        call shared_fn
        bne a0, s2, __fail
        addi s2, s2, 1
        li t0, ROUNDS + 1
        bne s2, t0, 1b
        TEST_PASS

hart1:
        la s0, request
        la s1, ready
        la s3, shared_fn
        li s2, 1
1:      lw t0, 0(s0)
        bne t0, s2, 1b
        slli t0, s2, 20
        li t1, ADDI_A0_X0(0)
        or t0, t0, t1
        sw t0, 0(s3)
        fence w, w
        sw s2, 0(s1)
        addi s2, s2, 1
        li t0, ROUNDS + 1
        bne s2, t0, 1b
        j __park

        .align 2
shared_fn:
        addi a0, x0, 0
        ret

        TEST_END

        .data
        .align 6
request: .word 0
        .align 6
ready:   .word 0
