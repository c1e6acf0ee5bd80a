# trap.S: exceptions and interrupts: causes, epc and tval, delegation to
# S-mode, xRET stack behaviour, TSR/TW, vectored mode and priorities.
#include "test.h"
#define SR_CAUSE  16
#define SR_TVAL   24
#define SR_EPC    32
#define SR_COUNT  40
#define SR_STATUS 48
#define S_RESET   la t6, s_record; sd zero, SR_COUNT(t6)
#define S_CHECK(c)                                          \
        la t6, s_record;                                    \
        ld t5, SR_COUNT(t6); li t4, 1; bne t5, t4, fail;    \
        ld t5, SR_CAUSE(t6); li t4, c; bne t5, t4, fail
#define CHECK_PRIV(p)   la t6, trap_record; ld t5, TR_PRIV(t6); li t4, p; bne t5, t4, fail
#define MCAUSE_INT(n)   (0x8000000000000000 | n)
TEST_BEGIN
        la a0, s_handler
        csrw stvec, a0
        la a0, s_record
        csrw sscratch, a0
        # ecall from each mode
        li gp, 2
        TRAP_RESET
1:      ecall
        CHECK_TRAP(11)
        CHECK_EPC(1b)
        CHECK_TVAL(0)
        CHECK_PRIV(3)
        li gp, 3
        GOTO_S
        TRAP_RESET
1:      ecall
        CHECK_TRAP(9)
        CHECK_EPC(1b)
        CHECK_PRIV(1)
        li gp, 4
        GOTO_U
        TRAP_RESET
1:      ecall
        CHECK_TRAP(8)
        CHECK_EPC(1b)
        CHECK_PRIV(0)
        # ebreak: mtval is the pc
        li gp, 5
        TRAP_RESET
1:      ebreak
        CHECK_TRAP(3)
        CHECK_EPC(1b)
        la a1, 1b
        IMPL(CHECK_TVALR(a1))
        # illegal instructions: mtval holds the instruction bits
        TEST_TRAP(6, 2, .word 0xffffffff)
        CHECK_TVAL(0xffffffff)
        TEST_TRAP(7, 2, .word 0x0000007b)       # custom-3 opcode
        CHECK_TVAL(0x7b)
        TEST_TRAP(8, 2, .word 0x00100073 | (1 << 7))   # ebreak with rd != 0
        TEST_TRAP(9, 2, .word 0x30200073 | (1 << 15))  # mret with rs1 != 0
        TEST_TRAP(10, 2, .word 0xf800302f)      # AMO with a reserved funct5
        # mstatus on trap entry: MPIE = MIE, MIE = 0, MPP = previous mode;
        # mret then restores MIE from MPIE and sets MPIE
        li gp, 11
        la a1, chk11
        csrw mtvec, a1
        csrsi mstatus, 8                        # MIE = 1 (nothing enabled in mie)
        ecall
        la a1, trap_handler
        csrw mtvec, a1
        li a1, 0x1888                           # MPP, MPIE, MIE
        and a0, s6, a1
        CHECK(a0, 0x1880)
        csrr a0, mstatus
        and a0, a0, a1
        CHECK(a0, 0x0088)                       # MPP = U after mret
        csrci mstatus, 8
        # mret: MPP -> U, and MPRV cleared when leaving M
        li gp, 12
        li a1, (1 << 17)
        csrs mstatus, a1                        # MPRV (satp is Bare: no effect)
        GOTO_S
        GOTO_M
        csrr a0, mstatus
        li a1, 1 << 17
        and a0, a0, a1
        IMPL(CHECK(a0, 0))                      # (QEMU 7.2 keeps MPRV)
        li a1, 1 << 17
        csrc mstatus, a1
        li gp, 13                               # mret to M keeps MPRV and sets MPP = U
        li a1, (1 << 17) | MSTATUS_MPP_M
        csrs mstatus, a1
        la a1, 1f
        csrw mepc, a1
        mret
1:      csrr a0, mstatus
        li a1, (1 << 17) | MSTATUS_MPP_M
        and a0, a0, a1
        CHECK(a0, 1 << 17)
        li a1, 1 << 17
        csrc mstatus, a1
        # delegation: U ecall handled in S
        li gp, 14
        li a1, 1 << 8
        csrw medeleg, a1
        la s11, 2f
        S_RESET
        GOTO_U
1:      ecall
        j fail
2:      S_CHECK(8)
        la s9, s_record
        ld a0, SR_EPC(s9)
        la a1, 1b
        CHECKR(a0, a1)
        ld a0, SR_TVAL(s9)
        CHECK(a0, 0)
        ld a0, SR_STATUS(s9)                    # SPP = U
        andi a0, a0, 1 << 8
        CHECK(a0, 0)
        li gp, 15                               # M-mode exceptions are never delegated
        li a1, -1
        csrw medeleg, a1
        TRAP_RESET
        ecall
        CHECK_TRAP(11)
        li gp, 16                               # S ecall is not delegated here (bit 9 clear)
        li a1, 1 << 2                           # delegate illegal instruction
        csrw medeleg, a1
        la s11, 2f
        S_RESET
        GOTO_S
        .word 0xffffffff
        j fail
2:      S_CHECK(2)
        la s9, s_record
        ld a0, SR_TVAL(s9)
        CHECK(a0, 0xffffffff)
        ld a0, SR_STATUS(s9)                    # SPP = S
        andi a0, a0, 1 << 8
        CHECK(a0, 1 << 8)
        csrw medeleg, zero
        # sret: SIE = SPIE, SPIE = 1, SPP = U, MPRV cleared
        li gp, 17
        li a1, (1 << 5) | (1 << 8)              # SPIE, SPP = S
        csrs mstatus, a1
        li a1, 1 << 17
        csrs mstatus, a1
        la a1, 1f
        csrw sepc, a1
        sret                                    # from M: allowed, goes to S
1:      GOTO_M
        csrr a0, mstatus
        li a1, (1 << 1) | (1 << 5) | (1 << 8)
        and a0, a0, a1
        CHECK(a0, (1 << 1) | (1 << 5))
        csrr a0, mstatus
        li a1, 1 << 17
        and a0, a0, a1
        IMPL(CHECK(a0, 0))                      # (QEMU 7.2 keeps MPRV)
        li a1, 1 << 17
        csrc mstatus, a1
        la t6, trap_record                      # and we were in S-mode
        ld a0, TR_CAUSE(t6)
        CHECK(a0, 9)
        li a1, 2
        csrc mstatus, a1
        # privileged returns and wfi from lower modes
        GOTO_U
        TEST_TRAP(18, 2, sret)
        TEST_TRAP(19, 2, mret)
        TEST_TRAP(20, 2, wfi)
        TEST_TRAP(21, 2, sfence.vma)
        GOTO_M
        GOTO_S
        TEST_TRAP(22, 2, mret)
        CHECK_TVAL(0x30200073)
        GOTO_M
        li a1, 1 << 22                          # TSR
        csrs mstatus, a1
        GOTO_S
        TEST_TRAP(23, 2, sret)
        GOTO_M
        li a1, 1 << 22
        csrc mstatus, a1
        li a1, 1 << 21                          # TW
        csrs mstatus, a1
        GOTO_S
        TEST_TRAP(24, 2, wfi)
        GOTO_M
        li gp, 25                               # TW does not affect M; wfi with a
        TRAP_RESET                              # pending (disabled) interrupt goes on
        csrci mstatus, 8                        # (the xRETs above left MIE = 1)
        csrwi mip, 2
        csrwi mie, 2
        wfi
        CHECK_NOTRAP
        csrwi mie, 0
        csrwi mip, 0
        li a1, 1 << 21
        csrc mstatus, a1
        # interrupts in M-mode: taken only with MIE, after the enabling write
        li gp, 26
        TRAP_RESET
        csrwi mip, 2                            # SSIP
        csrwi mie, 2
        CHECK_NOTRAP
        csrsi mstatus, 8
1:      csrci mstatus, 8                        # the interrupt comes before this
        CHECK_TRAP(MCAUSE_INT(1))
        CHECK_EPC(1b)
        CHECK_TVAL(0)
        csrwi mip, 0
#ifndef QEMU /* QEMU 7.2 without AIA takes the lowest-numbered interrupt first */
        li gp, 27                               # priority: SEI > SSI > STI
        TRAP_RESET
        li a1, 0x222
        csrw mip, a1
        csrw mie, a1
        csrsi mstatus, 8
        csrci mstatus, 8
        CHECK_TRAP(MCAUSE_INT(9))
        li gp, 28
        TRAP_RESET
        li a1, 0x22
        csrw mip, a1
        csrw mie, a1
        csrsi mstatus, 8
        csrci mstatus, 8
        CHECK_TRAP(MCAUSE_INT(1))
        li gp, 29
        TRAP_RESET
        li a1, 0x20
        csrw mip, a1
        csrw mie, a1
        csrsi mstatus, 8
        csrci mstatus, 8
        CHECK_TRAP(MCAUSE_INT(5))
#endif
        csrw mip, zero
        # M-level interrupts are taken in S-mode even with MIE = 0
        li gp, 30
        TRAP_RESET
        li a1, 0x200                            # SEIP, not delegated
        csrw mip, a1
        csrw mie, a1
        CHECK_NOTRAP                            # MIE = 0 in M
        GOTO_S                                  # taken on arrival in S
        la t6, trap_record
        ld s6, TR_COUNT(t6)
        ld s7, TR_CAUSE(t6)
        ld s8, TR_PRIV(t6)
        GOTO_M
        CHECK(s6, 1)
        CHECK(s7, MCAUSE_INT(9))
        CHECK(s8, 1)
        csrw mip, zero
        # delegated interrupts go to S: taken in U always, in S only with SIE
        li gp, 31
        la a1, s_record
        csrw sscratch, a1
        li a1, 2
        csrw mideleg, a1
        csrw mie, a1
        S_RESET
        GOTO_S
        csrsi sip, 2                            # SSIP, delegated: S may set it
        csrr a0, sip
        CHECK(a0, 2)
        la s9, s_record
        ld a0, SR_COUNT(s9)
        CHECK(a0, 0)                            # SIE = 0: not taken in S
        csrsi sstatus, 2
1:      nop                                     # taken here
        la s9, s_record
        ld a0, SR_COUNT(s9)
        CHECK(a0, 1)
        ld a0, SR_CAUSE(s9)
        CHECK(a0, MCAUSE_INT(1))
        ld a0, SR_EPC(s9)
        la a1, 1b
        CHECKR(a0, a1)
        csrci sstatus, 2
        csrci sip, 2
        GOTO_M
        li gp, 32                               # in M, delegated interrupts wait
        TRAP_RESET
        S_RESET
        li a1, 2
        csrw mie, a1
        csrs mip, a1
        csrsi mstatus, 8
        csrci mstatus, 8
        CHECK_NOTRAP
        li gp, 33                               # in U they are taken with SIE = 0
        GOTO_U
1:      nop
        GOTO_M
        la s9, s_record
        ld a0, SR_COUNT(s9)
        CHECK(a0, 1)
        csrw mip, zero
        csrw mideleg, zero
        # vectored mode: interrupts go to base + 4 * cause, exceptions to base
        li gp, 34
        la a1, vectors
        ori a1, a1, 1
        csrw mtvec, a1
        li s5, 0
        csrwi mip, 2
        csrwi mie, 2
        csrsi mstatus, 8
        nop
        CHECK(s5, 1)
        la a1, vectors
        ori a1, a1, 1
        csrw mtvec, a1
        li s5, 0
        ecall
        CHECK(s5, 100)
        la a1, trap_handler
        csrw mtvec, a1
        csrw mip, zero
        csrw mie, zero
        j pass

        .align 2
chk11:  csrr s6, mstatus
        csrr a1, mepc
        addi a1, a1, 4
        csrw mepc, a1
        mret

        .align 6
vectors:
        .option push
        .option norvc
        j vec_exc
        j vec_ssi
        j fail
        j fail
        j fail
        .option pop
vec_ssi:
        li s5, 1
        csrw mie, zero
        csrci mstatus, 8
        la a1, trap_handler
        csrw mtvec, a1
        mret
vec_exc:
        li s5, 100
        csrr a1, mepc
        addi a1, a1, 4
        csrw mepc, a1
        mret

        # S-mode handler: records the trap; for an interrupt it clears sie
        # and returns; for an exception it goes back to M-mode (ecall) and
        # continues at s11.
        .align 2
s_handler:
        csrrw t0, sscratch, t0
        sd t1, 0(t0)
        csrr t1, scause
        sd t1, SR_CAUSE(t0)
        csrr t1, stval
        sd t1, SR_TVAL(t0)
        csrr t1, sepc
        sd t1, SR_EPC(t0)
        ld t1, SR_COUNT(t0)
        addi t1, t1, 1
        sd t1, SR_COUNT(t0)
        csrr t1, sstatus
        sd t1, SR_STATUS(t0)
        csrr t1, scause
        bgez t1, 1f
        csrw sie, zero
        ld t1, 0(t0)
        csrrw t0, sscratch, t0
        sret
1:      ld t1, 0(t0)
        csrrw t0, sscratch, t0
        ecall
        jr s11
TEST_END
        .data
        .align 6
s_record: .fill 8, 8, 0
