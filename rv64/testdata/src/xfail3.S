# xfail3.S: passes tests 1 and 2 and fails test 3 on purpose, to check the
# failure path of the bare board and `xv6emu exec` (TestISA expects it).
#include "test.h"
TEST_BEGIN
        TEST(2, a0, 1, li a0, 1)
        TEST(3, a0, 2, li a0, 1)
        j pass
TEST_END
