/*
 * M-mode startup (QEMU virt -bios none, or tsxen -bios none): every hart enters _start
 * at 0x80000000 in M-mode. Hart 0 runs the C program; the others park.
 *   int main(unsigned long hartid);   its return value goes to exit().
 */
        .section .text.init, "ax"
        .globl _start
_start:
        csrr    a0, mhartid
        bnez    a0, 2f
        la      sp, __stack_top
        la      t0, __rt_trap
        csrw    mtvec, t0

        /* Clear .bss (the linker script aligns both ends to words). */
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 3f
        sw      zero, 0(t0)
        addi    t0, t0, 4
        j       1b
3:
        call    main            /* a0 = hartid still */
        call    exit            /* a0 = main's return value */

        /* Other harts wait forever; a guest that wants them must set up its own entry. */
2:      wfi
        j       2b

/* Unexpected trap: report on a fresh stack (the old one may be the cause) and exit(1). */
        .text
        .align  2
__rt_trap:
        la      sp, __stack_top
        csrr    a0, mcause
        csrr    a1, mepc
        csrr    a2, mtval
        call    rt_fatal_trap
