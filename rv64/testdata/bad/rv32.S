# rv32.S: a 32-bit RISC-V program, which the RV64 loader must refuse.
        .globl _start
_start: j _start
        .section .tohost, "aw"
        .globl tohost
tohost: .word 0, 0
