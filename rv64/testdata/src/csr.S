# csr.S: Zicsr semantics and the CSRs' writable masks, read-only checks,
# privilege checks and counter visibility.
#include "test.h"
#define ILLEGAL(n, code...) TEST_TRAP(n, 2, code)
TEST_BEGIN
        # identification registers
        IMPL(TEST(2, a0, 0x800000000014112d, csrr a0, misa))
        IMPL(TEST(3, a0, 0x800000000014112d, li a1, 0; csrw misa, a1; csrr a0, misa))   # writes ignored
        TEST(4, a0, 0, csrr a0, mvendorid)
        IMPL(TEST(5, a0, 0, csrr a0, marchid))
        IMPL(TEST(6, a0, 0, csrr a0, mimpid))
        TEST(7, a0, 0, csrr a0, mhartid)
        TEST(8, a0, 0, csrr a0, 0xf15)          # mconfigptr
        ILLEGAL(9, csrw mhartid, zero)          # read-only range
        CHECK_TVAL(0xf1401073)
        ILLEGAL(10, csrrw a0, cycle, x0)
        ILLEGAL(11, csrrsi a0, mvendorid, 1)
        # reading read-only CSRs never writes: no trap
        li gp, 12
        TRAP_RESET
        csrrs x0, cycle, x0
        csrrc x0, instret, x0
        csrrsi x0, mhartid, 0
        csrrci x0, mimpid, 0
        CHECK_NOTRAP
        # unimplemented CSRs
        ILLEGAL(13, csrr a0, 0x3a1)             # pmpcfg1 does not exist on RV64
        ILLEGAL(14, csrr a0, 0x7b0)             # dcsr: debug mode only
        ILLEGAL(15, csrr a0, 0x5c0)
        ILLEGAL(16, csrw 0x800, a0)
        # the six CSR instructions
        TEST(17, a0, 0, csrw sscratch, zero; csrrwi a0, sscratch, 0xf)
        TEST(18, a0, 0x1f, csrrsi x0, sscratch, 0x10; csrr a0, sscratch)
        TEST(19, a0, 0x1c, csrrci a1, sscratch, 3; csrr a0, sscratch; CHECK(a1, 0x1f))
        TEST(20, a0, 0xff1c, li a1, 0xff00; csrrs a2, sscratch, a1; csrr a0, sscratch; CHECK(a2, 0x1c))
        TEST(21, a0, 0xf000, li a1, 0x0f1c; csrrc a2, sscratch, a1; csrr a0, sscratch)
        TEST(22, a0, 0x1234, li a1, 0x1234; csrrw a1, sscratch, a1; csrr a0, sscratch; CHECK(a1, 0xf000))
        li gp, 86                               # mscratch (the trap handler's pointer)
        li a1, 0x5555
        csrrw s1, mscratch, a1
        csrr a0, mscratch
        csrw mscratch, s1
        CHECK(a0, 0x5555)
        # mstatus
        TEST(23, a0, 0xa00000000, csrr a0, mstatus; li a1, 0xf00000000; and a0, a0, a1)  # UXL = SXL = 2
        TEST(24, a0, 0x200000000, csrr a0, sstatus; li a1, 0xf00000000; and a0, a0, a1)  # UXL only
#ifndef QEMU /* QEMU 7.2 stores the reserved MPP value 2 */
        li gp, 25                               # MPP: 2 is reserved, the old value stays
        li a1, 3 << 11
        csrc mstatus, a1
        li a1, 1 << 11
        csrs mstatus, a1
        li a1, 3 << 11
        csrc mstatus, a1
        li a1, 2 << 11
        csrs mstatus, a1                        # 0 -> 2 (reserved): stays 0
        csrr a0, mstatus
        srli a0, a0, 11
        andi a0, a0, 3
        CHECK(a0, 0)
        li a1, 3 << 11
        csrs mstatus, a1
        csrr a0, mstatus
        srli a0, a0, 11
        andi a0, a0, 3
        CHECK(a0, 3)
#endif
        li gp, 26                               # sstatus writes only S fields
        csrr s1, mstatus
        li a1, -1
        csrs sstatus, a1
        csrr a0, mstatus
        xor a0, a0, s1
        li a1, (1 << 1) | (1 << 5) | (1 << 8) | (3 << 13) | (1 << 18) | (1 << 19)
        li a2, (3 << 13)
        and a3, s1, a2
        beq a3, a2, 1f                          # FS already Dirty: it does not change
        j 2f
1:      xor a1, a1, a2
2:      IMPL(CHECKR(a0, a1))                    # (QEMU 7.2 lets VS and UXL change)
        csrw mstatus, s1
        li gp, 27                               # sstatus hides M fields
        li a1, (1 << 3) | (1 << 7) | (1 << 17) | (1 << 20) | (1 << 21) | (1 << 22)
        csrs mstatus, a1
        csrr a0, sstatus
        and a0, a0, a1
        CHECK(a0, 0)
        csrw mstatus, s1
        # delegation and interrupt enable masks
        IMPL(TEST(28, a0, 0xb3ff, li a1, -1; csrw medeleg, a1; csrr a0, medeleg)) # (QEMU: 0xf0bfff)
        csrw medeleg, zero
        IMPL(TEST(29, a0, 0x222, li a1, -1; csrw mideleg, a1; csrr a0, mideleg))
        li a1, 0x222
        csrw mideleg, a1
        IMPL(TEST(30, a0, 0xaaa, li a1, -1; csrw mie, a1; csrr a0, mie))
        li a1, 0xaaa
        csrw mie, a1
        TEST(31, a0, 0x222, csrr a0, sie)
        TEST(32, a0, 0x888, li a1, 0x222; csrc sie, a1; csrr a0, mie)
        TEST(33, a0, 0, csrw mideleg, zero; csrr a0, sie)
        TEST(34, a0, 0x888, li a1, -1; csrs sie, a1; csrr a0, mie)  # nothing delegated: no effect
        csrw mie, zero
        IMPL(TEST(35, a0, 0x222, li a1, -1; csrw mip, a1; csrr a0, mip))  # SSIP STIP SEIP
        csrw mip, zero
        # (mip reads are masked to the software bits: a board may drive MTIP)
        TEST(36, a0, 0, li a1, -1; csrw sip, a1; csrr a0, mip; andi a0, a0, 0x222)  # SSIP not delegated
        TEST(37, a0, 2, li a1, 2; csrw mideleg, a1; li a1, -1; csrw sip, a1; csrr a0, sip)
        TEST(38, a0, 0, csrw sip, zero; csrw mideleg, zero; csrr a0, mip; andi a0, a0, 0x222)
        # trap vectors and epc
        TEST(39, a0, 0x80001001, li a1, 0x80001001; csrw stvec, a1; li a1, 0x80001003; csrw stvec, a1; csrr a0, stvec)  # reserved mode: ignored
        TEST(40, a0, 0x80001000, li a1, 0x80001000; csrw stvec, a1; csrr a0, stvec)
        IMPL(TEST(41, a0, 0x1234, li a1, 0x1235; csrw mepc, a1; csrr a0, mepc))  # (QEMU 7.2 keeps bit 0)
        IMPL(TEST(42, a0, 0x1234, li a1, 0x1235; csrw sepc, a1; csrr a0, sepc))
        TEST(43, a0, 0x8000000000000005, li a1, 0x8000000000000005; csrw mcause, a1; csrr a0, mcause)
        TEST(44, a0, 77, li a1, 77; csrw stval, a1; csrr a0, stval)
        # counters
        IMPL(TEST(45, a0, 0xffffffff, li a1, -1; csrw mcounteren, a1; csrr a0, mcounteren))
        IMPL(TEST(46, a0, 0xffffffff, li a1, -1; csrw scounteren, a1; csrr a0, scounteren))
#ifndef QEMU /* QEMU 7.2 (without icount) does not count exactly */
        li gp, 47
        csrr a1, instret
        csrr a2, instret
        sub a0, a2, a1
        CHECK(a0, 1)
        csrr a1, cycle
        nop
        csrr a2, cycle
        sub a0, a2, a1
        CHECK(a0, 2)
        li gp, 48                               # minstret/mcycle writes
        li a1, 1000
        csrw minstret, a1
        csrr a0, minstret
        csrr a2, instret
        CHECK(a0, 1000)
        CHECK(a2, 1001)
        csrw mcycle, a1
        csrr a0, cycle
        CHECK(a0, 1000)
#endif
        csrr a1, time
        csrr a2, time
        bltu a2, a1, fail
        TEST(49, a0, 0, csrr a0, hpmcounter3)
        TEST(50, a0, 0, csrr a0, hpmcounter31)
        IMPL(TEST(51, a0, 0, li a1, 5; csrw mhpmcounter3, a1; csrr a0, mhpmcounter3))
        IMPL(TEST(52, a0, 0, li a1, 5; csrw mhpmevent3, a1; csrr a0, mhpmevent3))
        TEST(53, a0, 5, li a1, 5; csrw mcountinhibit, a1; csrr a0, mcountinhibit; csrw mcountinhibit, zero)
        # no triggers
        TEST(54, a0, 0, csrw tselect, zero; csrr a0, tselect)
        IMPL(TEST(55, a0, 0, csrr a0, tdata1))     # (QEMU has triggers)
        # PMP registers hold their values; locked entries do not change
        IMPL(TEST(56, a0, 0x003fffffffffffff, li a1, -1; csrw pmpaddr0, a1; csrr a0, pmpaddr0))
        IMPL(TEST(57, a0, 0x1234, li a1, 0x1234; csrw pmpaddr63, a1; csrr a0, pmpaddr63))
        TEST(58, a0, 0x1f, li a1, 0x1f; csrw pmpcfg0, a1; csrr a0, pmpcfg0)
        IMPL(TEST(59, a0, 0x0f00, li a1, 0x0f00; csrw pmpcfg14, a1; csrr a0, pmpcfg14))
        TEST(60, a0, 0x99, li a1, 0x99; csrw pmpcfg2, a1; li a1, 0; csrw pmpcfg2, a1; csrr a0, pmpcfg2)  # L=1
        TEST(61, a0, 0, li a1, 5; csrw pmpaddr8, a1; csrr a0, pmpaddr8)     # entry 8 locked
        # envcfg and Sstc
        IMPL(TEST(62, a0, 0x8000000000000001, li a1, -1; csrw menvcfg, a1; csrr a0, menvcfg))
        IMPL(TEST(63, a0, 1, li a1, -1; csrw senvcfg, a1; csrr a0, senvcfg))
        li a1, 0x8000000000000001
        csrw menvcfg, a1
#ifndef QEMU /* QEMU's spike board has no time source for Sstc */
        TEST(64, a0, 0x1234, li a1, 0x1234; csrw stimecmp, a1; csrr a0, stimecmp)
        li a1, -1
        csrw stimecmp, a1
#endif
        csrw menvcfg, zero
        # satp: unsupported modes are ignored
        IMPL(TEST(65, a0, 0, li a1, 0x9000000000000001; csrw satp, a1; csrr a0, satp))  # Sv48: not here
        TEST(66, a0, 0x8000ffff00012345, li a1, 0x8000ffff00012345; csrw satp, a1; csrr a0, satp)
        csrw satp, zero
        # S-mode: M CSRs are illegal; S CSRs work
        li a1, 0x7
        csrw mcounteren, a1
        csrw scounteren, zero
        GOTO_S
        ILLEGAL(67, csrr a0, mstatus)
        ILLEGAL(68, csrr a0, mscratch)
        TEST(69, a0, 42, li a1, 42; csrw sscratch, a1; csrr a0, sscratch)
        li gp, 70                               # counters visible through mcounteren
        TRAP_RESET
        csrr a0, cycle
        IMPL(csrr a0, time)
        csrr a0, instret
        CHECK_NOTRAP
        ILLEGAL(71, csrr a0, hpmcounter3)
        GOTO_M
        csrw mcounteren, zero
        GOTO_S
        ILLEGAL(72, csrr a0, cycle)
        ILLEGAL(73, csrr a0, time)
        ILLEGAL(74, csrr a0, instret)
        ILLEGAL(75, csrr a0, stimecmp)          # STCE off
        GOTO_M
        # U-mode needs both mcounteren and scounteren
        li a1, 5
        csrw mcounteren, a1
        csrw scounteren, a1
        GOTO_U
        ILLEGAL(76, csrr a0, sscratch)
        ILLEGAL(77, csrr a0, time)
        TEST(78, x0, 0, csrr a0, cycle; csrr a0, instret)
        GOTO_M
        csrw scounteren, zero
        GOTO_U
        ILLEGAL(79, csrr a0, cycle)
        GOTO_M
        # satp and sfence.vma under TVM; stimecmp needs STCE and mcounteren.TM
        li a1, 1 << 20
        csrs mstatus, a1
        GOTO_S
        ILLEGAL(80, csrr a0, satp)
        ILLEGAL(81, sfence.vma)
        GOTO_M
        li a1, 1 << 20
        csrc mstatus, a1
        li a1, 0x8000000000000000
        csrw menvcfg, a1
        li a1, 2
        csrw mcounteren, a1
        GOTO_S
        TEST(82, a0, 0, csrr a0, satp; sfence.vma; li a0, 0)
        IMPL(TEST(83, a0, 77, li a1, 77; csrw stimecmp, a1; csrr a0, stimecmp))
        GOTO_M
        csrw menvcfg, zero
        j pass
TEST_END
