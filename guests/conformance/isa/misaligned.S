/*
 * Misaligned loads and stores (LW, LH, LHU, SW, SH at addresses that are not naturally
 * aligned).
 *
 * The unprivileged spec lets an execution environment either perform them or trap.
 * QEMU's virt machine (checked on QEMU 7.2, -bios none) performs them on RAM, with
 * little-endian byte order and sign extension as for aligned accesses, also across a
 * page boundary; tsxen does the same (docs/machine.md). When part of a misaligned access
 * lies outside RAM it is an access fault (load 5, store 7) whose mtval is the address of
 * the part that faulted, not the start of the access: for a word at 0x87fffffe on a
 * 128 MiB machine, 0x88000000. (A faulting store may have written its first bytes; the
 * test does not look.)
 *
 * Misaligned stores into code are covered too: they must reach instruction fetch after
 * fence.i like any store. Misaligned atomics are in rv32a.S.
 *
 * Needs the default 128 MiB of RAM (QEMU virt's default, and what the tests give tsxen).
 */
#include "test.h"
#include "trap.h"

#define RAM_END 0x88000000

        TEST_INIT

        la s0, buf
        li a1, 0x33221100
        sw a1, 0(s0)
        li a1, 0x77665544
        sw a1, 4(s0)
        li a1, 0xfbfaf988
        sw a1, 8(s0)

        /* Loads at every misaligned offset */
        TEST_CASE(1, a4, 0x44332211, lw a4, 1(s0))
        TEST_CASE(2, a4, 0x55443322, lw a4, 2(s0))
        TEST_CASE(3, a4, 0x66554433, lw a4, 3(s0))
        TEST_CASE(4, a4, 0x88776655, lw a4, 5(s0))
        TEST_CASE(5, a4, 0x00002211, lh a4, 1(s0))
        TEST_CASE(6, a4, 0x00004433, lh a4, 3(s0))
        TEST_CASE(7, a4, 0xffff8877, lh a4, 7(s0))          /* sign from the high byte */
        TEST_CASE(8, a4, 0x00008877, lhu a4, 7(s0))
        TEST_CASE(9, a4, 0xfffff988, lh a4, 8(s0))          /* aligned, for reference */
        TEST_CASE(10, a4, 0xfffffaf9, lh a4, 9(s0))
        TEST_CASE(11, a4, 0x0000faf9, lhu a4, 9(s0))
        TEST_CASE(12, a4, 0xfbfaf988, lw a4, 8(s0))
        TEST_CASE(13, a4, 0xf9887766, lw a4, 6(s0))

        /* Stores at every misaligned offset, read back aligned */
        li a2, 0xa1b2c3d4
        sw x0, 16(s0)
        sw x0, 20(s0)
        sw a2, 17(s0)
        TEST_CASE(14, a4, 0xb2c3d400, lw a4, 16(s0))
        TEST_CASE(15, a4, 0x000000a1, lw a4, 20(s0))
        sw x0, 16(s0)
        sw x0, 20(s0)
        sw a2, 18(s0)
        TEST_CASE(16, a4, 0xc3d40000, lw a4, 16(s0))
        TEST_CASE(17, a4, 0x0000a1b2, lw a4, 20(s0))
        sw x0, 16(s0)
        sw x0, 20(s0)
        sw a2, 19(s0)
        TEST_CASE(18, a4, 0xd4000000, lw a4, 16(s0))
        TEST_CASE(19, a4, 0x00a1b2c3, lw a4, 20(s0))
        sw x0, 16(s0)
        sw x0, 20(s0)
        sh a2, 19(s0)
        TEST_CASE(20, a4, 0xd4000000, lw a4, 16(s0))
        TEST_CASE(21, a4, 0x000000c3, lw a4, 20(s0))
        sh a2, 17(s0)
        TEST_CASE(22, a4, 0xd4c3d400, lw a4, 16(s0))
        /* and read back misaligned */
        TEST_CASE(23, a4, 0xc3d4c3d4, lw a4, 17(s0))
        TEST_CASE(24, a4, 0xffffc3d4, lh a4, 17(s0))

        /* Across a page boundary */
        la s1, page2
        li a1, 0x0c0d0e0f
        sw a1, -4(s1)
        li a1, 0x08090a0b
        sw a1, 0(s1)
        TEST_CASE(25, a4, 0x0a0b0c0d, lw a4, -2(s1))
        TEST_CASE(26, a4, 0x0b0c0d0e, lw a4, -3(s1))
        TEST_CASE(27, a4, 0x090a0b0c, lw a4, -1(s1))
        TEST_CASE(28, a4, 0x00000b0c, lhu a4, -1(s1))
        li a2, 0x8899aabb
        sw a2, -1(s1)
        TEST_CASE(29, a4, 0xbb0d0e0f, lw a4, -4(s1))
        TEST_CASE(30, a4, 0x088899aa, lw a4, 0(s1))
        li a2, 0xffff8001
        sh a2, -1(s1)
        TEST_CASE(31, a4, 0x010d0e0f, lw a4, -4(s1))
        TEST_CASE(32, a4, 0x08889980, lw a4, 0(s1))
        TEST_CASE(33, a4, 0xffff8001, lh a4, -1(s1))

        /* Misaligned stores into code, then fence.i: the new instructions run */
        li TESTNUM, 34
        call patched                  /* run it once as it is, so it is decoded */
        li t6, 1
        bne a0, t6, __fail
        li t6, 2
        bne a1, t6, __fail
        /* new words: addi a0, x0, 2047 = 0x7ff00513; addi a1, x0, -2048 = 0x80000593,
           written as bytes 1-4 (sw), 5-6 (sh), then bytes 0 and 7 (sb) */
        la s2, patched
        li a2, 0x937ff005             /* (0x7ff00513 >> 8) | (0x80000593 << 24) */
        sw a2, 1(s2)
        li a2, 0x0005                 /* (0x80000593 >> 8) & 0xffff */
        sh a2, 5(s2)
        li a2, 0x13
        sb a2, 0(s2)
        li a2, 0x80
        sb a2, 7(s2)
        fence.i
        TEST_CASE(35, a4, 0x7ff00513, lw a4, 0(s2))
        TEST_CASE(36, a4, 0x80000593, lw a4, 4(s2))
        li TESTNUM, 37
        call patched
        li t6, 2047
        bne a0, t6, __fail
        li t6, -2048
        bne a1, t6, __fail

        /* Part of the access beyond the end of RAM: an access fault at RAM_END */
        EXPECT_TRAP(1f)
        li a4, 0x1234
        li a1, RAM_END - 2
ram_end_lw:
        lw a4, 0(a1)
        j __fail
1:      CHECK_TRAP(38, 5, RAM_END, ram_end_lw)
        CHECK(39, a4, 0x1234)         /* the destination is not written */
        EXPECT_TRAP(1f)
        li a1, RAM_END - 1
ram_end_lh:
        lh a4, 0(a1)
        j __fail
1:      CHECK_TRAP(40, 5, RAM_END, ram_end_lh)
        EXPECT_TRAP(1f)
        li a1, RAM_END - 3
ram_end_lhu:
        lhu a4, 2(a1)
        j __fail
1:      CHECK_TRAP(41, 5, RAM_END, ram_end_lhu)
        EXPECT_TRAP(1f)
        li a1, RAM_END - 2
ram_end_sw:
        sw a1, 0(a1)
        j __fail
1:      CHECK_TRAP(42, 7, RAM_END, ram_end_sw)
        EXPECT_TRAP(1f)
        li a1, RAM_END - 1
ram_end_sh:
        sh a1, 0(a1)
        j __fail
1:      CHECK_TRAP(43, 7, RAM_END, ram_end_sh)
        /* the last bytes of RAM themselves are fine, misaligned too */
        li a1, RAM_END - 4
        li a2, 0x5566
        sh a2, 1(a1)
        TEST_CASE(44, a4, 0x5566, lhu a4, 1(a1))
        li a2, 0xdeadbeef
        sw a2, 0(a1)
        TEST_CASE(45, a4, 0xffffdead, lh a4, 2(a1))

        TEST_PASS

        .align 2
patched:
        addi a0, x0, 1
        addi a1, x0, 2
        ret

        EXPECT_TRAP_HANDLER
        TEST_END

        .bss
        .align 12
buf:    .space 64
        .align 12
        .space 4096
page2:  .space 16
