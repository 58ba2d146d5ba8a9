/*
 * bench-nop.elf: stops the machine at once (M-mode, -bios none). Timing it measures an
 * emulator's fixed cost (process start, machine setup, teardown), which bench/cpu.ts
 * subtracts from the benchmark's time.
 */
        .section .text.init, "ax"
        .globl _start
_start:
        li      t0, 0x00100000          /* SiFive test finisher */
        li      t1, 0x5555              /* pass: the emulator exits with status 0 */
        sw      t1, 0(t0)
1:      wfi
        j       1b
