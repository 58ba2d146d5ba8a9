/*
 * RV32M: MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU.
 *
 * Products of the signed and unsigned extremes (the high word is where MULH, MULHSU and
 * MULHU differ), division rounding toward zero with every sign combination, and the two
 * cases the spec defines instead of trapping: division by zero (quotient all ones,
 * remainder the dividend) and signed overflow INT_MIN / -1 (quotient INT_MIN,
 * remainder 0). Then register aliasing, and x0 as the destination.
 */
#include "test.h"

#define TEST_RR_DEST1(num, inst, result, v1, v2) \
        TEST_CASE(num, a1, result, li a1, v1; li a2, v2; inst a1, a1, a2)
#define TEST_RR_DEST2(num, inst, result, v1, v2) \
        TEST_CASE(num, a2, result, li a1, v1; li a2, v2; inst a2, a1, a2)
#define TEST_RR_SAME(num, inst, result, v1) \
        TEST_CASE(num, a1, result, li a1, v1; inst a1, a1, a1)

        TEST_INIT

        /* MUL: the low word, the same for signed and unsigned */
        TEST_RR_OP(1, mul, 0x00000000, 0x00000000, 0x00000000)
        TEST_RR_OP(2, mul, 0x00000001, 0x00000001, 0x00000001)
        TEST_RR_OP(3, mul, 0x00000015, 0x00000003, 0x00000007)
        TEST_RR_OP(4, mul, 0x00000000, 0x00000000, 0xffff8000)
        TEST_RR_OP(5, mul, 0x00000001, 0xffffffff, 0xffffffff)
        TEST_RR_OP(6, mul, 0x80000000, 0x80000000, 0xffffffff)
        TEST_RR_OP(7, mul, 0x00000000, 0x80000000, 0x80000000)
        TEST_RR_OP(8, mul, 0x00000001, 0x7fffffff, 0x7fffffff)
        TEST_RR_OP(9, mul, 0x80000000, 0x7fffffff, 0x80000000)
        TEST_RR_OP(10, mul, 0x0000ff7f, 0xaaaaaaab, 0x0002fe7d)
        TEST_RR_OP(11, mul, 0x0000ff7f, 0x0002fe7d, 0xaaaaaaab)
        TEST_RR_OP(12, mul, 0xffff0001, 0x0000ffff, 0xffffffff)
        TEST_RR_OP(13, mul, 0xfffe0001, 0xffff0001, 0xffff0001)
        TEST_RR_OP(14, mul, 0x242d2080, 0x12345678, 0x9abcdef0)

        /* MULH: signed x signed, high word */
        TEST_RR_OP(15, mulh, 0x00000000, 0x00000000, 0x00000000)
        TEST_RR_OP(16, mulh, 0x00000000, 0x00000001, 0x00000001)
        TEST_RR_OP(17, mulh, 0x00000000, 0xffffffff, 0xffffffff)  /* (-1)(-1) = 1 */
        TEST_RR_OP(18, mulh, 0xffffffff, 0xffffffff, 0x00000001)  /* -1 */
        TEST_RR_OP(19, mulh, 0x40000000, 0x80000000, 0x80000000)  /* 2^62 */
        TEST_RR_OP(20, mulh, 0x00000000, 0x80000000, 0xffffffff)  /* 2^31 */
        TEST_RR_OP(21, mulh, 0xc0000000, 0x80000000, 0x7fffffff)
        TEST_RR_OP(22, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff)
        TEST_RR_OP(23, mulh, 0xffff0081, 0xaaaaaaab, 0x0002fe7d)
        TEST_RR_OP(24, mulh, 0xf8cc93d6, 0x12345678, 0x9abcdef0)
        TEST_RR_OP(25, mulh, 0xffffffff, 0x00000002, 0x80000000)

        /* MULHSU: signed rs1 x unsigned rs2, high word */
        TEST_RR_OP(26, mulhsu, 0x00000000, 0x00000000, 0x00000000)
        TEST_RR_OP(27, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff)  /* -(2^32 - 1) */
        TEST_RR_OP(28, mulhsu, 0x00000000, 0x00000001, 0xffffffff)
        TEST_RR_OP(29, mulhsu, 0xffffffff, 0xffffffff, 0x80000000)
        TEST_RR_OP(30, mulhsu, 0xffffffff, 0x80000000, 0x00000001)
        TEST_RR_OP(31, mulhsu, 0x80000000, 0x80000000, 0xffffffff)
        TEST_RR_OP(32, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff)
        TEST_RR_OP(33, mulhsu, 0xffff0081, 0xaaaaaaab, 0x0002fe7d)
        TEST_RR_OP(34, mulhsu, 0x0001fefe, 0x0002fe7d, 0xaaaaaaab)
        TEST_RR_OP(35, mulhsu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
        TEST_RR_OP(36, mulhsu, 0xc0000000, 0x80000000, 0x80000000)

        /* MULHU: unsigned x unsigned, high word */
        TEST_RR_OP(37, mulhu, 0x00000000, 0x00000000, 0x00000000)
        TEST_RR_OP(38, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff)
        TEST_RR_OP(39, mulhu, 0x00000000, 0x00000001, 0xffffffff)
        TEST_RR_OP(40, mulhu, 0x40000000, 0x80000000, 0x80000000)
        TEST_RR_OP(41, mulhu, 0x7fffffff, 0x80000000, 0xffffffff)
        TEST_RR_OP(42, mulhu, 0x3fffffff, 0x7fffffff, 0x7fffffff)
        TEST_RR_OP(43, mulhu, 0x0001fefe, 0xaaaaaaab, 0x0002fe7d)
        TEST_RR_OP(44, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
        TEST_RR_OP(45, mulhu, 0x0000fffe, 0x0000ffff, 0xffff0000)

        /* DIV: signed, rounding toward zero */
        TEST_RR_OP(46, div, 3, 20, 6)
        TEST_RR_OP(47, div, -3, -20, 6)
        TEST_RR_OP(48, div, -3, 20, -6)
        TEST_RR_OP(49, div, 3, -20, -6)
        TEST_RR_OP(50, div, 0, 5, 7)
        TEST_RR_OP(51, div, 0, -5, 7)
        TEST_RR_OP(52, div, 0x80000000, 0x80000000, 1)
        TEST_RR_OP(53, div, 0xc0000000, 0x80000000, 2)
        TEST_RR_OP(54, div, 0x80000001, 0x7fffffff, -1)
        TEST_RR_OP(55, div, 0x80000000, 0x80000000, -1)   /* overflow: INT_MIN */
        TEST_RR_OP(56, div, -1, 0x80000000, 0)            /* by zero: all ones */
        TEST_RR_OP(57, div, -1, 1, 0)
        TEST_RR_OP(58, div, -1, 0, 0)
        TEST_RR_OP(59, div, -1, -1, 0)
        TEST_RR_OP(60, div, 0, 0x7fffffff, 0x80000000)
        TEST_RR_OP(61, div, 1, 0x80000000, 0x80000000)

        /* DIVU: unsigned */
        TEST_RR_OP(62, divu, 3, 20, 6)
        TEST_RR_OP(63, divu, 715827879, -20, 6)           /* (2^32 - 20) / 6 */
        TEST_RR_OP(64, divu, 0, 20, -6)
        TEST_RR_OP(65, divu, 0, -20, -6)
        TEST_RR_OP(66, divu, 1, -6, -6)
        TEST_RR_OP(67, divu, 0x80000000, 0x80000000, 1)
        TEST_RR_OP(68, divu, 0, 0x80000000, -1)
        TEST_RR_OP(69, divu, 1, 0xffffffff, 0xffffffff)
        TEST_RR_OP(70, divu, 0xffffffff, 0xffffffff, 1)
        TEST_RR_OP(71, divu, 0x00000002, 0xffffffff, 0x7fffffff)
        TEST_RR_OP(72, divu, -1, 0x80000000, 0)           /* by zero: all ones */
        TEST_RR_OP(73, divu, -1, 1, 0)
        TEST_RR_OP(74, divu, -1, 0, 0)

        /* REM: the sign of the dividend */
        TEST_RR_OP(75, rem, 2, 20, 6)
        TEST_RR_OP(76, rem, -2, -20, 6)
        TEST_RR_OP(77, rem, 2, 20, -6)
        TEST_RR_OP(78, rem, -2, -20, -6)
        TEST_RR_OP(79, rem, 0, 0x80000000, 1)
        TEST_RR_OP(80, rem, 0, 0x80000000, 2)
        TEST_RR_OP(81, rem, 0, 0x80000000, -1)            /* overflow: 0 */
        TEST_RR_OP(82, rem, 0x80000000, 0x80000000, 0)    /* by zero: the dividend */
        TEST_RR_OP(83, rem, 1, 1, 0)
        TEST_RR_OP(84, rem, 0, 0, 0)
        TEST_RR_OP(85, rem, -1, -1, 0)
        TEST_RR_OP(86, rem, 0x7fffffff, 0x7fffffff, 0x80000000)
        TEST_RR_OP(87, rem, -1, 0x80000000, 0x7fffffff)
        TEST_RR_OP(88, rem, 0, 0x7fffffff, -1)

        /* REMU: unsigned */
        TEST_RR_OP(89, remu, 2, 20, 6)
        TEST_RR_OP(90, remu, 2, -20, 6)                   /* (2^32 - 20) mod 6 */
        TEST_RR_OP(91, remu, 20, 20, -6)
        TEST_RR_OP(92, remu, -20, -20, -6)
        TEST_RR_OP(93, remu, 0, 0x80000000, 1)
        TEST_RR_OP(94, remu, 0x80000000, 0x80000000, -1)
        TEST_RR_OP(95, remu, 0, 0xffffffff, 0xffffffff)
        TEST_RR_OP(96, remu, 1, 0xffffffff, 0x7fffffff)
        TEST_RR_OP(97, remu, 0x80000000, 0x80000000, 0)   /* by zero: the dividend */
        TEST_RR_OP(98, remu, 1, 1, 0)
        TEST_RR_OP(99, remu, 0, 0, 0)
        TEST_RR_OP(100, remu, 0xffffffff, 0xffffffff, 0)

        /* Aliasing: sources are read before the destination is written */
        TEST_RR_DEST1(101, mul, 143, 13, 11)
        TEST_RR_DEST2(102, mul, 143, 13, 11)
        TEST_RR_SAME(103, mul, 169, 13)
        TEST_RR_DEST1(104, mulh, 0xffffffff, 0xffffffff, 0x00000005)
        TEST_RR_DEST2(105, mulhu, 0x00000004, 0xffffffff, 0x00000005)
        TEST_RR_SAME(106, mulhu, 0xfffffffe, 0xffffffff)
        TEST_RR_SAME(107, mulhsu, 0xc0000000, 0x80000000)
        TEST_RR_SAME(108, mulh, 0x40000000, 0x80000000)
        TEST_RR_DEST1(109, div, 2, 13, 6)
        TEST_RR_DEST2(110, divu, 2, 13, 6)
        TEST_RR_SAME(111, div, 1, 0x80000000)
        TEST_RR_DEST1(112, rem, 1, 13, 6)
        TEST_RR_DEST2(113, remu, 1, 13, 6)
        TEST_RR_SAME(114, remu, 0, 0x12345678)
        TEST_RR_DEST2(115, div, -1, 13, 0)
        TEST_RR_DEST2(116, rem, 13, 13, 0)

        /* x0 as the destination, and x0 (zero) as the divisor */
        li TESTNUM, 117
        li a1, 0x12345678
        li a2, 0x9abcdef0
        mul x0, a1, a2
        mulh x0, a1, a2
        mulhsu x0, a1, a2
        mulhu x0, a1, a2
        div x0, a1, a2
        divu x0, a1, a2
        rem x0, a1, a2
        remu x0, a1, a2
        bnez x0, __fail
        TEST_CASE(118, a4, 0xffffffff, div a4, a1, x0)
        TEST_CASE(119, a4, 0x12345678, remu a4, a1, x0)
        TEST_CASE(120, a4, 0, mul a4, a1, x0)

        TEST_PASS
        TEST_END
