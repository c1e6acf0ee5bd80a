# Boot entry points.
#
# _start: a multiboot loader (QEMU's -kernel, our pc board) enters here
# in 32-bit protected mode with paging off, at the physical address
# (kernel.ld's ENTRY). Turn on paging with bootpgdir, which maps the
# first 16 MiB both at 0 and at KERNBASE with 4 MiB pages, and continue
# at the kernel's link address on the boot stack.
#
# apstart..apend: the other CPUs' start, copied by main.c to AP_START
# (a page boundary below 1 MiB, where a STARTUP IPI can point). Each CPU
# arrives in real mode at AP_START:0 with CS = AP_START >> 4; main.c
# leaves the stack top and C entry for it in the two words just below
# AP_START.

#include "kernel/memlayout.h"
#include "x86.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0

        .section .multiboot, "a"
        .p2align 2
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .text
        .globl _start
_start:
        cli
        movl %cr4, %eax
        orl $CR4_PSE, %eax
        movl %eax, %cr4
        movl $(bootpgdir - KERNBASE), %eax
        movl %eax, %cr3
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP | CR0_PE), %eax
        movl %eax, %cr0
        movl $(bootstack + 4096), %esp
        xorl %ebp, %ebp
        movl $kmain, %eax
        jmp *%eax

        .code16
        .globl apstart, apend
apstart:
        cli
        movw %cs, %ax
        movw %ax, %ds
        # The GDT below, addressed from AP_START (segment base = AP_START).
        lgdtl apgdtdesc - apstart
        movl %cr0, %eax
        orl $CR0_PE, %eax
        movl %eax, %cr0
        ljmpl $(SEG_KCODE << 3), $(AP_START + ap32 - apstart)

        .code32
ap32:
        movw $(SEG_KDATA << 3), %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movl %cr4, %eax
        orl $CR4_PSE, %eax
        movl %eax, %cr4
        movl $(bootpgdir - KERNBASE), %eax
        movl %eax, %cr3
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP), %eax
        movl %eax, %cr0
        movl (AP_START - 4), %esp
        movl (AP_START - 8), %eax
        xorl %ebp, %ebp
        call *%eax
1:      jmp 1b

        .p2align 3
apgdt:
        .quad 0
        .quad 0x00CF9A000000FFFF   # flat 4 GiB code, ring 0
        .quad 0x00CF92000000FFFF   # flat 4 GiB data, ring 0
apgdtdesc:
        .word apgdtdesc - apgdt - 1
        .long AP_START + apgdt - apstart
apend:

        .bss
        .p2align 12
bootstack:
        .space 4096

        .section .note.GNU-stack,"",@progbits
