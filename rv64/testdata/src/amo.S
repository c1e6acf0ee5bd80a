# amo.S: the A extension: every AMO in W and D width, LR/SC reservations,
# and misaligned atomics (address-misaligned exceptions).
#include "test.h"
#define AMO(n, op, init, src, old, new)                      \
        li gp, n; li a1, init; sd a1, 0(s0); li a2, src;     \
        op a0, a2, (s0); CHECK(a0, old); ld a3, 0(s0); CHECK(a3, new)
TEST_BEGIN
        la s0, word
        AMO(2, amoswap.d, 5, 7, 5, 7)
        AMO(3, amoadd.d, 5, -7, 5, -2)
        AMO(4, amoxor.d, 0xff, 0x0f, 0xff, 0xf0)
        AMO(5, amoand.d, 0xff, 0x0f, 0xff, 0x0f)
        AMO(6, amoor.d, 0xf0, 0x0f, 0xf0, 0xff)
        AMO(7, amomin.d, -1, 1, -1, -1)
        AMO(8, amomax.d, -1, 1, -1, 1)
        AMO(9, amominu.d, -1, 1, -1, 1)
        AMO(10, amomaxu.d, -1, 1, -1, -1)
        AMO(11, amoadd.d.aqrl, 1, 2, 1, 3)
        # word forms: sign-extended old value, only the low word written
        AMO(12, amoswap.w, 0x1122334480000000, 7, 0xffffffff80000000, 0x1122334400000007)
        AMO(13, amoadd.w, 0x7fffffff, 1, 0x7fffffff, 0x80000000)
        AMO(14, amoxor.w, 0xff, 0x0f, 0xff, 0xf0)
        AMO(15, amoand.w, 0xff, 0x0f, 0xff, 0x0f)
        AMO(16, amoor.w, 0xf0, 0x0f, 0xf0, 0xff)
        AMO(17, amomin.w, 0xffffffff, 1, -1, 0xffffffff)
        AMO(18, amomax.w, 0xffffffff, 1, -1, 1)
        AMO(19, amominu.w, 0xffffffff, 1, -1, 1)
        AMO(20, amomaxu.w, 0xffffffff, 1, -1, 0xffffffff)
        AMO(21, amomaxu.w, 0x100000001, 0xffffffff00000002, 1, 0x100000002)  # upper src bits ignored
        AMO(22, amomin.w, 5, 0x00000001fffffffe, 5, 0xfffffffe)
        # LR/SC
        li gp, 23
        li a1, 10
        sd a1, 0(s0)
        lr.d a0, (s0)
        CHECK(a0, 10)
        addi a0, a0, 1
        sc.d a2, a0, (s0)
        CHECK(a2, 0)
        ld a3, 0(s0)
        CHECK(a3, 11)
        li gp, 24               # sc without a reservation fails and stores nothing
        li a0, 99
        sc.d a2, a0, (s0)
        CHECK(a2, 1)
        ld a3, 0(s0)
        CHECK(a3, 11)
        li gp, 25               # a second sc after a successful one fails
        lr.w a0, (s0)
        sc.w a2, a0, (s0)
        CHECK(a2, 0)
        sc.w a2, a0, (s0)
        CHECK(a2, 1)
        li gp, 26               # sc to another address than the reservation fails
        lr.d a0, (s0)
        addi s1, s0, 8
        sc.d a2, a0, (s1)
        CHECK(a2, 1)
26:
        li gp, 27               # lr.w sign-extends
        li a1, 0x80000000
        sw a1, 0(s0)
        lr.w a0, (s0)
        CHECK(a0, 0xffffffff80000000)
        li gp, 28               # a trap drops the reservation
        lr.d a0, (s0)
        ecall                   # M-mode ecall: the handler skips it
        sc.d a2, a0, (s0)
        CHECK(a2, 1)
        # misaligned atomics raise address-misaligned exceptions
        addi s1, s0, 4
        IMPL(TEST_TRAP(29, 6, amoadd.d a0, a2, (s1)))
        IMPL(CHECK_TVALR(s1))
        addi s1, s0, 2
        IMPL(TEST_TRAP(30, 6, amoswap.w a0, a2, (s1)))
        TEST_TRAP(31, 4, lr.w a0, (s1))
        CHECK_TVALR(s1)
        IMPL(TEST_TRAP(32, 6, sc.d a0, a2, (s1)))
        # atomics to unmapped addresses are store/AMO access faults
        li s1, 0x40000000
        IMPL(TEST_TRAP(33, 7, amoor.d a0, a2, (s1)))
        TEST_TRAP(34, 5, lr.d a0, (s1))
        j pass
TEST_END
        .data
        .align 4
word:   .dword 0, 0
