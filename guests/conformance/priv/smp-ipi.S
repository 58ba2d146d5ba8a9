// harts: 2
/*
 * Inter-processor interrupts through the CLINT's msip registers (privileged spec 1.12
 * §3.1.9, the ACLINT/CLINT layout of QEMU virt): hart 0 wakes hart 1 with msip[1] and
 * hart 1 answers with msip[0], ROUNDS times. Hart 1 waits first in WFI with MIE = 0
 * (woken, no trap), then with MIE = 1 (the interrupt is taken, mcause = MSI). Each hart
 * clears its own msip; a message word carries the round number both ways, and hart 1
 * reports any failure of its own checks to hart 0 (0xbad in the verdict word). Then
 * hart 1 runs its own timer (mtimecmp[1]), which must not show in hart 0's MTIP.
 */
#include "priv.h"

#define ROUNDS 8

        TEST_INIT_MULTIHART
        PRIV_SETUP
        mv s0, a0
        li t0, 1
        beq s0, t0, hart1
        bnez s0, __park                                 /* (more harts than asked for) */

        /* ---- Hart 0. */
hart0:  la s1, mbox
        li a1, MIP_MSIP
        csrw mie, a1                                    /* MIE = 0: WFI wakes, no trap */
        li TESTNUM, 1
1:      lw t1, 8(s1)                                    /* hart 1 is listening */
        beqz t1, 1b
        li s6, 1                                        /* round */
round:  sw s6, 0(s1)                                    /* message to hart 1 */
        fence w, w
        li t0, CLINT_MSIP(1)
        li t1, 1
        sw t1, 0(t0)
        li TESTNUM, 2
2:      wfi                                             /* until hart 1 answers */
        csrr t1, mip
        andi t1, t1, MIP_MSIP
        beqz t1, 2b
        li t0, CLINT_MSIP(0)
        sw zero, 0(t0)
        csrr t1, mip
        CHECK_MASKED(3, t1, MIP_MSIP, 0)
        fence r, r
        lw t1, 12(s1)                                   /* hart 1's verdict */
        li t2, 0xbad
        li TESTNUM, 5
        beq t1, t2, __fail
        lw t1, 4(s1)                                    /* the answer: round + 100 */
        addi t2, s6, 100
        li TESTNUM, 4
        bne t1, t2, __fail
        addi s6, s6, 1
        li t0, ROUNDS
        ble s6, t0, round

        /* ---- Timers are per hart: hart 1's mtimecmp raises hart 1's MTIP only. */
        li t0, CLINT_MTIMECMP(0)
        li t1, -1
        sw t1, 4(t0)
        sw t1, 0(t0)
        li t1, 1
        sw t1, 16(s1)                                   /* go */
        li TESTNUM, 6
2:      wfi                                             /* until hart 1's msip */
        csrr t1, mip
        andi t2, t1, MIP_MSIP
        beqz t2, 2b
        CHECK_MASKED(7, t1, MIP_MTIP, 0)                /* never ours */
        li t0, CLINT_MSIP(0)
        sw zero, 0(t0)
        fence r, r
        lw t1, 20(s1)
        CHECK(8, t1, 1)                                 /* hart 1 saw its timer */
        lw t1, 12(s1)
        CHECK(9, t1, 0)
        TEST_PASS

        /* ---- Hart 1. */
hart1:  la s1, mbox
        li a1, MIP_MSIP
        csrw mie, a1
        li t1, 1
        sw t1, 8(s1)                                    /* listening */
        li s6, 1
hround: li t0, ROUNDS / 2
        bgt s6, t0, 3f
        /* First half: MIE = 0, WFI returns with MSIP pending and no trap taken. */
1:      wfi
        csrr t1, mip
        andi t1, t1, MIP_MSIP
        beqz t1, 1b
        j 4f
        /* Second half: MIE = 1, the interrupt is taken (after WFI, at the loop). */
3:      li TESTNUM, 20
        la s11, 4f
        csrsi mstatus, MSTATUS_MIE
5:      wfi
        j 5b
4:      csrci mstatus, MSTATUS_MIE
        li t0, ROUNDS / 2
        ble s6, t0, 6f
        li t0, INTR | IRQ_MSI                           /* the trap, checked by hart 1 */
        bne s2, t0, h1fail
6:      li t0, CLINT_MSIP(1)
        sw zero, 0(t0)
        li t0, CLINT_MSIP(1)
        lw t1, 0(t0)
        bnez t1, h1fail                                 /* msip reads back 0 */
        fence r, r
        lw t1, 0(s1)
        bne t1, s6, h1fail                              /* the message is this round */
        addi t1, t1, 100
        sw t1, 4(s1)
        fence w, w
        li t0, CLINT_MSIP(0)
        li t1, 1
        sw t1, 0(t0)
        addi s6, s6, 1
        li t0, ROUNDS
        ble s6, t0, hround

        /* Its own timer: arm mtimecmp[1], wait for MTIP, report to hart 0. */
1:      lw t1, 16(s1)
        beqz t1, 1b
        li t0, CLINT_MTIME
2:      lw t2, 4(t0)
        lw t1, 0(t0)
        lw t3, 4(t0)
        bne t2, t3, 2b
        li t4, 2000
        add t4, t1, t4
        sltu t1, t4, t1
        add t2, t2, t1
        li t0, CLINT_MTIMECMP(1)
        li t1, -1
        sw t1, 4(t0)
        sw t4, 0(t0)
        sw t2, 4(t0)
        li a1, MIP_MTIP
        csrw mie, a1
3:      wfi
        csrr t1, mip
        andi t1, t1, MIP_MTIP
        beqz t1, 3b
        li t0, CLINT_MTIMECMP(1)
        li t1, -1
        sw t1, 4(t0)
        sw t1, 0(t0)
        csrr t1, mip
        andi t1, t1, MIP_MTIP
        bnez t1, h1fail                                 /* cleared by the new mtimecmp */
        li t1, 1
        sw t1, 20(s1)
        fence w, w
        li t0, CLINT_MSIP(0)
        li t1, 1
        sw t1, 0(t0)
        j __park
        /* A failure on hart 1 is reported to hart 0, which is woken to fail the test. */
h1fail: li t1, 0xbad
        sw t1, 12(s1)
        fence w, w
        li t0, CLINT_MSIP(0)
        li t1, 1
        sw t1, 0(t0)
        j __park

        PRIV_END

        .data
        .align 6
mbox:   .word 0         /* 0: message to hart 1 (the round) */
        .word 0         /* 4: answer to hart 0 (round + 100) */
        .word 0         /* 8: hart 1 is listening */
        .word 0         /* 12: hart 1's verdict: 0xbad on failure */
        .word 0         /* 16: hart 0 → hart 1: start the timer phase */
        .word 0         /* 20: hart 1 → hart 0: its timer fired */
