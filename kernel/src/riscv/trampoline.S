# The trampoline: the page, mapped at TRAMPOLINE in the kernel and in
# every user page table, that switches between user and kernel page
# tables. It must be the same code at the same address in both.
#
# While a thread runs in user mode, sscratch holds the user address of its
# trapframe (TRAPFRAME for a main thread, lower for other threads), so the
# code works for any trapframe address. Register xN is saved at offset
# 32 + 8*N of the trapframe (see struct trapframe in archdefs.h).

#define TF_KERNEL_SATP    0
#define TF_KERNEL_SP      8
#define TF_KERNEL_TRAP   16
#define TF_KERNEL_HARTID 32
#define TF_X(n)          (32 + 8*(n))

        .section trampsec
        .globl trampoline
        .globl uservec
        .globl userret
trampoline:
        .balign 4
# stvec points here while in user mode. Save the user registers in the
# trapframe, switch to the kernel page table and stack, and jump to
# usertrap().
uservec:
        csrrw a0, sscratch, a0        # a0 = trapframe, sscratch = user a0

        .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd x\n, TF_X(\n)(a0)
        .endr
        csrr t0, sscratch
        sd t0, TF_X(10)(a0)

        ld sp, TF_KERNEL_SP(a0)
        ld tp, TF_KERNEL_HARTID(a0)
        ld t0, TF_KERNEL_TRAP(a0)
        ld t1, TF_KERNEL_SATP(a0)

        sfence.vma zero, zero         # finish user memory accesses
        csrw satp, t1
        sfence.vma zero, zero         # drop user translations

        jr t0                         # usertrap() does not return

# userret(satp, trapframe): switch to the user page table satp, restore
# the user registers from the trapframe at user address a1, and sret.
userret:
        sfence.vma zero, zero
        csrw satp, a0
        sfence.vma zero, zero

        csrw sscratch, a1             # where uservec finds the trapframe
        mv a0, a1
        .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld x\n, TF_X(\n)(a0)
        .endr
        ld a0, TF_X(10)(a0)

        sret
