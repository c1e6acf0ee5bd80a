# start.S: M-mode setup for the CPU benchmark: identity-map RAM with one
# Sv39 gigapage (supervisor), turn translation on and enter main in S-mode.
        .section .text.init
        .globl _start
_start:
        la sp, stack_top
        la t0, root
        li t1, (0x80000000 >> 12) << 10 | 0xcf   # V R W X A D
        sd t1, 16(t0)                            # root[2]: VA 0x80000000
        srli t0, t0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        li t0, 3 << 11
        csrc mstatus, t0
        li t0, 1 << 11                           # MPP = S
        csrs mstatus, t0
        la t0, main
        csrw mepc, t0
        mret

        .section .tohost, "aw"
        .align 6
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0

        .bss
        .align 12
root:   .fill 512, 8, 0
        .fill 4096, 1, 0
stack_top:
