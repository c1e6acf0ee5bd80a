# mem.S: loads and stores of every width, sign/zero extension, misaligned
# accesses (performed, also across a page boundary), and access faults.
#include "test.h"
TEST_BEGIN
        la s0, buf
        li s1, 0x8877665544332211
        sd s1, 0(s0)
        TEST(2, a0, 0x11, lb a0, 0(s0))
        TEST(3, a0, 0xffffffffffffff88, lb a0, 7(s0))
        TEST(4, a0, 0x88, lbu a0, 7(s0))
        TEST(5, a0, 0x2211, lh a0, 0(s0))
        TEST(6, a0, 0xffffffffffff8877, lh a0, 6(s0))
        TEST(7, a0, 0x8877, lhu a0, 6(s0))
        TEST(8, a0, 0x44332211, lw a0, 0(s0))
        TEST(9, a0, 0xffffffff88776655, lw a0, 4(s0))
        TEST(10, a0, 0x88776655, lwu a0, 4(s0))
        TEST(11, a0, 0x8877665544332211, ld a0, 0(s0))
        TEST(12, a0, 0x88776655443322aa, li a1, 0xaa; sb a1, 0(s0); ld a0, 0(s0))
        TEST(13, a0, 0x8877665544bbbbaa, li a1, 0x1bbbb; sh a1, 1(s0); lhu a0, 1(s0); li a2, 0xbbbb; bne a0, a2, fail; ld a0, 0(s0))
        TEST(14, a0, 0xcccccccc, li a1, 0xcccccccc; sw a1, 8(s0); lwu a0, 8(s0))
        TEST(15, a0, -2, li a1, -2; sd a1, 16(s0); ld a0, 16(s0))
        TEST(16, a0, 0x1234, li a1, 0x1234; sd a1, -8(s0); ld a0, -8(s0))  # negative offset
        # misaligned accesses are performed
        TRAP_RESET
        li s1, 0x0807060504030201
        sd s1, 0(s0)
        li s1, 0x100f0e0d0c0b0a09
        sd s1, 8(s0)
        TEST(17, a0, 0x0908070605040302, ld a0, 1(s0))
        TEST(18, a0, 0x0a09080706050403, ld a0, 2(s0))
        TEST(19, a0, 0x06050403, lw a0, 2(s0))
        TEST(20, a0, 0x0403, lhu a0, 2(s0))
        TEST(21, a0, 0x0807, lh a0, 6(s0))
        TEST(22, a0, 0x0d0c0b0a090807, lwu a1, 5(s0); lwu a2, 9(s0); slli a2, a2, 32; or a0, a1, a2; srli a0, a0, 8)
        TEST(23, a0, 0xffffffffffffffaa, li a1, 0xeeddccbbaa; sd a1, 3(s0); lb a0, 3(s0); ld a2, 3(s0); CHECKR(a2, a1))
        TEST(24, a0, 0x77, li a1, 0x5577; sh a1, 7(s0); lbu a0, 7(s0); lbu a2, 8(s0); CHECK(a2, 0x55))
        CHECK_NOTRAP
        # across a page boundary
        la s2, page_end
        li s1, 0x1122334455667788
        TEST(25, a0, 0x1122334455667788, sd s1, -3(s2); ld a0, -3(s2))
        TEST(26, a0, 0x88, lbu a0, -3(s2))
        TEST(27, a0, 0x11, lbu a0, 4(s2))
        TEST(28, a0, 0x55667788, sw s1, -1(s2); lwu a0, -1(s2))
        CHECK_NOTRAP
        # nothing mapped: access faults with the address in mtval
        li s3, 0x40000000
        TEST_TRAP(29, 5, ld a0, 0(s3))
        CHECK_TVAL(0x40000000)
        TEST_TRAP(30, 7, sd a0, 8(s3))
        CHECK_TVAL(0x40000008)
        TEST_TRAP(31, 5, li s3, 0x8000000000000000; lw a0, 0(s3))
        CHECK_TVAL(0x8000000000000000)
        # the end of RAM: a load running past it faults
        li s3, 0x80000000 + (64 << 20) - 4
        TEST_TRAP(32, 5, ld a0, 0(s3))
        TEST(33, a0, 0, lw a0, 0(s3))
        # compressed loads and stores
        TEST(34, a0, 0x55667788, mv a1, s0; c.sw s1, 4(a1); c.lw a0, 4(a1))
        TEST(35, a0, 0x1122334455667788, mv a1, s0; c.sd s1, 8(a1); c.ld a0, 8(a1))
        j pass
TEST_END
        .data
        .align 4
        .fill 2, 8, 0
buf:    .fill 8, 8, 0
        .align 12
        .fill 4096-8, 1, 0
        .fill 8, 1, 0
page_end:
        .fill 16, 1, 0
