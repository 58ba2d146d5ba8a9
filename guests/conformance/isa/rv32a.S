/*
 * RV32A: LR.W / SC.W and every AMO, with the aq/rl variants.
 *
 * - LR.W reads the word; SC.W to the reserved word succeeds (rd = 0) and writes; SC.W
 *   fails (rd = 1, memory unchanged) without a reservation, a second time after a
 *   success, and to another word than the reserved one (also when a later LR moved the
 *   reservation away).
 * - Each AMO returns the old value in rd and stores op(old, rs2): signed and unsigned
 *   MIN/MAX differ exactly on the 0x80000000 / 0x7fffffff / -1 edges; rd == rs2,
 *   rd == rs1 and rd = x0 behave as separate reads and writes.
 * - Misaligned AMO: store/AMO address-misaligned (cause 6), mtval = the address, rd and
 *   memory untouched. Misaligned LR: load address-misaligned (cause 4).
 * - A store by the other hart between LR and SC makes the SC fail.
 * - Two harts add to shared counters with AMOADD and with LR/SC loops: no update is lost.
 *
 * Two harts also for a QEMU reason: QEMU 7.2 with a single hart runs without parallel
 * TCG and performs an AMO as a load then a store, so a misaligned AMO reports the load's
 * cause 4; with several harts it uses host atomics and reports cause 6, as the spec asks.
 * (QEMU 7.2 also lets a misaligned SC.W fail with rd = 1 instead of trapping, and
 * reports an AMO outside RAM as a load access fault: neither is tested here.)
 *
 * An SC expected to succeed is retried a few times (the spec guarantees eventual
 * success of such a constrained LR/SC loop, not success on the first try: tsxen drops
 * reservations whenever another hart runs).
 */
// harts: 2
#include "test.h"
#include "trap.h"

#define COUNT 2000

/* LR then SC of `val` to 0(addr) until the SC succeeds (at most 8 tries); rd of the
   successful SC in a4, the LR's value in a5. */
#define LR_SC_RETRY(num, lr, sc, addr, val)          \
        li TESTNUM, num;                             \
        li t2, 8;                                    \
1:      lr a5, (addr);                               \
        sc a4, val, (addr);                          \
        beqz a4, 2f;                                 \
        addi t2, t2, -1;                             \
        bnez t2, 1b;                                 \
        j __fail;                                    \
2:

/* amo with old value `old` in memory and operand `src`: rd must be old, memory new. */
#define TEST_AMO(num, inst, old, src, new)           \
        li TESTNUM, num;                             \
        li a1, old;                                  \
        sw a1, 0(s0);                                \
        li a2, src;                                  \
        inst a4, a2, (s0);                           \
        li t6, old;                                  \
        bne a4, t6, __fail;                          \
        lw a4, 0(s0);                                \
        li t6, new;                                  \
        bne a4, t6, __fail;                          \
        li t6, src;                                  \
        bne a2, t6, __fail;

        TEST_INIT_MULTIHART
        bnez a0, hart1

        la s0, word
        la s1, other

        /* LR / SC */
        li a1, 0x11111111
        sw a1, 0(s0)
        li a2, 0x22222222
        LR_SC_RETRY(1, lr.w, sc.w, s0, a2)
        CHECK(2, a5, 0x11111111)
        TEST_CASE(3, a4, 0x22222222, lw a4, 0(s0))
        /* the reservation is gone after the SC: a second SC fails and writes nothing */
        li a3, 0x33333333
        TEST_CASE(4, a4, 1, sc.w a4, a3, (s0))
        TEST_CASE(5, a4, 0x22222222, lw a4, 0(s0))
        /* SC with no LR at all fails, also with aq/rl set */
        TEST_CASE(6, a4, 1, sc.w a4, a3, (s1))
        TEST_CASE(7, a4, 1, sc.w.rl a4, a3, (s1))
        TEST_CASE(8, a4, 1, sc.w.aqrl a4, a3, (s1))
        TEST_CASE(9, a4, 0, lw a4, 0(s1))
        /* SC to another word than the reserved one fails */
        TEST_CASE(10, a4, 1, lr.w a5, (s0); sc.w a4, a3, (s1))
        TEST_CASE(11, a4, 0, lw a4, 0(s1))
        /* the most recent LR's reservation counts: SC to the first address fails */
        TEST_CASE(12, a4, 1, lr.w a5, (s0); lr.w a5, (s1); sc.w a4, a3, (s0))
        TEST_CASE(13, a4, 0x22222222, lw a4, 0(s0))
        /* aq/rl variants succeed the same way */
        li a2, 0x44444444
        LR_SC_RETRY(14, lr.w.aq, sc.w.rl, s0, a2)
        CHECK(15, a5, 0x22222222)
        li a2, 0x55555555
        LR_SC_RETRY(16, lr.w.aqrl, sc.w.aqrl, s0, a2)
        CHECK(17, a5, 0x44444444)
        li a2, 0x66666666
        LR_SC_RETRY(18, lr.w.aq, sc.w.aq, s0, a2)
        TEST_CASE(19, a4, 0x66666666, lw a4, 0(s0))
        /* SC with rd == rs2: rd gets the status, the old rs2 is what was stored */
        li TESTNUM, 20
        li t2, 8
1:      lr.w a5, (s0)
        li a2, 0x77777777
        sc.w a2, a2, (s0)
        beqz a2, 2f
        addi t2, t2, -1
        bnez t2, 1b
        j __fail
2:      TEST_CASE(21, a4, 0x77777777, lw a4, 0(s0))
        /* LR into x0 still reserves */
        li a2, 0x12121212
        LR_SC_RETRY(22, lr.w, sc.w, s0, a2)
        li TESTNUM, 23
        li t2, 8
1:      lr.w x0, (s0)
        sc.w a4, a3, (s0)
        beqz a4, 2f
        addi t2, t2, -1
        bnez t2, 1b
        j __fail
2:      TEST_CASE(24, a4, 0x33333333, lw a4, 0(s0))

        /* Every AMO */
        TEST_AMO(30, amoswap.w, 0x12345678, 0x9abcdef0, 0x9abcdef0)
        TEST_AMO(31, amoswap.w, 0xffffffff, 0x00000000, 0x00000000)
        TEST_AMO(32, amoadd.w, 0x00000001, 0x00000002, 0x00000003)
        TEST_AMO(33, amoadd.w, 0x7fffffff, 0x00000001, 0x80000000)
        TEST_AMO(34, amoadd.w, 0xffffffff, 0xffffffff, 0xfffffffe)
        TEST_AMO(35, amoxor.w, 0xff00ff00, 0x0f0f0f0f, 0xf00ff00f)
        TEST_AMO(36, amoxor.w, 0x12345678, 0x12345678, 0x00000000)
        TEST_AMO(37, amoand.w, 0xff00ff00, 0x0f0f0f0f, 0x0f000f00)
        TEST_AMO(38, amoand.w, 0xffffffff, 0x80000001, 0x80000001)
        TEST_AMO(39, amoor.w, 0xff00ff00, 0x0f0f0f0f, 0xff0fff0f)
        TEST_AMO(40, amoor.w, 0x00000000, 0x80000000, 0x80000000)
        TEST_AMO(41, amomin.w, 0x00000001, 0x80000000, 0x80000000)
        TEST_AMO(42, amomin.w, 0x80000000, 0x7fffffff, 0x80000000)
        TEST_AMO(43, amomin.w, 0xffffffff, 0x00000000, 0xffffffff)
        TEST_AMO(44, amomin.w, 0x00000005, 0x00000003, 0x00000003)
        TEST_AMO(45, amomin.w, 0xfffffffe, 0xfffffffe, 0xfffffffe)
        TEST_AMO(46, amomax.w, 0x00000001, 0x80000000, 0x00000001)
        TEST_AMO(47, amomax.w, 0x80000000, 0x7fffffff, 0x7fffffff)
        TEST_AMO(48, amomax.w, 0xffffffff, 0x00000000, 0x00000000)
        TEST_AMO(49, amomax.w, 0xfffffffd, 0xfffffffe, 0xfffffffe)
        TEST_AMO(50, amominu.w, 0x00000001, 0x80000000, 0x00000001)
        TEST_AMO(51, amominu.w, 0x80000000, 0x7fffffff, 0x7fffffff)
        TEST_AMO(52, amominu.w, 0xffffffff, 0x00000000, 0x00000000)
        TEST_AMO(53, amominu.w, 0xfffffffd, 0xfffffffe, 0xfffffffd)
        TEST_AMO(54, amomaxu.w, 0x00000001, 0x80000000, 0x80000000)
        TEST_AMO(55, amomaxu.w, 0x80000000, 0x7fffffff, 0x80000000)
        TEST_AMO(56, amomaxu.w, 0xffffffff, 0x00000000, 0xffffffff)
        TEST_AMO(57, amomaxu.w, 0xfffffffd, 0xfffffffe, 0xfffffffe)

        /* aq / rl / aqrl encodings behave the same */
        TEST_AMO(60, amoswap.w.aq, 0x00000001, 0x00000002, 0x00000002)
        TEST_AMO(61, amoswap.w.rl, 0x00000003, 0x00000004, 0x00000004)
        TEST_AMO(62, amoswap.w.aqrl, 0x00000005, 0x00000006, 0x00000006)
        TEST_AMO(63, amoadd.w.aq, 0x00000010, 0x00000001, 0x00000011)
        TEST_AMO(64, amoadd.w.rl, 0x00000010, 0x00000002, 0x00000012)
        TEST_AMO(65, amoadd.w.aqrl, 0x00000010, 0x00000003, 0x00000013)
        TEST_AMO(66, amoxor.w.aqrl, 0x000000f0, 0x000000ff, 0x0000000f)
        TEST_AMO(67, amoand.w.aq, 0x000000f0, 0x0000003c, 0x00000030)
        TEST_AMO(68, amoor.w.rl, 0x000000f0, 0x0000000f, 0x000000ff)
        TEST_AMO(69, amomin.w.aqrl, 0x00000000, 0xffffffff, 0xffffffff)
        TEST_AMO(70, amomax.w.aq, 0x00000000, 0xffffffff, 0x00000000)
        TEST_AMO(71, amominu.w.rl, 0x00000000, 0xffffffff, 0x00000000)
        TEST_AMO(72, amomaxu.w.aqrl, 0x00000000, 0xffffffff, 0xffffffff)

        /* rd == rs2: rd gets the old value, memory the old rs2 */
        li a1, 100
        sw a1, 0(s0)
        li a2, 23
        TEST_CASE(73, a2, 100, amoadd.w a2, a2, (s0))
        TEST_CASE(74, a4, 123, lw a4, 0(s0))
        /* rd == rs1: the address is read before rd is written */
        addi a3, s0, 0
        li a2, 7
        TEST_CASE(75, a3, 123, amoswap.w a3, a2, (a3))
        TEST_CASE(76, a4, 7, lw a4, 0(s0))
        /* rd = x0: memory is updated, x0 stays zero */
        li a2, 5
        amoadd.w x0, a2, (s0)
        amoor.w x0, a2, (s0)
        li TESTNUM, 77
        bnez x0, __fail
        TEST_CASE(78, a4, 13, lw a4, 0(s0))            /* (7 + 5) | 5 */
        /* an AMO clears nothing it should not: the neighbour words are intact */
        li a1, 0xa5a5a5a5
        sw a1, -4(s0)
        sw a1, 4(s0)
        amoswap.w x0, x0, (s0)
        TEST_CASE(79, a4, 0xa5a5a5a5, lw a4, -4(s0))
        TEST_CASE(80, a4, 0xa5a5a5a5, lw a4, 4(s0))
        TEST_CASE(81, a4, 0, lw a4, 0(s0))

        /* Misaligned AMOs: cause 6, mtval = address, no side effects */
        li a1, 0x01020304
        sw a1, 0(s0)
        sw a1, 4(s0)
        .irp off, 1, 2, 3
        EXPECT_TRAP(1f)
        addi a3, s0, \off
        li a2, 0x7f
        li a4, 0x5a5a
9:      amoadd.w a4, a2, (a3)
        j __fail
1:      CHECK_TRAP_REG(82 + \off, 6, a3, 9b)
        CHECK(86 + \off, a4, 0x5a5a)
        .endr
        TEST_CASE(90, a4, 0x01020304, lw a4, 0(s0))
        TEST_CASE(91, a4, 0x01020304, lw a4, 4(s0))
        .irp inst, amoswap.w, amoxor.w, amoand.w, amoor.w, amomin.w, amomax.w, amominu.w, amomaxu.w, amoadd.w.aqrl
        EXPECT_TRAP(1f)
        addi a3, s0, 2
9:      \inst a4, a2, (a3)
        j __fail
1:      CHECK_TRAP_REG(92, 6, a3, 9b)
        .endr
        TEST_CASE(93, a4, 0x01020304, lw a4, 0(s0))
        TEST_CASE(94, a4, 0x01020304, lw a4, 4(s0))
        /* Misaligned LR: load address-misaligned */
        EXPECT_TRAP(1f)
        addi a3, s0, 1
        li a5, 0x5a5a
9:      lr.w a5, (a3)
        j __fail
1:      CHECK_TRAP_REG(95, 4, a3, 9b)
        CHECK(96, a5, 0x5a5a)
        EXPECT_TRAP(1f)
        addi a3, s0, 2
9:      lr.w.aqrl a5, (a3)
        j __fail
1:      CHECK_TRAP_REG(97, 4, a3, 9b)

        /* A store by the other hart between LR and SC makes the SC fail */
        li TESTNUM, 98
        li a1, 0x0d0d0d0d
        sw a1, 0(s1)
        lr.w a5, (s1)
        la t0, store_req
        li t1, 1
        sw t1, 0(t0)                  /* hart 1: store 0x0e0e0e0e to `other` */
        la t0, store_done
1:      lw t1, 0(t0)
        beqz t1, 1b
        li a3, 0x0f0f0f0f
        sc.w a4, a3, (s1)
        CHECK(98, a4, 1)
        TEST_CASE(99, a4, 0x0e0e0e0e, lw a4, 0(s1))

        /* Both harts add to the shared counters; hart 1 is already waiting for go */
        li TESTNUM, 100
        la t0, go
        li t1, 1
        sw t1, 0(t0)
        call contend
        la t0, done
1:      lw t1, 0(t0)
        beqz t1, 1b
        la t0, counter_amo
        TEST_CASE(101, a4, 2 * COUNT, lw a4, 0(t0))
        la t0, counter_lrsc
        TEST_CASE(102, a4, 2 * COUNT, lw a4, 0(t0))
        la t0, counter_mix
        TEST_CASE(103, a4, 2 * COUNT, lw a4, 0(t0))

        TEST_PASS

/* Hart 1: store into `other` when asked (the LR/SC test), then wait for hart 0's go,
   contend, say done, park. */
hart1:
        la t0, store_req
1:      lw t1, 0(t0)
        beqz t1, 1b
        la t0, other
        li t1, 0x0e0e0e0e
        sw t1, 0(t0)
        la t0, store_done
        li t1, 1
        sw t1, 0(t0)
        la t0, go
1:      lw t1, 0(t0)
        beqz t1, 1b
        call contend
        la t0, done
        li t1, 1
        amoswap.w.aqrl x0, t1, (t0)
        j __park

/* COUNT increments of each counter: AMOADD; an LR/SC loop; and alternating
   AMOADD and LR/SC on one word (the two kinds must not lose each other's updates). */
contend:
        la t0, counter_amo
        la t1, counter_lrsc
        la t2, counter_mix
        li t3, COUNT
        li t4, 1
1:      amoadd.w x0, t4, (t0)
2:      lr.w.aq t5, (t1)
        addi t5, t5, 1
        sc.w.rl t5, t5, (t1)
        bnez t5, 2b
        andi t5, t3, 1
        beqz t5, 3f
        amoadd.w x0, t4, (t2)
        j 4f
3:      lr.w t5, (t2)
        addi t5, t5, 1
        sc.w t5, t5, (t2)
        bnez t5, 3b
4:      addi t3, t3, -1
        bnez t3, 1b
        ret

        EXPECT_TRAP_HANDLER
        TEST_END

        .data
        .align 6
        .word 0
word:   .word 0
        .word 0
        .align 6
other:  .word 0
        .align 6
store_req:  .word 0
        .align 6
store_done: .word 0
        .align 6
go:     .word 0
        .align 6
done:   .word 0
        .align 6
counter_amo:  .word 0
        .align 6
counter_lrsc: .word 0
        .align 6
counter_mix:  .word 0
