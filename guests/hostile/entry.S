/*
 * hostile: entry and trap stub. Every trap lands in hostile_trap (hostile.c), which either
 * skips the faulting instruction (an attempt that was expected to fault) or gives up.
 */
        .section .text.init, "ax"
        .globl  _start
_start:
        la      sp, stack_top
        la      t0, trap_stub
        csrw    stvec, t0
        call    hostile_main
1:      j       1b

        .text
        .align  4
trap_stub:
        addi    sp, sp, -80
        sw      ra, 0(sp)
        sw      t0, 4(sp)
        sw      t1, 8(sp)
        sw      t2, 12(sp)
        sw      a0, 16(sp)
        sw      a1, 20(sp)
        sw      a2, 24(sp)
        sw      a3, 28(sp)
        sw      a4, 32(sp)
        sw      a5, 36(sp)
        sw      a6, 40(sp)
        sw      a7, 44(sp)
        sw      t3, 48(sp)
        sw      t4, 52(sp)
        sw      t5, 56(sp)
        sw      t6, 60(sp)
        call    hostile_trap
        lw      ra, 0(sp)
        lw      t0, 4(sp)
        lw      t1, 8(sp)
        lw      t2, 12(sp)
        lw      a0, 16(sp)
        lw      a1, 20(sp)
        lw      a2, 24(sp)
        lw      a3, 28(sp)
        lw      a4, 32(sp)
        lw      a5, 36(sp)
        lw      a6, 40(sp)
        lw      a7, 44(sp)
        lw      t3, 48(sp)
        lw      t4, 52(sp)
        lw      t5, 56(sp)
        lw      t6, 60(sp)
        addi    sp, sp, 80
        sret

        .bss
        .align  12
        .space  16384
stack_top:

/* enter_user(pc): runs U-mode code at pc; hostile_trap sends the first trap from U back
   to user_came_back (in S-mode, on this stack), and enter_user returns. */
        .text
        .globl  enter_user, user_came_back
enter_user:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        csrw    sepc, a0
        li      t0, 0x100               /* sstatus.SPP = U */
        csrc    sstatus, t0
        sret
user_came_back:
        lw      ra, 12(sp)
        lw      s0, 8(sp)
        addi    sp, sp, 16
        ret
