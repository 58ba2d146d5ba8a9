// harts: 4
/*
 * Atomics across harts (A extension; privileged spec 1.12 §3.1 for the multi-hart
 * machine): four harts each add 1 to shared counters N times, with amoadd.w and with an
 * lr.w/sc.w retry loop, and increment a plain counter under an amoswap.w spinlock; they
 * also combine their ids with amoor/amomaxu/amominu/amoxor. Hart 0 waits for the others,
 * then every total must be exact.
 */
#include "priv.h"

#define HARTS 4
#define N     5000

        TEST_INIT_MULTIHART
        PRIV_SETUP                                      /* keeps a0 = hart id */
        mv s0, a0

        la s1, shared
        li s6, N
1:      li t1, 1                                        /* amoadd.w */
        amoadd.w zero, t1, 0(s1)
        addi t3, s1, 4                                  /* lr/sc retry loop */
3:
        lr.w t2, (t3)
        addi t2, t2, 1
        sc.w t4, t2, (t3)
        bnez t4, 3b
        addi t3, s1, 8                                  /* spinlock at 8, counter at 12 */
4:      li t1, 1
        amoswap.w.aq t2, t1, (t3)
        bnez t2, 4b
        lw t2, 12(s1)
        addi t2, t2, 1
        sw t2, 12(s1)
        amoswap.w.rl zero, zero, (t3)
        addi s6, s6, -1
        bnez s6, 1b

        /* Each hart's id combined once. */
        li t1, 1
        sll t1, t1, s0
        addi t3, s1, 16
        amoor.w zero, t1, (t3)                          /* bit per hart → 0xf */
        addi t3, s1, 20
        amoxor.w zero, t1, (t3)                         /* also 0xf */
        addi t3, s1, 24
        amomaxu.w zero, s0, (t3)                        /* → 3 */
        addi t3, s1, 28
        amominu.w zero, s0, (t3)                        /* starts at -1 → 0 */
        addi t3, s1, 32
        addi t1, s0, 1
        amoadd.w zero, t1, (t3)                         /* 1+2+3+4 = 10 */
        addi t3, s1, 36
        neg t1, s0
        amomin.w zero, t1, (t3)                         /* signed → -3 */
        addi t3, s1, 40
        amomax.w zero, t1, (t3)                         /* starts at -100 → 0 */

        /* Done: count in, then hart 0 checks, the others rest. */
        li t1, 1
        addi t3, s1, 44
        amoadd.w.aqrl zero, t1, (t3)
        bnez s0, __park

        li t4, HARTS
5:      lw t2, 44(s1)
        bne t2, t4, 5b
        fence rw, rw
        lw a1, 0(s1)
        CHECK(1, a1, HARTS * N)
        lw a1, 4(s1)
        CHECK(2, a1, HARTS * N)
        lw a1, 12(s1)
        CHECK(3, a1, HARTS * N)
        lw a1, 8(s1)
        CHECK(4, a1, 0)                                 /* lock free */
        lw a1, 16(s1)
        CHECK(5, a1, 0xf)
        lw a1, 20(s1)
        CHECK(6, a1, 0xf)
        lw a1, 24(s1)
        CHECK(7, a1, 3)
        lw a1, 28(s1)
        CHECK(8, a1, 0)
        lw a1, 32(s1)
        CHECK(9, a1, 10)
        lw a1, 36(s1)
        CHECK(10, a1, -3)
        lw a1, 40(s1)
        CHECK(11, a1, 0)

        TEST_PASS
        PRIV_END

        .data
        .align 6
shared:
        .word 0         /*  0: amoadd counter */
        .word 0         /*  4: lr/sc counter */
        .word 0         /*  8: spinlock */
        .word 0         /* 12: counter under the lock */
        .word 0         /* 16: amoor */
        .word 0         /* 20: amoxor */
        .word 0         /* 24: amomaxu */
        .word -1        /* 28: amominu */
        .word 0         /* 32: amoadd of ids */
        .word 0         /* 36: amomin */
        .word -100      /* 40: amomax */
        .word 0         /* 44: harts done */
