/*
 * Trap entry/exit and context switch: plain RISC-V S-mode code, the same in both builds
 * (a PV kernel takes its traps through stvec like a native one: system calls and most
 * faults are delegated straight to it, and the hypervisor bounces the rest as if the
 * hardware had delivered them).
 *
 * sscratch is the kernel stack top of the running process while it is in U-mode and 0
 * while the kernel runs, so the first instruction tells the two entries apart.
 * The trap frame is struct trapframe (minios.h): x1..x31 at 4*i, sepc at 128, sstatus at 132,
 * the CPU the process last left the kernel on at 136 (trap_handler reloads tp from it).
 */
        .equ FRAME, 144

        .text
        .align  4
        .globl  trap_entry
trap_entry:
        csrrw   sp, sscratch, sp
        bnez    sp, 1f
        csrrw   sp, sscratch, sp        /* from S: back to the kernel stack we were on */
1:      addi    sp, sp, -FRAME
        sw      x1, 4(sp)
        sw      x3, 12(sp)
        sw      x4, 16(sp)
        sw      x5, 20(sp)
        sw      x6, 24(sp)
        sw      x7, 28(sp)
        sw      x8, 32(sp)
        sw      x9, 36(sp)
        sw      x10, 40(sp)
        sw      x11, 44(sp)
        sw      x12, 48(sp)
        sw      x13, 52(sp)
        sw      x14, 56(sp)
        sw      x15, 60(sp)
        sw      x16, 64(sp)
        sw      x17, 68(sp)
        sw      x18, 72(sp)
        sw      x19, 76(sp)
        sw      x20, 80(sp)
        sw      x21, 84(sp)
        sw      x22, 88(sp)
        sw      x23, 92(sp)
        sw      x24, 96(sp)
        sw      x25, 100(sp)
        sw      x26, 104(sp)
        sw      x27, 108(sp)
        sw      x28, 112(sp)
        sw      x29, 116(sp)
        sw      x30, 120(sp)
        sw      x31, 124(sp)
        csrrw   t0, sscratch, zero      /* the user sp, or 0 from S */
        bnez    t0, 2f
        addi    t0, sp, FRAME
2:      sw      t0, 8(sp)
        csrr    t0, sepc
        sw      t0, 128(sp)
        csrr    t0, sstatus
        sw      t0, 132(sp)
        mv      a0, sp
        call    trap_handler

        .globl  trap_return
trap_return:                            /* sp = the frame to return through */
        lw      t0, 128(sp)
        csrw    sepc, t0
        lw      t0, 132(sp)
        csrw    sstatus, t0
        andi    t0, t0, 0x100           /* SPP: back to S leaves sscratch at 0 */
        bnez    t0, 3f
        addi    t0, sp, FRAME
        csrw    sscratch, t0
3:      lw      x1, 4(sp)
        lw      x3, 12(sp)
        lw      x4, 16(sp)
        lw      x5, 20(sp)
        lw      x6, 24(sp)
        lw      x7, 28(sp)
        lw      x8, 32(sp)
        lw      x9, 36(sp)
        lw      x10, 40(sp)
        lw      x11, 44(sp)
        lw      x12, 48(sp)
        lw      x13, 52(sp)
        lw      x14, 56(sp)
        lw      x15, 60(sp)
        lw      x16, 64(sp)
        lw      x17, 68(sp)
        lw      x18, 72(sp)
        lw      x19, 76(sp)
        lw      x20, 80(sp)
        lw      x21, 84(sp)
        lw      x22, 88(sp)
        lw      x23, 92(sp)
        lw      x24, 96(sp)
        lw      x25, 100(sp)
        lw      x26, 104(sp)
        lw      x27, 108(sp)
        lw      x28, 112(sp)
        lw      x29, 116(sp)
        lw      x30, 120(sp)
        lw      x31, 124(sp)
        lw      sp, 8(sp)
        sret

/* A new process's first run: context_switch "returns" here with sp = its trap frame. */
        .globl  user_first_entry
user_first_entry:
        mv      a0, sp
        call    proc_first_run          /* records the CPU, lets go of the kernel lock */
        j       trap_return

/* context_switch(from, to): save the callee-saved registers in *from, load *to. */
        .globl  context_switch
context_switch:
        sw      ra, 0(a0)
        sw      sp, 4(a0)
        sw      s0, 8(a0)
        sw      s1, 12(a0)
        sw      s2, 16(a0)
        sw      s3, 20(a0)
        sw      s4, 24(a0)
        sw      s5, 28(a0)
        sw      s6, 32(a0)
        sw      s7, 36(a0)
        sw      s8, 40(a0)
        sw      s9, 44(a0)
        sw      s10, 48(a0)
        sw      s11, 52(a0)
        lw      ra, 0(a1)
        lw      sp, 4(a1)
        lw      s0, 8(a1)
        lw      s1, 12(a1)
        lw      s2, 16(a1)
        lw      s3, 20(a1)
        lw      s4, 24(a1)
        lw      s5, 28(a1)
        lw      s6, 32(a1)
        lw      s7, 36(a1)
        lw      s8, 40(a1)
        lw      s9, 44(a1)
        lw      s10, 48(a1)
        lw      s11, 52(a1)
        ret
