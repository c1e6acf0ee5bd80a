# start.S: M-mode entry for fpsig: stack, FPU on (mstatus.FS), call main.
        .section .text.init
        .globl _start
_start:
        la sp, stack_top
        li t0, 1 << 13
        csrs mstatus, t0
        csrwi fcsr, 0
        call main
1:      j 1b
        .bss
        .align 4
        .fill 8192, 1, 0
stack_top:
