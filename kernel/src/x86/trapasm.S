# Trap entry and exit.
#
# Every vector pushes an error code (0 where the CPU pushes none) and its
# number, and jumps to alltraps, which completes a struct trapframe. From
# user mode the CPU switched to the TSS esp0, the end of the thread's
# trapframe page, so the frame is built in p->trapframe itself; alltraps
# then moves to the thread's kernel stack (trapframe.kstacktop) and calls
# usertrap, which leaves through userret. From kernel mode the frame is on
# the current kernel stack, and kerneltrap returns here.

#include "x86.h"

        .text
        .globl alltraps
alltraps:
        pushal
        pushl %ds
        pushl %es
        pushl %fs
        pushl %gs
        movw $(SEG_KDATA << 3), %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw $(SEG_KCPU << 3), %ax
        movw %ax, %gs
        cld
        testl $3, 60(%esp)          # the saved cs: from user mode?
        jz 1f
        leal -4(%esp), %eax         # the trapframe
        movl (%eax), %esp           # its kstacktop
        xorl %ebp, %ebp
        pushl %eax
        call usertrap               # does not return
2:      jmp 2b

1:      leal -4(%esp), %eax         # the frame, as a struct trapframe
        pushl %eax
        call kerneltrap
        addl $4, %esp
        popl %gs
        popl %fs
        popl %es
        popl %ds
        popal
        addl $8, %esp               # trapno and error code
        iret

# void userret(struct trapframe *tf): back to user mode with tf's
# registers. Interrupts are off; cr3 is already the user page table.
        .globl userret
userret:
        movl 4(%esp), %esp
        addl $4, %esp               # kstacktop
        popl %gs
        popl %fs
        popl %es
        popl %ds
        popal
        addl $8, %esp
        iret

# The vectors. The CPU pushes an error code for 8, 10-14, 17 and 21.
.macro vector n
        .p2align 2
vector\n:
.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
.else
        pushl $0
.endif
        pushl $\n
        jmp alltraps
.endm

        .p2align 2
vectorcode:
        .altmacro
.macro allvectors from, to
        vector %from
.if \to-\from
        allvectors %(\from+1), \to
.endif
.endm
        allvectors 0, 63
        allvectors 64, 127
        allvectors 128, 191
        allvectors 192, 255

.macro vecaddr n
        .long vector\n
.endm
.macro alladdrs from, to
        vecaddr %from
.if \to-\from
        alladdrs %(\from+1), \to
.endif
.endm
        .data
        .p2align 2
        .globl vectors
vectors:
        alladdrs 0, 63
        alladdrs 64, 127
        alladdrs 128, 191
        alladdrs 192, 255

        .section .note.GNU-stack,"",@progbits
