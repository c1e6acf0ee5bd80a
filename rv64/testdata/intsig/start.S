# start.S: M-mode entry for intsig; run_block, which runs the generated code
# with x1..x31 loaded from regs[] and stores them back; and the trap
# handler, which folds mcause and mtval into tsave[1] and skips the
# instruction without disturbing any register.
        .section .text.init
        .globl _start
_start:
        la sp, stack_top
        la t0, trap
        csrw mtvec, t0
        call main
1:      j 1b

        .text
        .globl run_block, block_end
run_block:
        la t0, save
        sd ra, 0(t0)
        sd sp, 8(t0)
        sd gp, 16(t0)
        sd tp, 24(t0)
        sd s0, 32(t0)
        sd s1, 40(t0)
        sd s2, 48(t0)
        sd s3, 56(t0)
        sd s4, 64(t0)
        sd s5, 72(t0)
        sd s6, 80(t0)
        sd s7, 88(t0)
        sd s8, 96(t0)
        sd s9, 104(t0)
        sd s10, 112(t0)
        sd s11, 120(t0)
        la t0, regs
        .irp r, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld x\r, \r*8(t0)
        .endr
        ld t0, 5*8(t0)
        j code           # the block ends with a jal to block_end
block_end:
        csrw mscratch, t0
        la t0, regs
        .irp r, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd x\r, \r*8(t0)
        .endr
        csrr t1, mscratch
        sd t1, 5*8(t0)
        la t0, save
        ld ra, 0(t0)
        ld sp, 8(t0)
        ld gp, 16(t0)
        ld tp, 24(t0)
        ld s0, 32(t0)
        ld s1, 40(t0)
        ld s2, 48(t0)
        ld s3, 56(t0)
        ld s4, 64(t0)
        ld s5, 72(t0)
        ld s6, 80(t0)
        ld s7, 88(t0)
        ld s8, 96(t0)
        ld s9, 104(t0)
        ld s10, 112(t0)
        ld s11, 120(t0)
        ret

        .align 2
trap:   csrw mscratch, t0
        la t0, tsave
        sd t1, 0(t0)
        sd t2, 16(t0)
        ld t1, 8(t0)
        slli t2, t1, 5
        add t1, t1, t2
        csrr t2, mcause
        add t1, t1, t2
        slli t2, t1, 7
        xor t1, t1, t2
        csrr t2, mtval
        xor t1, t1, t2
        sd t1, 8(t0)
        csrr t2, mepc
        addi t2, t2, 4
        csrw mepc, t2
        ld t1, 0(t0)
        ld t2, 16(t0)
        csrr t0, mscratch
        mret

        .data
        .align 4
        .globl tsave
tsave:  .fill 3, 8, 0
        .bss
        .align 4
save:   .fill 16, 8, 0
        .fill 8192, 1, 0
stack_top:
