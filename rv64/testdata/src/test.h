/* test.h: macros shared by the rv64 instruction tests.
 *
 * Register conventions: gp holds the current test number; a test fails by
 * jumping to fail, which writes (gp << 1) | 1 to tohost. t0-t2 are
 * clobbered by the trap handler; tests keep their values in other registers.
 *
 * The default M-mode trap handler records the trap in the trap record
 * (cause, tval, epc, count, previous privilege) and then:
 *   - for an interrupt: clears mie and returns to the interrupted pc;
 *   - for ecall from U or S: returns to M-mode after the ecall;
 *   - otherwise: resumes at TR_RESUME if a test set it, else skips the
 *     trapping instruction (reading its length at mepc).
 */
/* IMPL(code) wraps checks of behaviour where QEMU 7.2 (the second opinion
 * of `make qemu-check`) differs from this emulator's documented choices:
 * identification CSRs, mtval for ebreak (QEMU writes 0; we write the pc,
 * as Spike and the spec's breakpoint rule do) and the cause of misaligned
 * or faulting AMOs (QEMU reports load causes; the spec says store/AMO),
 * the reserved MPP value 2 (QEMU stores it), MPRV after an xRET to a
 * lower mode (priv 1.12 clears it; QEMU 7.2 does not) and sstatus.VS and
 * UXL (read-only here; QEMU 7.2 lets them be written), writable medeleg
 * bits and the priority of simultaneous interrupts (QEMU 7.2 without AIA
 * takes the lowest-numbered first; the priv spec orders MEI, MSI, MTI,
 * SEI, SSI, STI), and bit 0 of mepc/sepc (always 0 per spec; QEMU 7.2
 * keeps it); exact instret and cycle counts (QEMU without icount does not
 * count instructions), hpm counters (zero here, working in QEMU) and
 * debug triggers (none here), and PMP (QEMU 7.2 has 16 entries and keeps
 * all 64 bits of pmpaddr); envcfg bits of extensions we lack; stimecmp and
 * time (QEMU's spike board gives Sstc no time source); Sv48 (QEMU has it). */
#ifdef QEMU
#define IMPL(code...)
#else
#define IMPL(code...) code
#endif

#define TR_CAUSE  16
#define TR_TVAL   24
#define TR_EPC    32
#define TR_COUNT  40
#define TR_PRIV   48
#define TR_RESUME 64

#define MSTATUS_MPP_M (3 << 11)
#define MSTATUS_MPP_S (1 << 11)

#define TEST_BEGIN                                  \
        .section .text.init;                        \
        .globl _start;                              \
_start:                                             \
        la t0, trap_handler;                        \
        csrw mtvec, t0;                             \
        la t0, trap_record;                         \
        csrw mscratch, t0;                          \
        li t0, -1;      /* PMP: RWX everywhere */   \
        csrw pmpaddr0, t0;                          \
        li t0, 0x1f;    /* (QEMU checks PMP) */     \
        csrw pmpcfg0, t0;                           \
        li t0, (1 << 13);   /* FS = Initial */      \
        csrs mstatus, t0;                           \
        csrwi fcsr, 0;                              \
        li gp, 0;                                   \
        j test_main;                                \
        .text;                                      \
test_main:

#define TEST_END                                    \
pass:                                               \
        li t0, 1;                                   \
        la t1, tohost;                              \
1:      sd t0, 0(t1);                               \
        j 1b;                                       \
fail:                                               \
        slli t0, gp, 1;                             \
        ori t0, t0, 1;                              \
        la t1, tohost;                              \
1:      sd t0, 0(t1);                               \
        j 1b;                                       \
        .align 2;                                   \
trap_handler:                                       \
        csrrw t0, mscratch, t0;                     \
        sd t1, 0(t0);                               \
        sd t2, 8(t0);                               \
        csrr t1, mcause;   sd t1, TR_CAUSE(t0);     \
        csrr t1, mtval;    sd t1, TR_TVAL(t0);      \
        csrr t1, mepc;     sd t1, TR_EPC(t0);       \
        ld t2, TR_COUNT(t0); addi t2, t2, 1;        \
        sd t2, TR_COUNT(t0);                        \
        csrr t2, mstatus; srli t2, t2, 11;          \
        andi t2, t2, 3; sd t2, TR_PRIV(t0);         \
        csrr t2, mcause;                            \
        bgez t2, 2f;                                \
        csrw mie, zero;                             \
        j 9f;                                       \
2:      addi t2, t2, -8;                            \
        sltiu t2, t2, 2; bnez t2, 3f; /* ecall U/S */\
        ld t2, TR_RESUME(t0);                       \
        beqz t2, 4f;                                \
        sd zero, TR_RESUME(t0);                     \
        mv t1, t2;                                  \
        j 8f;                                       \
3:      li t2, MSTATUS_MPP_M;                       \
        csrs mstatus, t2;                           \
        addi t1, t1, 4;                             \
        j 8f;                                       \
4:      lhu t2, 0(t1);                              \
        andi t2, t2, 3;                             \
        addi t1, t1, 2;                             \
        addi t2, t2, -3; bnez t2, 8f; /* 16-bit */ \
        addi t1, t1, 2;                             \
8:      csrw mepc, t1;                              \
9:      ld t1, 0(t0);                               \
        ld t2, 8(t0);                               \
        csrrw t0, mscratch, t0;                     \
        mret;                                       \
        .section .tohost, "aw";                     \
        .align 6; .globl tohost;                    \
tohost: .dword 0; .size tohost, 8;                  \
        .align 6; .globl fromhost;                  \
fromhost: .dword 0; .size fromhost, 8;              \
        .data;                                      \
        .align 6;                                   \
trap_record: .fill 16, 8, 0;                        \
        .text

/* Compare register r with the value v (clobbers t6). */
#define CHECK(r, v)     li t6, v; bne r, t6, fail
#define CHECKR(r, s)    bne r, s, fail

/* Run code as test n and check that register r then equals v. */
#define TEST(n, r, v, code...)  li gp, n; code; CHECK(r, v)

/* Reset the trap record's count (and resume address). */
#define TRAP_RESET      la t6, trap_record; sd zero, TR_COUNT(t6); sd zero, TR_CAUSE(t6); sd zero, TR_TVAL(t6)
#define TRAP_RESUME(l)  la t6, trap_record; la t5, l; sd t5, TR_RESUME(t6)

/* Check that exactly one trap with cause c happened since TRAP_RESET. */
#define CHECK_TRAP(c)                               \
        la t6, trap_record;                         \
        ld t5, TR_COUNT(t6); li t4, 1; bne t5, t4, fail; \
        ld t5, TR_CAUSE(t6); li t4, c; bne t5, t4, fail
#define CHECK_TVAL(v)   la t6, trap_record; ld t5, TR_TVAL(t6); li t4, v; bne t5, t4, fail
#define CHECK_TVALR(r)  la t6, trap_record; ld t5, TR_TVAL(t6); bne t5, r, fail
#define CHECK_EPC(l)    la t6, trap_record; ld t5, TR_EPC(t6); la t4, l; bne t5, t4, fail
#define CHECK_NOTRAP    la t6, trap_record; ld t5, TR_COUNT(t6); bnez t5, fail

/* Test n: run code expecting one trap with cause c. */
#define TEST_TRAP(n, c, code...)  li gp, n; TRAP_RESET; code; CHECK_TRAP(c)

/* Enter S- or U-mode at the next instruction (from M-mode). */
#define GOTO_MODE(mpp)                              \
        li t0, MSTATUS_MPP_M; csrc mstatus, t0;     \
        li t0, mpp; csrs mstatus, t0;               \
        la t0, 1f; csrw mepc, t0; mret; 1:
#define GOTO_S  GOTO_MODE(MSTATUS_MPP_S)
#define GOTO_U  GOTO_MODE(0)
/* Back to M-mode from S or U (the default handler returns in M). */
#define GOTO_M  ecall
