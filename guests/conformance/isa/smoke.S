#include "test.h"
        TEST_INIT
        TEST_RR_OP(1, add, 5, 2, 3)
        TEST_IMM_OP(2, addi, -1, 0, -1)
        TEST_PASS
        TEST_END
