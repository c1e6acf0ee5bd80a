# First instructions of every hart, in machine mode with paging off,
# a0 = hart id. Give each hart its own boot stack, then call start().

#include "kernel/param.h"

#define BOOT_STACK 4096

        .section .text.entry
        .globl _entry
_entry:
        csrr t1, mhartid
        li t2, NCPU
        bgeu t1, t2, 1f            # harts beyond NCPU are parked
        la sp, boot_stacks
        li t0, BOOT_STACK
        addi t1, t1, 1
        mul t0, t0, t1
        add sp, sp, t0
        call start
1:
        wfi
        j 1b

        .bss
        .balign 16
        .globl boot_stacks
boot_stacks:
        .space BOOT_STACK * NCPU
