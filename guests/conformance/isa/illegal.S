/*
 * Illegal instructions: cause 2, mepc = the instruction, mtval = the instruction bits
 * (what QEMU 7.2 reports; the spec allows this or 0), no register written.
 *
 * The encodings are reserved in every standard extension QEMU's default rv32 CPU has
 * (it adds C, F, D and more to tsxen's RV32IMA), so they trap on both: the all-zero and
 * all-ones words, reserved opcodes and funct fields, RV64-only forms, shifts by 32 or
 * more, system instructions with nonzero fields that must be zero, and FP instructions
 * (no F on tsxen; mstatus.FS is Off on QEMU). Compressed encodings are left out (legal
 * on QEMU), except the all-zero word, which is illegal as a 16-bit instruction too.
 */
#include "test.h"
#include "trap.h"

        TEST_INIT

        .set tnum, 0
        .irp w, 0x00000000, 0xffffffff, 0x0000ffff, 0xfffffffb, \
                0x00000077, 0x0000000b, 0x0000002b, 0x0000005b, 0x0000007b, \
                0x0000001f, 0x0000003f, 0x0000701b, 0x02a5053b, \
                0x02051513, 0x03f51513, 0x02055513, 0x42055513, 0x7e055513, \
                0x20051513, 0x00055513 | (0x10 << 25), \
                0xfeb50533, 0x10b50533, 0x40b51533, \
                0x00053503, 0x00056503, 0x00057503, \
                0x00a53023, 0x00a54023, 0x00a57023, \
                0x00a52063, 0x00a53063, \
                0x00051567, 0x00052567, 0x00057567, \
                0x00b5352f, 0x00b5152f, 0xf0b5252f, 0x1015252f, \
                0x000000f3, 0x00100873, 0x00108073, 0x00200073, \
                0x302000f3, 0x30208073, 0x105000f3, 0x10500873, 0x120000f3, \
                0x00004073, 0x7ff00073, 0x0000200f, 0x0000300f, 0x0000700f, \
                0x00052007, 0x00a52027, 0x00000053, 0x00c5f543, 0xe2050553
        .set tnum, tnum + 1
        EXPECT_TRAP(1f)
        li a0, 0x5a5a
        li a1, 0x1111
9:      .word \w
        j __fail
1:      li t5, \w
        CHECK_TRAP_REG(tnum, 2, t5, 9b)
        CHECK(tnum, a0, 0x5a5a)
        CHECK(tnum, a1, 0x1111)
        .endr

        /* The same word twice in a row traps both times (a decode cache must not
           turn the second into something else) */
        .irp n, 1, 2
        EXPECT_TRAP(1f)
9:      .word 0xffffffff
        j __fail
1:      CHECK_TRAP(200 + \n, 2, 0xffffffff, 9b)
        .endr
        /* An illegal word after legal ones in a loop: the loop runs, then traps */
        li TESTNUM, 210
        li s1, 0
        EXPECT_TRAP(1f)
2:      addi s1, s1, 1
        li t0, 5
        bne s1, t0, 2b
9:      .word 0x00000000
        j __fail
1:      CHECK_TRAP(211, 2, 0, 9b)
        CHECK(212, s1, 5)

        TEST_PASS

        EXPECT_TRAP_HANDLER
        TEST_END
