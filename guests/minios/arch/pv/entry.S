/*
 * PV entry: the tsxen domain builder starts vCPU 0 here in S-mode with a0 = start_info
 * (virtual), sp on the bootstrap stack and Sv32 on over the bootstrap page tables.
 */
        .section .text.init, "ax"
        .globl  _start
_start:
        la      sp, boot_stack_top
        la      t0, trap_entry
        csrw    stvec, t0
        csrw    sscratch, zero
        mv      s0, a0
        la      t0, __bss_start         /* the builder zeroed it; this keeps the kernel honest */
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sw      zero, 0(t0)
        addi    t0, t0, 4
        j       1b
2:      mv      a0, s0
        call    start_kernel
3:      j       3b

        .bss
        .align  12
boot_stack:
        .space  16384
boot_stack_top:
