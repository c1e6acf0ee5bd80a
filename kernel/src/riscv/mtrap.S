# mtrapvec: the machine-mode trap vector. Everything except the machine
# software interrupt is delegated to supervisor mode, so only that arrives
# here: another hart wrote this hart's CLINT msip (ipi.c). After a panic
# (halting != 0) the hart parks for good; otherwise it clears msip and
# raises a supervisor software interrupt for the kernel to handle.
#
# Runs with paging off, so kernel symbols are their physical addresses.
# mscratch points at this hart's two-word save area.

#include "kernel/memlayout.h"

#define MIP_SSIP 2

        .text
        .globl mtrapvec
        .balign 4
mtrapvec:
        csrrw t0, mscratch, t0        # t0 = save area, mscratch = old t0
        sd t1, 0(t0)
        sd t2, 8(t0)

        lla t1, halting
        lw t1, 0(t1)
        bnez t1, park

        csrr t1, mhartid              # msip of this hart = CLINT + 4*hart
        slli t1, t1, 2
        li t2, CLINT
        add t1, t1, t2
        sw zero, 0(t1)

        li t1, MIP_SSIP
        csrs mip, t1

        ld t1, 0(t0)
        ld t2, 8(t0)
        csrrw t0, mscratch, t0
        mret

park:
        csrw mie, zero
1:
        wfi
        j 1b
