/* Native entry: the SBI firmware starts the kernel here in S-mode, paging off, a0 = hart id. */
        .section .text.init, "ax"
        .globl  _start
_start:
        la      sp, boot_stack_top
        la      t0, trap_entry
        csrw    stvec, t0
        csrw    sscratch, zero
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sw      zero, 0(t0)
        addi    t0, t0, 4
        j       1b
2:      call    start_kernel
3:      wfi
        j       3b

        .bss
        .align  12
boot_stack:
        .space  16384
boot_stack_top:
