# alu.S: RV64I integer computation, upper immediates, jumps and branches.
#include "test.h"
TEST_BEGIN
        TEST(2, a0, 3, li a1, 1; addi a0, a1, 2)
        TEST(3, a0, -1, li a1, 0; addi a0, a1, -1)
        TEST(4, a0, 0x7ff, addi a0, zero, 0x7ff)
        TEST(5, a0, 0xfffffffffffff800, addi a0, zero, -2048)
        TEST(6, a0, 1, li a1, -5; slti a0, a1, 3)
        TEST(7, a0, 0, li a1, -5; sltiu a0, a1, 3)
        TEST(8, a0, 1, li a1, 2; sltiu a0, a1, -1)
        TEST(9, a0, 0xff00ff00ff00fff0, li a1, 0xff00ff00ff00ff0f; xori a0, a1, 0xff)
        TEST(10, a0, -16, li a1, 0xf0; ori a0, a1, -16)
        TEST(11, a0, 0x0f, li a1, 0xff; andi a0, a1, 0x0f)
        TEST(12, a0, 0x8000000000000000, li a1, 1; slli a0, a1, 63)
        TEST(13, a0, 1, li a1, 0x8000000000000000; srli a0, a1, 63)
        TEST(14, a0, -1, li a1, 0x8000000000000000; srai a0, a1, 63)
        TEST(15, a0, 0x4000000000000000, li a1, 0x8000000000000000; srli a0, a1, 1)
        TEST(16, a0, 7, li a1, 3; li a2, 4; add a0, a1, a2)
        TEST(17, a0, -1, li a1, 3; li a2, 4; sub a0, a1, a2)
        TEST(18, a0, 0x100, li a1, 1; li a2, 72; sll a0, a1, a2)       # shift amount mod 64
        TEST(19, a0, 1, li a1, -1; li a2, 0; slt a0, a1, a2)
        TEST(20, a0, 0, li a1, -1; li a2, 0; sltu a0, a1, a2)
        TEST(21, a0, 6, li a1, 5; li a2, 3; xor a0, a1, a2)
        TEST(22, a0, 0x7fffffffffffffff, li a1, -1; li a2, 65; srl a0, a1, a2)
        TEST(23, a0, -1, li a1, -1; li a2, 63; sra a0, a1, a2)
        TEST(24, a0, 7, li a1, 5; li a2, 3; or a0, a1, a2)
        TEST(25, a0, 1, li a1, 5; li a2, 3; and a0, a1, a2)
        # 32-bit operations sign-extend their results
        TEST(26, a0, 0xffffffff80000000, li a1, 0x7fffffff; addiw a0, a1, 1)
        TEST(27, a0, 0, li a1, 0xffffffff00000000; addiw a0, a1, 0)
        TEST(28, a0, 0xffffffff80000000, li a1, 1; slliw a0, a1, 31)
        TEST(29, a0, 1, li a1, 0xffffffff80000000; srliw a0, a1, 31)
        TEST(30, a0, -1, li a1, 0x80000000; sraiw a0, a1, 31)
        TEST(31, a0, 0xffffffff80000000, li a1, 0x7fffffff; li a2, 1; addw a0, a1, a2)
        TEST(32, a0, 0x7fffffff, li a1, 0x80000000; li a2, 1; subw a0, a1, a2)
        TEST(33, a0, 0xffffffff80000000, li a1, 1; li a2, 63; sllw a0, a1, a2)   # mod 32
        TEST(34, a0, 0x7fffffff, li a1, -1; li a2, 33; srlw a0, a1, a2)
        TEST(35, a0, -2, li a1, 0xfffffffc; li a2, 1; sraw a0, a1, a2)
        TEST(36, a0, 0x12345000, lui a0, 0x12345)
        TEST(37, a0, 0xfffffffff0000000, lui a0, 0xf0000)
        TEST(38, a0, 0, la a1, 1f; 1: auipc a0, 0; sub a0, a0, a1)
        # jal/jalr link and target
        li gp, 39
        jal a0, 1f
2:      j fail
1:      la a1, 2b
        CHECKR(a0, a1)
        li gp, 40
        la a1, 1f
        jalr a2, 1(a1)          # jalr clears bit 0 of the target
4:      j fail
1:      la a3, 4b
        CHECKR(a2, a3)
        li gp, 41
        la a1, 3f
        jalr a1, 0(a1)          # rd == rs1: target uses the old value
3:      la a3, 3b
        CHECKR(a1, a3)
        # branches: taken and not taken, signed and unsigned
        li gp, 42
        li a1, -1
        li a2, 1
        beq a1, a2, fail
        bne a1, a1, fail
        blt a2, a1, fail
        bge a1, a2, fail
        bltu a1, a2, fail
        bgeu a2, a1, fail
        beq a1, a1, 1f
        j fail
1:      bne a1, a2, 1f
        j fail
1:      blt a1, a2, 1f
        j fail
1:      bge a2, a1, 1f
        j fail
1:      bge a1, a1, 1f
        j fail
1:      bltu a2, a1, 1f
        j fail
1:      bgeu a1, a2, 1f
        j fail
1:      bgeu a1, a1, 1f
        j fail
1:      # backward branch loop
        li gp, 43
        li a1, 10
        li a0, 0
1:      addi a0, a0, 2
        addi a1, a1, -1
        bnez a1, 1b
        CHECK(a0, 20)
        # writes to x0 are discarded
        TEST(44, zero, 0, li zero, 5; addi zero, zero, 1)
        TEST(45, a0, 0, addi zero, zero, 7; mv a0, zero)
        # fence and fence.i are accepted
        fence
        fence rw, rw
        fence.i
        j pass
TEST_END
