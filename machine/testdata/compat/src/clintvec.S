# clintvec.S: the M-mode timer vector of the CLINT timer guest. mscratch
# points at this hart's scratch area: three save slots, the address of
# its mtimecmp and the tick interval. The handler moves the comparator
# one interval on and raises SSIP for S-mode, touching only the three
# registers it saves. Any other M-mode trap is a failure.

        .text
        .globl clintvec
        .align 4
clintvec:
        csrrw a0, mscratch, a0
        sd a1, 0(a0)
        sd a2, 8(a0)
        sd a3, 16(a0)

        csrr a1, mcause
        li a2, (1 << 63) | 7
        bne a1, a2, unexpected

        ld a1, 24(a0)           # &mtimecmp
        ld a2, 32(a0)           # interval
        ld a3, 0(a1)
        add a3, a3, a2
        sd a3, 0(a1)

        li a1, 2                # sip.SSIP
        csrw sip, a1

        ld a3, 16(a0)
        ld a2, 8(a0)
        ld a1, 0(a0)
        csrrw a0, mscratch, a0
        mret

unexpected:
        mv a0, a1
        csrr a1, mepc
        call mtrap_unexpected
1:      j 1b
