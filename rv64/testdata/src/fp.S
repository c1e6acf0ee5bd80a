# fp.S: the F and D extensions wired to softfloat: arithmetic and flags,
# rounding modes (static, dynamic, invalid), NaN-boxing, conversions with
# saturation, min/max, compares, classify, sign injection, moves, FMA
# without double rounding, and mstatus.FS gating.
#include "test.h"
#define BOX 0xffffffff00000000
/* binary32 op: f3 = op(a, b); check raw f3 (boxed) and fflags. */
#define FS2(n, op, a, b, res, fl)                                 \
        li gp, n; csrwi fflags, 0;                                \
        li t3, a; fmv.w.x f1, t3; li t3, b; fmv.w.x f2, t3;       \
        op f3, f1, f2; fmv.x.d a0, f3; CHECK(a0, BOX | res);     \
        csrr a1, fflags; CHECK(a1, fl)
#define FS2R(n, op, rm, a, b, res, fl)                            \
        li gp, n; csrwi fflags, 0;                                \
        li t3, a; fmv.w.x f1, t3; li t3, b; fmv.w.x f2, t3;       \
        op f3, f1, f2, rm; fmv.x.d a0, f3; CHECK(a0, BOX | res); \
        csrr a1, fflags; CHECK(a1, fl)
#define FD2(n, op, a, b, res, fl)                                 \
        li gp, n; csrwi fflags, 0;                                \
        li t3, a; fmv.d.x f1, t3; li t3, b; fmv.d.x f2, t3;       \
        op f3, f1, f2; fmv.x.d a0, f3; CHECK(a0, res);           \
        csrr a1, fflags; CHECK(a1, fl)
/* binary64 to integer register. */
#define FDX(n, a, res, fl, op...)                                    \
        li gp, n; csrwi fflags, 0; li t3, a; fmv.d.x f1, t3;      \
        op; CHECK(a0, res); csrr a1, fflags; CHECK(a1, fl)
#define FSX(n, a, res, fl, op...)                                    \
        li gp, n; csrwi fflags, 0; li t3, a; fmv.w.x f1, t3;      \
        op; CHECK(a0, res); csrr a1, fflags; CHECK(a1, fl)

#define ONE_S   0x3f800000
#define TWO_S   0x40000000
#define THREE_S 0x40400000
#define ONE_D   0x3ff0000000000000
#define QNAN_S  0x7fc00000
#define SNAN_S  0x7f800001
#define QNAN_D  0x7ff8000000000000
#define SNAN_D  0x7ff0000000000001
#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16
TEST_BEGIN
        FS2(2, fadd.s, ONE_S, TWO_S, THREE_S, 0)
        FS2(3, fsub.s, ONE_S, TWO_S, 0xbf800000, 0)
        FS2(4, fmul.s, TWO_S, THREE_S, 0x40c00000, 0)
        FS2(5, fdiv.s, ONE_S, THREE_S, 0x3eaaaaab, NX)
        FS2(6, fdiv.s, ONE_S, 0, 0x7f800000, DZ)
        FD2(7, fadd.d, ONE_D, ONE_D, 0x4000000000000000, 0)
        FD2(8, fdiv.d, ONE_D, 0, 0x7ff0000000000000, DZ)
        FD2(9, fmul.d, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, OF | NX)
        FD2(10, fsub.d, 0x7ff0000000000000, 0x7ff0000000000000, QNAN_D, NV)
        # static rounding modes
        FS2R(11, fdiv.s, rtz, ONE_S, THREE_S, 0x3eaaaaaa, NX)
        FS2R(12, fdiv.s, rdn, ONE_S, THREE_S, 0x3eaaaaaa, NX)
        FS2R(13, fdiv.s, rup, ONE_S, THREE_S, 0x3eaaaaab, NX)
        FS2R(14, fdiv.s, rmm, ONE_S, THREE_S, 0x3eaaaaab, NX)
        FS2R(15, fdiv.s, rdn, 0xbf800000, THREE_S, 0xbeaaaaab, NX)
        # fcvt.w rounding of +-2.5 in each mode
        FSX(16, 0x40200000, 2, NX, fcvt.w.s a0, f1, rne)
        FSX(17, 0x40200000, 2, NX, fcvt.w.s a0, f1, rtz)
        FSX(18, 0x40200000, 2, NX, fcvt.w.s a0, f1, rdn)
        FSX(19, 0x40200000, 3, NX, fcvt.w.s a0, f1, rup)
        FSX(20, 0x40200000, 3, NX, fcvt.w.s a0, f1, rmm)
        FSX(21, 0xc0200000, -2, NX, fcvt.w.s a0, f1, rne)
        FSX(22, 0xc0200000, -3, NX, fcvt.w.s a0, f1, rdn)
        FSX(23, 0xc0200000, -2, NX, fcvt.w.s a0, f1, rup)
        FSX(24, 0xc0200000, -3, NX, fcvt.w.s a0, f1, rmm)
        # dynamic rounding from frm
        li gp, 25
        csrwi frm, 3            # RUP
        li t3, 0x40200000
        fmv.w.x f1, t3
        fcvt.w.s a0, f1         # dyn
        CHECK(a0, 3)
        csrwi frm, 2            # RDN
        fcvt.w.s a0, f1, dyn
        CHECK(a0, 2)
        li gp, 26
        csrr a0, fcsr
        CHECK(a0, (2 << 5) | NX)
        csrwi frm, 0
        # invalid rounding modes are illegal: static 5 and 6, dynamic with frm >= 5
        TEST_TRAP(27, 2, .word 0x0020d1d3)      # fadd.s f3, f1, f2, rm=5
        CHECK_TVAL(0x0020d1d3)
        TEST_TRAP(28, 2, .word 0x0020e1d3)      # rm=6
        TEST_TRAP(29, 2, csrwi frm, 5; fadd.s f3, f1, f2, dyn)
        TEST_TRAP(30, 2, csrwi frm, 7; .word 0xd20571d3)    # fcvt.d.w f3, a0, dyn
        li gp, 31               # ops without rounding don't care about frm
        TRAP_RESET
        fsgnj.s f3, f1, f2
        fmin.d f3, f1, f2
        feq.s a0, f1, f2
        fmv.x.w a0, f1
        CHECK_NOTRAP
        csrwi frm, 0
        # NaN boxing
        li gp, 32
        li t3, 0x000000003f800000       # not boxed: reads as canonical NaN
        fmv.d.x f1, t3
        fmv.d.x f2, t3
        fadd.s f3, f1, f2
        fmv.x.d a0, f3
        CHECK(a0, BOX | QNAN_S)
        fmv.x.w a0, f1                  # moves the raw low word, sign-extended
        CHECK(a0, 0x3f800000)
        li t3, 0x12345678c0000000
        fmv.d.x f1, t3
        fmv.x.w a0, f1
        CHECK(a0, 0xffffffffc0000000)
        li gp, 33
        fclass.s a0, f1                 # improperly boxed: canonical (quiet) NaN
        CHECK(a0, 512)
        li t3, BOX | 0xbf800000
        fmv.d.x f2, t3
        fsgnj.s f3, f1, f2              # NaN input with the sign of f2
        fmv.x.d a0, f3
        CHECK(a0, BOX | 0xffc00000)
        li gp, 34
        la s0, fbuf
        li t3, 0x40490fdb
        sw t3, 0(s0)
        flw f4, 0(s0)
        fmv.x.d a0, f4
        CHECK(a0, BOX | 0x40490fdb)
        li t3, 0x1122334455667788
        fmv.d.x f5, t3
        fsw f5, 8(s0)                   # stores the low word as is
        ld a0, 8(s0)
        CHECK(a0, 0x55667788)
        fsd f5, 16(s0)
        fld f6, 16(s0)
        fmv.x.d a0, f6
        CHECK(a0, 0x1122334455667788)
        # conversions with saturation
        FSX(35, 0x501502f9, 0x7fffffff, NV, fcvt.w.s a0, f1, rtz)       # 1e10
        FSX(36, 0xff800000, 0xffffffff80000000, NV, fcvt.w.s a0, f1, rtz) # -inf
        FSX(37, QNAN_S, 0x7fffffff, NV, fcvt.w.s a0, f1, rtz)
        FSX(38, 0xbf800000, 0, NV, fcvt.wu.s a0, f1, rtz)
        FSX(39, 0x4f32d05e, 0xffffffffb2d05e00, 0, fcvt.wu.s a0, f1, rtz) # 3e9, sign-extended
        FSX(40, 0xdf000000, 0x8000000000000000, 0, fcvt.l.s a0, f1, rtz)  # -2^63 exact
        FSX(41, 0x5f800000, -1, NV, fcvt.lu.s a0, f1, rtz)               # 2^64
        FDX(42, QNAN_D, 0x7fffffffffffffff, NV, fcvt.l.d a0, f1, rtz)
        FDX(43, 0xbfe0000000000000, 0, NX, fcvt.lu.d a0, f1, rtz)        # -0.5 -> 0
        FDX(44, 0x41dfffffffc00000, 0x7fffffff, 0, fcvt.w.d a0, f1, rtz)  # 2^31-1
        FDX(45, 0x41efffffffe00000, 0xffffffffffffffff, 0, fcvt.wu.d a0, f1, rtz) # 2^32-1
        li gp, 46
        li a1, -7
        fcvt.s.w f3, a1
        fmv.x.d a0, f3
        CHECK(a0, BOX | 0xc0e00000)
        fcvt.d.wu f3, a1                # 0xfffffff9 as unsigned
        fmv.x.d a0, f3
        CHECK(a0, 0x41efffffff200000)
        fcvt.d.l f3, a1
        fmv.x.d a0, f3
        CHECK(a0, 0xc01c000000000000)
        li a1, -1
        fcvt.s.lu f3, a1, rtz
        fmv.x.d a0, f3
        CHECK(a0, BOX | 0x5f7fffff)
        fcvt.s.wu f3, a1                # 2^32-1 rounds to 2^32
        fmv.x.d a0, f3
        CHECK(a0, BOX | 0x4f800000)
        fcvt.d.lu f3, a1
        fmv.x.d a0, f3
        CHECK(a0, 0x43f0000000000000)
        li gp, 47
        li t3, 0x3fb999999999999a       # 0.1 to single and back
        fmv.d.x f1, t3
        fcvt.s.d f2, f1
        fmv.x.d a0, f2
        CHECK(a0, BOX | 0x3dcccccd)
        fcvt.d.s f3, f2
        fmv.x.d a0, f3
        CHECK(a0, 0x3fb99999a0000000)
        # min/max
        FS2(48, fmin.s, 0x80000000, 0x00000000, 0x80000000, 0)
        FS2(49, fmax.s, 0x80000000, 0x00000000, 0x00000000, 0)
        FS2(50, fmin.s, QNAN_S, ONE_S, ONE_S, 0)
        FS2(51, fmin.s, SNAN_S, ONE_S, ONE_S, NV)
        FS2(52, fmax.s, QNAN_S, QNAN_S, QNAN_S, 0)
        FD2(53, fmax.d, 0xc000000000000000, ONE_D, ONE_D, 0)
        FD2(54, fmin.d, SNAN_D, SNAN_D, QNAN_D, NV)
        # compares
        FDX(55, QNAN_D, 0, 0, feq.d a0, f1, f1)
        FDX(56, QNAN_D, 0, NV, flt.d a0, f1, f1)
        FDX(57, SNAN_D, 0, NV, feq.d a0, f1, f1)
        FDX(58, ONE_D, 1, 0, fle.d a0, f1, f1)
        li gp, 59
        li t3, ONE_S
        fmv.w.x f1, t3
        li t3, TWO_S
        fmv.w.x f2, t3
        flt.s a0, f1, f2
        CHECK(a0, 1)
        flt.s a0, f2, f1
        CHECK(a0, 0)
        fle.s a0, f1, f1
        CHECK(a0, 1)
        li t3, 0x80000000
        fmv.w.x f3, t3
        fmv.w.x f4, zero
        feq.s a0, f3, f4                # -0 == +0
        CHECK(a0, 1)
        # classify
        FDX(60, 0xfff0000000000000, 1, 0, fclass.d a0, f1)
        FDX(61, 0xbff0000000000000, 2, 0, fclass.d a0, f1)
        FDX(62, 0x800fffffffffffff, 4, 0, fclass.d a0, f1)
        FDX(63, 0x8000000000000000, 8, 0, fclass.d a0, f1)
        FDX(64, 0, 16, 0, fclass.d a0, f1)
        FDX(65, 1, 32, 0, fclass.d a0, f1)
        FDX(66, ONE_D, 64, 0, fclass.d a0, f1)
        FDX(67, 0x7ff0000000000000, 128, 0, fclass.d a0, f1)
        FDX(68, SNAN_D, 256, 0, fclass.d a0, f1)
        FDX(69, QNAN_D, 512, 0, fclass.d a0, f1)
        FSX(70, 0x00000001, 32, 0, fclass.s a0, f1)
        FSX(71, 0xff800000, 1, 0, fclass.s a0, f1)
        # sign injection
        FD2(72, fsgnj.d, ONE_D, 0x8000000000000000, 0xbff0000000000000, 0)
        FD2(73, fsgnjn.d, ONE_D, 0x8000000000000000, ONE_D, 0)
        FD2(74, fsgnjx.d, 0xbff0000000000000, 0x8000000000000000, ONE_D, 0)
        FS2(75, fsgnjn.s, ONE_S, ONE_S, 0xbf800000, 0)
        FS2(76, fsgnjx.s, 0xbf800000, 0xbf800000, ONE_S, 0)
        # sqrt
        li gp, 77
        csrwi fflags, 0
        li t3, 0x40800000
        fmv.w.x f1, t3
        fsqrt.s f2, f1
        fmv.x.d a0, f2
        CHECK(a0, BOX | TWO_S)
        li t3, 0xbff0000000000000
        fmv.d.x f1, t3
        fsqrt.d f2, f1
        fmv.x.d a0, f2
        CHECK(a0, QNAN_D)
        csrr a1, fflags
        CHECK(a1, NV)
        # fused multiply-add rounds once: (1+2^-52)(1-2^-52) - 1 = -2^-104
        li gp, 78
        csrwi fflags, 0
        li t3, 0x3ff0000000000001
        fmv.d.x f1, t3
        li t3, 0x3feffffffffffffe
        fmv.d.x f2, t3
        li t3, 0xbff0000000000000
        fmv.d.x f3, t3
        fmadd.d f4, f1, f2, f3
        fmv.x.d a0, f4
        CHECK(a0, 0xb970000000000000)
        csrr a1, fflags
        CHECK(a1, 0)
        fmsub.d f4, f1, f2, f3          # ab + 1
        fmv.x.d a0, f4
        CHECK(a0, 0x4000000000000000)
        fnmsub.d f4, f1, f2, f3         # -ab - 1
        fmv.x.d a0, f4
        CHECK(a0, 0xc000000000000000)
        fnmadd.d f4, f1, f2, f3         # -ab + 1 = 2^-104
        fmv.x.d a0, f4
        CHECK(a0, 0x3970000000000000)
        li gp, 79
        li t3, TWO_S
        fmv.w.x f1, t3
        li t3, THREE_S
        fmv.w.x f2, t3
        li t3, ONE_S
        fmv.w.x f3, t3
        fmadd.s f4, f1, f2, f3          # 7
        fmv.x.d a0, f4
        CHECK(a0, BOX | 0x40e00000)
        fnmadd.s f4, f1, f2, f3         # -7
        fmv.x.d a0, f4
        CHECK(a0, BOX | 0xc0e00000)
        fmsub.s f4, f1, f2, f3          # 5
        fmv.x.d a0, f4
        CHECK(a0, BOX | 0x40a00000)
        fnmsub.s f4, f1, f2, f3         # -5
        fmv.x.d a0, f4
        CHECK(a0, BOX | 0xc0a00000)
        # fflags accrue and fcsr packs frm and fflags
        li gp, 80
        csrwi fcsr, 0
        li t3, ONE_S
        fmv.w.x f1, t3
        fmv.w.x f2, zero
        fdiv.s f3, f1, f2
        li t3, THREE_S
        fmv.w.x f2, t3
        fdiv.s f3, f1, f2
        csrr a0, fflags
        CHECK(a0, DZ | NX)
        li a1, 0xff
        csrrw a0, fcsr, a1
        CHECK(a0, DZ | NX)
        csrr a0, frm
        CHECK(a0, 7)
        csrr a0, fflags
        CHECK(a0, 0x1f)
        csrwi fcsr, 0
        # mstatus.FS: Off makes FP illegal; writing FP state sets Dirty and SD
        li gp, 81
        li a1, 3 << 13
        csrc mstatus, a1
        TEST_TRAP(82, 2, fadd.d f1, f2, f3)
        TEST_TRAP(83, 2, csrr a0, fcsr)
        TEST_TRAP(84, 2, fld f1, 0(s0))
        TEST_TRAP(85, 2, fmv.x.d a0, f1)
        li gp, 86
        li a1, 1 << 13          # Initial
        csrs mstatus, a1
        csrr a0, mstatus
        bltz a0, fail           # SD clear while FS is not Dirty
        fmv.d.x f1, zero
        csrr a0, mstatus
        srli a1, a0, 13
        andi a1, a1, 3
        CHECK(a1, 3)
        bgez a0, fail           # SD set
        csrr a0, sstatus
        bgez a0, fail
        li gp, 87               # FS = Clean and an instruction that only sets flags
        li a1, 3 << 13
        csrc mstatus, a1
        li a1, 2 << 13
        csrs mstatus, a1
        csrwi fflags, 0         # writing fcsr makes it Dirty
        csrr a0, mstatus
        srli a1, a0, 13
        andi a1, a1, 3
        CHECK(a1, 3)
        j pass
TEST_END
        .data
        .align 4
fbuf:   .fill 4, 8, 0
