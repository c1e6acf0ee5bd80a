# console.S: prints "hello\n" through the tohost console protocol
# (0x0101 << 48 | ch), waiting for the host to clear tohost after each
# character, then passes.
#include "test.h"
TEST_BEGIN
        la s0, msg
        la s1, tohost
        li s2, 0x0101
        slli s2, s2, 48
1:      lbu a0, 0(s0)
        beqz a0, 3f
        or a0, a0, s2
        sd a0, 0(s1)
2:      ld a1, 0(s1)
        bnez a1, 2b
        addi s0, s0, 1
        j 1b
3:      j pass
TEST_END
        .data
msg:    .string "hello\n"
