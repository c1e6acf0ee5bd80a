# smc.S: self-modifying code. Stores to a page the hart has executed from
# drop its decoded instructions, so after fence.i the new code runs: for
# 32-bit and compressed instructions, for a store to the very page being
# executed, through AMOs, and through a virtual alias of the page.
#include "test.h"
TEST_BEGIN
        # patch a 32-bit instruction in a function that already ran
        li gp, 2
        jal ra, patchme
        CHECK(a0, 1)
        la a1, patchme
        lw a2, new_insn
        sw a2, 0(a1)
        fence.i
        jal ra, patchme
        CHECK(a0, 2)
        # patch a compressed instruction (c.li a0, 1 -> c.li a0, 7)
        li gp, 3
        jal ra, cpatch
        CHECK(a0, 1)
        la a1, cpatch
        lhu a2, new_cinsn
        sh a2, 0(a1)
        fence.i
        jal ra, cpatch
        CHECK(a0, 7)
        # patch the next instruction on the page we are running on
        li gp, 4
        la a1, 1f
        lw a2, new_insn2
        sw a2, 0(a1)
        fence.i
        .option push
        .option norvc
1:      li a0, 0                # becomes li a0, 3
        .option pop
        CHECK(a0, 3)
        # an AMO rewrites an instruction
        li gp, 5
        jal ra, apatch
        CHECK(a0, 1)
        la a1, apatch
        lw a2, new_insn3        # li a0, 5
        lw a3, 0(a1)
        xor a2, a2, a3
        amoxor.w zero, a2, (a1)
        fence.i
        jal ra, apatch
        CHECK(a0, 5)
        # a loop that patches its own body each iteration
        li gp, 6
        li s0, 0                # sum
        li s1, 4                # iterations
        la s2, loopbody
2:
loopbody:
        .option push
        .option norvc
        addi s0, s0, 1          # immediate rewritten below
        .option pop
        lw a2, 0(s2)
        li a3, 1 << 20          # imm += 1
        add a2, a2, a3
        sw a2, 0(s2)
        fence.i
        addi s1, s1, -1
        bnez s1, 2b
        CHECK(s0, 1 + 2 + 3 + 4)
        # a misaligned store that straddles two instructions
        li gp, 7
        jal ra, mpatch
        CHECK(a0, 0x11)
        la a1, mpatch
        lw a2, new_insn4        # li a0, 0x22 (addi a0, zero, 0x22)
        srli a3, a2, 16
        sh a3, 2(a1)            # upper half only: the immediate field
        fence.i
        jal ra, mpatch
        CHECK(a0, 0x22)
        j pass

        .balign 4               # (before norvc: padding may need a c.nop)
        .option push
        .option norvc
patchme:
        li a0, 1
        ret
        .balign 4
apatch:
        li a0, 1
        ret
mpatch:
        li a0, 0x11
        ret
        .option pop
cpatch:
        c.li a0, 1
        ret
        .option push
        .option norvc
new_insn:  li a0, 2
new_insn2: li a0, 3
new_insn3: li a0, 5
new_insn4: li a0, 0x22
        .option pop
new_cinsn: c.li a0, 7
        .align 2
TEST_END
