# compressed.S: every RV64C instruction, checked against its expansion's
# effect, plus the reserved encodings that must be illegal.
#include "test.h"
TEST_BEGIN
        .option rvc
        la s0, buf
        TEST(2, a0, 0x10, mv a0, sp; mv s1, sp; mv sp, zero; c.addi4spn a0, sp, 16; mv sp, s1)
        TEST(3, a0, 1020, mv s1, sp; li sp, 0; c.addi4spn a0, sp, 1020; mv sp, s1)
        TEST(4, a0, 9, li a0, 4; c.addi a0, 5)
        TEST(5, a0, -28, li a0, 4; c.addi a0, -32)
        TEST(6, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
        TEST(7, a0, -32, c.li a0, -32)
        TEST(8, a0, 31, c.li a0, 31)
        TEST(9, a0, 0x1f000, c.lui a0, 0x1f)
        TEST(10, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
        TEST(11, a0, 496, mv s1, sp; li sp, 0; c.addi16sp sp, 496; mv a0, sp; mv sp, s1)
        TEST(12, a0, -512, mv s1, sp; li sp, 0; c.addi16sp sp, -512; mv a0, sp; mv sp, s1)
        TEST(13, a0, 0x0fffffffffffffff, li a0, -1; c.srli a0, 4)
        TEST(14, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
        TEST(15, a0, -1, li a0, 0x8000000000000000; c.srai a0, 63)
        TEST(16, a0, 0x0a, li a0, 0xfa; c.andi a0, 0xf)
        TEST(17, a0, 0xf0, li a0, 0xf0; c.andi a0, -16)
        TEST(18, a0, -3, li a0, 4; li a1, 7; c.sub a0, a1)
        TEST(19, a0, 3, li a0, 5; li a1, 6; c.xor a0, a1)
        TEST(20, a0, 7, li a0, 5; li a1, 6; c.or a0, a1)
        TEST(21, a0, 4, li a0, 5; li a1, 6; c.and a0, a1)
        TEST(22, a0, 0xffffffff80000000, li a0, 0x80000001; li a1, 1; c.subw a0, a1)
        TEST(23, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
        TEST(24, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
        TEST(25, a0, 12, li a1, 12; c.mv a0, a1)
        TEST(26, a0, 17, li a0, 5; li a1, 12; c.add a0, a1)
        # stack-pointer relative loads and stores
        li gp, 27
        mv s1, sp
        mv sp, s0
        li a1, 0x1122334455667788
        c.sdsp a1, 8(sp)
        c.ldsp a0, 8(sp)
        CHECKR(a0, a1)
        c.swsp a1, 252(sp)
        c.lwsp a0, 252(sp)
        CHECK(a0, 0x55667788)
        c.sdsp a1, 504(sp)
        c.ldsp a0, 504(sp)
        CHECKR(a0, a1)
        fmv.d.x fa0, a1
        c.fsdsp fa0, 16(sp)
        c.fldsp fa1, 16(sp)
        fmv.x.d a0, fa1
        CHECKR(a0, a1)
        mv sp, s1
        li gp, 28
        mv a2, s0
        c.sw a1, 124(a2)
        c.lw a0, 124(a2)
        CHECK(a0, 0x55667788)
        c.sd a1, 248(a2)
        c.ld a0, 248(a2)
        CHECKR(a0, a1)
        c.fsd fa0, 32(a2)
        c.fld fa2, 32(a2)
        fmv.x.d a0, fa2
        CHECKR(a0, a1)
        # jumps and branches
        li gp, 29
        c.j 1f
        j fail
1:      li a0, 0
        c.beqz a0, 1f
        j fail
1:      c.bnez a0, fail2
        li a0, 1
        c.bnez a0, 1f
        j fail
1:      c.beqz a0, fail2
        li gp, 30
        la a1, 1f
        c.jr a1
        j fail
1:      la a1, 2f
        c.jalr a1
3:      j fail
2:      la a2, 3b
        CHECKR(ra, a2)
        # c.ebreak raises a breakpoint with mtval = pc
        li gp, 31
        TRAP_RESET
4:      c.ebreak
        CHECK_TRAP(3)
        la a1, 4b
        IMPL(CHECK_TVALR(a1))
        CHECK_EPC(4b)
        # reserved encodings are illegal; mtval holds the 16 bits
        TEST_TRAP(32, 2, .half 0x0000)            # all zeros
        CHECK_TVAL(0)
        TEST_TRAP(33, 2, .half 0x0010 | 0x0000)   # c.addi4spn with imm 0
        CHECK_TVAL(0x0010)
        TEST_TRAP(34, 2, .half 0x6101)            # c.addi16sp with imm 0
        CHECK_TVAL(0x6101)
        TEST_TRAP(35, 2, .half 0x6501)            # c.lui a0 with imm 0
        TEST_TRAP(36, 2, .half 0x2001)            # c.addiw x0
        TEST_TRAP(37, 2, .half 0x4002)            # c.lwsp x0
        TEST_TRAP(38, 2, .half 0x6002)            # c.ldsp x0
        TEST_TRAP(39, 2, .half 0x8002)            # c.jr x0
        TEST_TRAP(40, 2, .half 0x9c41)            # reserved ALU op (funct 10, bit12=1)
        TEST_TRAP(41, 2, .half 0x8000)            # quadrant 0 funct3 100
        CHECK_TVAL(0x8000)
        # c.nop and hints execute as no-ops
        c.nop
        c.addi zero, 1                            # hint
        c.li zero, 5                              # hint
        c.mv zero, a1                             # hint
        c.slli zero, 3                            # hint
        TEST(42, zero, 0, nop)
        j pass
fail2:  j fail
TEST_END
        .data
        .align 4
buf:    .fill 128, 8, 0
