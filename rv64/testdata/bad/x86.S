# x86.S: an x86-64 program (assembled by the host gcc) with a tohost.
        .globl _start
_start: jmp _start
        .data
        .globl tohost
tohost: .quad 0
