# The boot sector of x86-xv6.img: a BIOS loads it at 0x7C00 and jumps
# here in real mode (CS:IP = 0000:7C00). Switch to 32-bit protected mode
# with flat segments, and let bootmain.c load the kernel from the disk.
# No BIOS calls: the A20 line is opened through port 0x92.

#define SEG_CODE 0x08
#define SEG_DATA 0x10

        .code16
        .globl start
start:
        cli
        cld
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss

        inb $0x92, %al          # "fast A20": set bit 1, never bit 0 (reset)
        orb $0x02, %al
        andb $0xFE, %al
        outb %al, $0x92

        lgdt gdtdesc
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        ljmp $SEG_CODE, $start32

        .code32
start32:
        movw $SEG_DATA, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movl $start, %esp       # the stack grows down from the boot sector
        call bootmain
1:      hlt                     # bootmain returns only if the disk is bad
        jmp 1b

        .p2align 3
gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF   # flat 4 GiB code, ring 0
        .quad 0x00CF92000000FFFF   # flat 4 GiB data, ring 0
gdtdesc:
        .word gdtdesc - gdt - 1
        .long gdt

        .section .note.GNU-stack,"",@progbits
