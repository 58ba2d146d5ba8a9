/*
 * S-mode startup: the SBI firmware (OpenSBI on QEMU, tsxen's SBI) enters _start at
 * 0x80400000 in S-mode on the boot hart with a0 = hartid, a1 = device tree (0 if none).
 *   int main(unsigned long hartid, unsigned long dtb);   its return value goes to exit().
 * The boot hart need not be hart 0, so the first hart to arrive wins; any hart that enters
 * _start later (e.g. started through HSM with this address) parks.
 */
        .section .text.init, "ax"
        .globl _start
_start:
        la      t0, __rt_boot_claimed
        li      t1, 1
        amoswap.w t1, t1, (t0)
        bnez    t1, 2f
        la      sp, __stack_top
        la      t0, __rt_trap
        csrw    stvec, t0

        /* Clear .bss (word aligned by the linker script); a0/a1 stay untouched for main. */
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 3f
        sw      zero, 0(t0)
        addi    t0, t0, 4
        j       1b
3:
        call    main            /* a0 = hartid, a1 = dtb */
        call    exit            /* a0 = main's return value */

2:      wfi
        j       2b

/* Unexpected trap: report on a fresh stack (the old one may be the cause) and exit(1). */
        .text
        .align  2
__rt_trap:
        la      sp, __stack_top
        csrr    a0, scause
        csrr    a1, sepc
        csrr    a2, stval
        call    rt_fatal_trap

/* In .data, not .bss: it must already read 0 before .bss is cleared. */
        .data
        .align  2
__rt_boot_claimed:
        .word   0
