# entry.S: where every hart starts, in M-mode, with a0 = hartid and
# a1 = the device tree's address. Each hart gets its own stack and calls
# mstart(hartid, dtb) in the guest; harts beyond MAXHARTS park at once.
#include "rv.h"

        .section .text.entry
        .globl _entry
_entry:
        li t0, MAXHARTS
        bgeu a0, t0, park
        la sp, stacks
        addi t0, a0, 1
        slli t0, t0, STACKSHIFT
        add sp, sp, t0
        mv tp, a0
        call mstart
park:
        wfi
        j park

        .bss
        .align 4
stacks:
        .space MAXHARTS << STACKSHIFT
