/*
 * Zicsr: CSRRW, CSRRS, CSRRC and the immediate forms CSRRWI, CSRRSI, CSRRCI.
 *
 * On scratch registers (mscratch, sscratch): each returns the old value and writes the
 * new one; CSRRS/CSRRC set and clear exactly the given bits; immediates are 5 bits,
 * zero-extended; rd == rs1 swaps. Which forms write: CSRRS/CSRRC with rs1 = x0 and
 * CSRRSI/CSRRCI with uimm = 0 do not write, so they may read read-only CSRs (ids,
 * mhartid, counters) without trapping, while every form that writes a read-only CSR is
 * an illegal instruction (cause 2, mtval = the instruction bits, rd not written), as is
 * any access to a CSR that does not exist. Then the unprivileged counters: cycle,
 * instret and time advance, and their high halves read.
 *
 * Not tested: CSRRS/CSRRC with rs1 != x0 holding zero on a read-only CSR. The spec says
 * that is a write (illegal); QEMU 7.2 lets it read without trapping. tsxen follows the
 * spec.
 */
#include "test.h"
#include "trap.h"

/* inst (a CSR instruction, possibly with a label) must trap as illegal with rd (a4)
   untouched. */
#define TEST_ILLEGAL_CSR(num, inst...)               \
        EXPECT_TRAP(1f);                             \
        li a4, 0x5a5a;                               \
9:      inst;                                        \
        j __fail;                                    \
1:      la t5, 9b;                                   \
        lw t5, 0(t5);                                \
        CHECK_TRAP_REG(num, 2, t5, 9b)               \
        CHECK(num, a4, 0x5a5a)

        TEST_INIT

        /* CSRRW */
        li a1, 0x12345678
        csrw mscratch, a1
        li a2, 0x9abcdef0
        TEST_CASE(1, a4, 0x12345678, csrrw a4, mscratch, a2)
        TEST_CASE(2, a4, 0x9abcdef0, csrr a4, mscratch)
        TEST_CASE(3, a4, 0x12345678, csrrw x0, mscratch, a1; csrrw a4, mscratch, x0)
        TEST_CASE(4, a4, 0, csrr a4, mscratch)
        /* rd == rs1: swap */
        li a1, 0x0badf00d
        csrw mscratch, a1
        li a4, 0x600dcafe
        TEST_CASE(5, a4, 0x0badf00d, csrrw a4, mscratch, a4)
        TEST_CASE(6, a4, 0x600dcafe, csrr a4, mscratch)

        /* CSRRS / CSRRC */
        li a1, 0xff00ff00
        csrw mscratch, a1
        li a2, 0x0ff00ff0
        TEST_CASE(7, a4, 0xff00ff00, csrrs a4, mscratch, a2)
        TEST_CASE(8, a4, 0xfff0fff0, csrr a4, mscratch)
        li a2, 0xf0f0f0f0
        TEST_CASE(9, a4, 0xfff0fff0, csrrc a4, mscratch, a2)
        TEST_CASE(10, a4, 0x0f000f00, csrr a4, mscratch)
        TEST_CASE(11, a4, 0x0f000f00, csrrs a4, mscratch, x0)  /* csrr: no write */
        TEST_CASE(12, a4, 0x0f000f00, csrrc a4, mscratch, x0)
        TEST_CASE(13, a4, 0x0f000f00, csrr a4, mscratch)
        li a2, 0
        TEST_CASE(14, a4, 0x0f000f00, csrrs a4, mscratch, a2)  /* writes the same value */
        TEST_CASE(15, a4, 0x0f000f00, csrrc a4, mscratch, a2)
        TEST_CASE(16, a4, 0x0f000f00, csrr a4, mscratch)
        li a2, -1
        TEST_CASE(17, a4, 0x0f000f00, csrrs a4, mscratch, a2)
        TEST_CASE(18, a4, 0xffffffff, csrrc a4, mscratch, a2)
        TEST_CASE(19, a4, 0, csrr a4, mscratch)
        li a4, 0x80000001                                       /* rd == rs1 */
        TEST_CASE(20, a4, 0, csrrs a4, mscratch, a4)
        TEST_CASE(21, a4, 0x80000001, csrrc a4, mscratch, a4)
        TEST_CASE(22, a4, 0x80000001, csrr a4, mscratch)

        /* Immediate forms: 5-bit uimm, zero-extended */
        TEST_CASE(23, a4, 0x80000001, csrrwi a4, mscratch, 31)
        TEST_CASE(24, a4, 31, csrr a4, mscratch)
        TEST_CASE(25, a4, 31, csrrwi a4, mscratch, 0)
        TEST_CASE(26, a4, 0, csrrsi a4, mscratch, 0x15)
        TEST_CASE(27, a4, 0x15, csrrsi a4, mscratch, 0x0a)
        TEST_CASE(28, a4, 0x1f, csrrci a4, mscratch, 0x11)
        TEST_CASE(29, a4, 0x0e, csrr a4, mscratch)
        li a1, 0xfffffff0
        csrw mscratch, a1
        TEST_CASE(30, a4, 0xfffffff0, csrrsi a4, mscratch, 0x1f)
        TEST_CASE(31, a4, 0xffffffff, csrrci a4, mscratch, 0x1f)
        TEST_CASE(32, a4, 0xffffffe0, csrrsi a4, mscratch, 0)   /* uimm 0: no write */
        TEST_CASE(33, a4, 0xffffffe0, csrrci a4, mscratch, 0)
        TEST_CASE(34, a4, 0xffffffe0, csrr a4, mscratch)
        csrwi mscratch, 7                                       /* csrrwi x0 */
        TEST_CASE(35, a4, 7, csrr a4, mscratch)
        csrsi mscratch, 8
        csrci mscratch, 1
        TEST_CASE(36, a4, 14, csrr a4, mscratch)

        /* sscratch is a separate register */
        li a1, 0x11112222
        csrw sscratch, a1
        li a2, 0x33334444
        csrw mscratch, a2
        TEST_CASE(37, a4, 0x11112222, csrr a4, sscratch)
        TEST_CASE(38, a4, 0x33334444, csrrw a4, mscratch, x0)
        TEST_CASE(39, a4, 0x11112222, csrrc a4, sscratch, a1)
        TEST_CASE(40, a4, 0, csrr a4, sscratch)

        /* Read-only CSRs: reading forms do not trap */
        TEST_CASE(41, a4, 0, csrr a4, mhartid)
        TEST_CASE(42, a4, 0, csrrsi a4, mhartid, 0)
        TEST_CASE(43, a4, 0, csrrci a4, mhartid, 0)
        TEST_CASE(44, a4, 0, csrrc a4, mhartid, x0)
        csrr a4, mvendorid
        csrr a4, marchid
        csrr a4, mimpid
        csrrsi a4, marchid, 0
        csrrci a4, mvendorid, 0
        csrr a4, cycle
        csrr a4, cycleh
        csrr a4, instret
        csrr a4, instreth
        csrr a4, time
        csrr a4, timeh
        csrrsi a4, cycle, 0
        csrrc a4, instret, x0
        /* misa (read here, not written): RV32, with I, M and A */
        csrr a4, misa
        srli a5, a4, 30
        CHECK(45, a5, 1)
        li t0, (1 << 0) | (1 << 8) | (1 << 12)
        and a5, a4, t0
        CHECK(46, a5, (1 << 0) | (1 << 8) | (1 << 12))

        /* Writing forms on read-only CSRs are illegal instructions */
        li a1, 1
        TEST_ILLEGAL_CSR(47, csrrw a4, mvendorid, a1)
        TEST_ILLEGAL_CSR(48, csrrw x0, mhartid, x0)
        TEST_ILLEGAL_CSR(49, csrrs a4, marchid, a1)
        TEST_ILLEGAL_CSR(50, csrrc a4, mimpid, a1)
        TEST_ILLEGAL_CSR(51, csrrwi a4, mhartid, 0)
        TEST_ILLEGAL_CSR(52, csrrsi a4, mhartid, 1)
        TEST_ILLEGAL_CSR(53, csrrci a4, mvendorid, 31)
        TEST_ILLEGAL_CSR(54, csrrw a4, cycle, a1)
        TEST_ILLEGAL_CSR(55, csrrs a4, instret, a1)
        TEST_ILLEGAL_CSR(56, csrrwi a4, time, 0)
        TEST_ILLEGAL_CSR(57, csrrci a4, cycleh, 2)
        TEST_ILLEGAL_CSR(58, csrrw x0, timeh, a1)
        /* CSRs that do not exist (0x7c0..0x7ff and 0x8ff are custom ranges; fcsr needs
           F, or traps while mstatus.FS is Off) */
        TEST_ILLEGAL_CSR(59, csrr a4, 0x7c0)
        TEST_ILLEGAL_CSR(60, csrrw a4, 0x7ff, a1)
        TEST_ILLEGAL_CSR(61, csrrsi a4, 0x8ff, 0)
        TEST_ILLEGAL_CSR(62, csrr a4, 0xfff)
        TEST_ILLEGAL_CSR(63, csrr a4, fcsr)
        TEST_ILLEGAL_CSR(64, csrrwi a4, 0x0ff, 1)

        /* A CSR write is seen by the very next instruction */
        TEST_CASE(65, a4, 0x2468ace0, li a1, 0x2468ace0; csrw mscratch, a1; csrr a4, mscratch)

        /* Counters advance: cycle and instret strictly, time does not go back */
        li TESTNUM, 66
        csrr a1, cycle
        csrr a2, instret
        csrr a3, time
        li t0, 200
1:      addi t0, t0, -1
        bnez t0, 1b
        csrr a4, cycle
        csrr a5, instret
        csrr a6, time
        beq a1, a4, __fail
        li TESTNUM, 67
        beq a2, a5, __fail
        li TESTNUM, 68
        sub t0, a6, a3
        bltz t0, __fail
        /* the 64-bit read idiom terminates and gives consistent halves */
        li TESTNUM, 69
1:      csrr a1, cycleh
        csrr a2, cycle
        csrr a3, cycleh
        bne a1, a3, 1b
1:      csrr a1, instreth
        csrr a2, instret
        csrr a3, instreth
        bne a1, a3, 1b
1:      csrr a1, timeh
        csrr a2, time
        csrr a3, timeh
        bne a1, a3, 1b

        TEST_PASS

        EXPECT_TRAP_HANDLER
        TEST_END
