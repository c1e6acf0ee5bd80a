# vm.S: Sv39 translation: 4 KiB pages, 2 MiB and 1 GiB superpages and
# their alignment faults, U/SUM/MXR rules, hardware A/D updates, page-fault
# causes and tval, non-canonical addresses, page-crossing accesses,
# sfence.vma, and MPRV.
#
# Map (built at run time in M-mode):
#   VA 0x80000000 (1 GiB)  -> PA 0x80000000, RWX, supervisor: S-mode code
#   VA 0xC0000000 (1 GiB)  -> PA 0x80000000, RWX, user: U-mode code (alias)
#   VA 0x40000000 (1 GiB)  -> misaligned gigapage (fault)
#   VA 0x00200000 (2 MiB)  -> PA 0x80200000, RW, supervisor
#   VA 0x00400000 (2 MiB)  -> misaligned megapage (fault)
#   VA 0x1000 pg_a RW U (A, D clear)   VA 0x2000 pg_a R U
#   VA 0x3000 pg_a X U                 VA 0x4000 pg_a RW supervisor
#   VA 0x5000 invalid                  VA 0x7000 W-only (reserved)
#   VA 0x8000 pg_b RW U, 0x9000 pg_a RW U (adjacent pages, different frames)
#   VA 0xa000 non-leaf at the last level (fault)
#
# vm_handler (mtvec) records the trap, then: ecall -> continue in M-mode
# at s11; anything else -> continue in the trapping mode at s10. A trap
# from M-mode also clears MPRV.
#include "test.h"
#define ALIAS 0x40000000
#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define A 64
#define D 128
#define PTE(tbl, idx, target, flags)                            \
        la a0, target; srli a0, a0, 12; slli a0, a0, 10;        \
        ori a0, a0, flags; la a1, tbl; li a2, (idx) * 8;        \
        add a1, a1, a2; sd a0, 0(a1)
#define PTEPA(tbl, idx, pa, flags)                              \
        li a0, pa; srli a0, a0, 12; slli a0, a0, 10;            \
        ori a0, a0, flags; la a1, tbl; li a2, (idx) * 8;        \
        add a1, a1, a2; sd a0, 0(a1)
/* Expect the access in code to fault with cause c and tval v, then go on. */
#define FAULT(n, c, v, code...)                                 \
        li gp, n; TRAP_RESET; la s10, 1f; code; j fail; 1:      \
        CHECK_TRAP(c); CHECK_TVAL(v)
/* Same, from U-mode code running in the alias (la is pc-relative, so
   labels already resolve to alias addresses there). */
#define UFAULT(n, c, v, code...)  FAULT(n, c, v, code)
#define TO_S   li t0, MSTATUS_MPP_M; csrc mstatus, t0; li t0, MSTATUS_MPP_S; \
               csrs mstatus, t0; la t0, 1f; csrw mepc, t0; mret; 1:
#define TO_U   li t0, MSTATUS_MPP_M; csrc mstatus, t0;                    \
               la t0, 1f; li t1, ALIAS; add t0, t0, t1; csrw mepc, t0; mret; 1:
#define TO_M   la s11, 1f; ecall; 1:
#define U_TO_M la s11, 1f; li t6, ALIAS; sub s11, s11, t6; ecall; 1:
#define PTE_OF(r, tbl, idx)  la r, tbl; ld r, (idx) * 8(r)

TEST_BEGIN
        la a0, vm_handler
        csrw mtvec, a0
        # page tables
        PTEPA(root, 2, 0x80000000, V|R|W|X|A|D)
        PTEPA(root, 3, 0x80000000, V|R|W|X|U|A|D)
        PTEPA(root, 1, 0x80200000, V|R|W|A|D)          # misaligned gigapage
        PTE(root, 0, l1, V)
        PTEPA(l1, 1, 0x80200000, V|R|W|A|D)
        PTEPA(l1, 2, 0x80201000, V|R|W|A|D)            # misaligned megapage
        PTE(l1, 0, l0, V)
        PTE(l0, 1, pg_a, V|R|W|U)
        PTE(l0, 2, pg_a, V|R|U|A)
        PTE(l0, 3, pg_a, V|X|U|A)
        PTE(l0, 4, pg_a, V|R|W|A|D)
        PTE(l0, 7, pg_a, V|W|A|D)
        PTE(l0, 8, pg_b, V|R|W|U|A|D)
        PTE(l0, 9, pg_a, V|R|W|U|A|D)
        PTE(l0, 10, pg_b, V)
        la a0, pg_a
        li a1, 0x1111111111111111
        sd a1, 0(a0)
        sd a1, 0x100(a0)
        la a0, pg_b
        li a1, 0x2222222222222222
        sd a1, 0(a0)
        sd a1, 0x100(a0)
        li a0, 0x80200000 + 0x1230
        li a1, 0x3333
        sd a1, 0(a0)
        la a0, root
        srli a0, a0, 12
        li a1, 8 << 60
        or a0, a0, a1
        csrw satp, a0
        sfence.vma

        # S-mode
        TO_S
        TEST(2, a0, 0x1111111111111111, li a1, 0x4000; ld a0, 0(a1))
        FAULT(3, 13, 0x1008, li a1, 0x1008; ld a0, 0(a1))         # U page, SUM = 0
        FAULT(4, 15, 0x1010, li a1, 0x1010; sd a1, 0(a1))
        li gp, 5                                                   # no A/D set by faults
        PTE_OF(a0, l0, 1)
        andi a0, a0, A | D
        CHECK(a0, 0)
        li a1, 1 << 18                                             # SUM
        csrs sstatus, a1
        TEST(6, a0, 0x1111111111111111, li a1, 0x1000; ld a0, 0(a1))
        li gp, 7                                                   # the load set A only
        PTE_OF(a0, l0, 1)
        andi a0, a0, A | D
        CHECK(a0, A)
        TEST(8, a0, 0x55, li a1, 0x1000; li a2, 0x55; sb a2, 8(a1); lbu a0, 8(a1))
        li gp, 9                                                   # the store set D
        PTE_OF(a0, l0, 1)
        andi a0, a0, A | D
        CHECK(a0, A | D)
        li a1, 1 << 18
        csrc sstatus, a1
        li a1, 1 << 18
        csrs sstatus, a1
        FAULT(10, 15, 0x2000, li a1, 0x2000; sd a1, 0(a1))        # read-only page
        li gp, 10
        PTE_OF(a0, l0, 2)
        andi a0, a0, D
        CHECK(a0, 0)
        li a1, 1 << 18
        csrc sstatus, a1
        FAULT(11, 13, 0x3000, li a1, 0x3000; ld a0, 0(a1))        # X only, U page
        li a1, (1 << 18) | (1 << 19)                               # SUM + MXR
        csrs sstatus, a1
        TEST(12, a0, 0x1111111111111111, li a1, 0x3000; ld a0, 0(a1))
        li a1, (1 << 18) | (1 << 19)
        csrc sstatus, a1
        FAULT(13, 13, 0x5000, li a1, 0x5000; ld a0, 0(a1))        # invalid
        FAULT(14, 13, 0x7000, li a1, 0x7000; ld a0, 0(a1))        # W without R
        FAULT(15, 13, 0xa000, li a1, 0xa000; ld a0, 0(a1))        # non-leaf at level 0
        IMPL(FAULT(16, 15, 0x5008, li a1, 0x5008; amoadd.d a0, a1, (a1)))
        FAULT(17, 13, 0x5000, li a1, 0x5000; lr.d a0, (a1))
        # superpages
        TEST(18, a0, 0x3333, li a1, 0x200000 + 0x1230; ld a0, 0(a1))
        FAULT(19, 13, 0x400010, li a1, 0x400010; ld a0, 0(a1))    # misaligned 2 MiB
        FAULT(20, 13, 0x40000000, li a1, 0x40000000; ld a0, 0(a1)) # misaligned 1 GiB
        FAULT(21, 15, 0x40000008, li a1, 0x40000008; sd a0, 0(a1))
        # non-canonical and unmapped high addresses
        FAULT(22, 13, 0x0000008000000000, li a1, 0x0000008000000000; ld a0, 0(a1))
        FAULT(23, 15, 0x7fff000000000000, li a1, 0x7fff000000000000; sd a0, 0(a1))
        FAULT(24, 13, 0xffffffc000000000, li a1, 0xffffffc000000000; ld a0, 0(a1))
        FAULT(25, 12, 0x0000008000000000, li a1, 0x0000008000000000; jr a1)
        # page-crossing accesses: both pages translated
        li a1, 1 << 18
        csrs sstatus, a1
        li gp, 26
        li a1, 0x8000 + 4092
        li a2, 0x8877665544332211
        sd a2, 0(a1)
        ld a0, 0(a1)
        CHECKR(a0, a2)
        la a3, pg_b                                                # frames: pg_b then pg_a
        li a4, 4092
        add a3, a3, a4
        lwu a0, 0(a3)
        CHECK(a0, 0x44332211)
        la a3, pg_a
        lwu a0, 0(a3)
        CHECK(a0, 0x88776655)
        FAULT(27, 13, 0x5000, li a1, 0x4ffd; ld a0, 0(a1))        # second page invalid
        li gp, 28                                                  # no partial store
        la a3, pg_a
        li a4, 4092
        add a3, a3, a4
        li a0, 0x0123456789abcdef
        sd a0, 0(a3)
        FAULT(29, 15, 0x2000, li a1, 0x1ffc; li a2, -1; sd a2, 0(a1))
        li gp, 30
        ld a1, 0(a3)
        li a0, 0x0123456789abcdef
        CHECKR(a1, a0)
        li a1, 1 << 18
        csrc sstatus, a1
        # sfence.vma makes a changed PTE visible
        li gp, 31
        li a1, 0x4000
        ld a0, 0(a1)                                               # cached: pg_a
        PTE(l0, 4, pg_b, V|R|W|A|D)
        sfence.vma a1, zero
        li a1, 0x4000
        ld a0, 0x100(a1)
        CHECK(a0, 0x2222222222222222)
        PTE(l0, 4, pg_a, V|R|W|A|D)
        sfence.vma
        # fetch from a U page in S-mode faults
        FAULT(32, 12, 0xc0000000 + 0, li a1, 0xc0000000; jr a1)
        TO_M

        # U-mode, running in the alias
        TO_U
        TEST(33, a0, 0x1111111111111111, li a1, 0x1000; ld a0, 0x100(a1))
        UFAULT(34, 13, 0x4000, li a1, 0x4000; ld a0, 0(a1))       # supervisor page
        UFAULT(35, 15, 0x4000, li a1, 0x4000; sd a0, 0(a1))
        UFAULT(36, 12, 0x80000000, li a1, 0x80000000; jr a1)      # supervisor code
        UFAULT(37, 13, 0x3000, li a1, 0x3000; ld a0, 0(a1))       # X only
        UFAULT(38, 15, 0x2000, li a1, 0x2000; sw a0, 0(a1))       # R only
        TEST(39, a0, 0x2222222222222222, li a1, 0x8000; ld a0, 0x100(a1))
        U_TO_M

        # MPRV: M-mode loads and stores translated with MPP's privilege
        li a1, MSTATUS_MPP_M
        csrc mstatus, a1
        li a1, MSTATUS_MPP_S | (1 << 17)
        csrs mstatus, a1
        TEST(40, a0, 0x1111111111111111, li a1, 0x4000; ld a0, 0x100(a1))
        FAULT(41, 13, 0x1000, li a1, 0x1000; ld a0, 0(a1))        # U page as S
        li gp, 42                                                  # (vm_handler cleared MPRV)
        csrr a0, mstatus
        li a1, (1 << 17) | MSTATUS_MPP_M
        and a0, a0, a1
        CHECK(a0, 0)                                               # and mret set MPP = U
        li gp, 43                                                  # translate as U
        li a1, 1 << 17
        csrs mstatus, a1
        li a1, 0x1000
        ld a0, 0x100(a1)
        li a1, 1 << 17
        csrc mstatus, a1
        CHECK(a0, 0x1111111111111111)
        li gp, 44                                                  # (the trap record is not
        TRAP_RESET                                                 # user-accessible)
        la s10, 1f
        li a1, 1 << 17
        csrs mstatus, a1
        li a1, 0x4000
        sd a0, 0(a1)
        j fail
1:      CHECK_TRAP(15)
        CHECK_TVAL(0x4000)
        TEST(45, a0, 0x1111111111111111, la a1, pg_a; ld a0, 0x100(a1))    # physical again
        # satp back to Bare
        csrw satp, zero
        j pass

        .align 2
vm_handler:
        csrrw t0, mscratch, t0
        sd t1, 0(t0)
        csrr t1, mcause
        sd t1, TR_CAUSE(t0)
        csrr t1, mtval
        sd t1, TR_TVAL(t0)
        ld t1, TR_COUNT(t0)
        addi t1, t1, 1
        sd t1, TR_COUNT(t0)
        csrr t1, mcause
        addi t1, t1, -8
        sltiu t1, t1, 2
        bnez t1, 1f
        csrw mepc, s10
        j 2f
1:      li t1, MSTATUS_MPP_M
        csrs mstatus, t1
        csrw mepc, s11
2:      csrr t1, mstatus                # returning to M: drop MPRV so the
        srli t1, t1, 11                 # checks that follow run physically
        andi t1, t1, 3
        addi t1, t1, -3
        bnez t1, 3f
        li t1, 1 << 17
        csrc mstatus, t1
3:      ld t1, 0(t0)
        csrrw t0, mscratch, t0
        mret
TEST_END
        .data
        .align 12
root:   .fill 512, 8, 0
l1:     .fill 512, 8, 0
l0:     .fill 512, 8, 0
pg_a:   .fill 512, 8, 0
pg_b:   .fill 512, 8, 0
