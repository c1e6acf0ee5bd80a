# notohost.S: an RV64 program without a tohost symbol.
        .globl _start
_start: j _start
