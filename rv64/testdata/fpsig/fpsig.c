/* fpsig.c: an FP signature. Runs every F/D arithmetic, conversion, compare
 * and sign instruction on pseudo-random and special operands in every
 * rounding mode (through frm), hashes each result and the fflags it raised,
 * and prints the hash on the HTIF console. The same ELF on QEMU prints the
 * reference value that rv64's TestFPSignature expects. */

typedef unsigned long u64;
typedef unsigned int u32;

volatile u64 tohost __attribute__((section(".tohost"), aligned(64)));
volatile u64 fromhost __attribute__((section(".tohost"), aligned(64)));

static void putch(int c) {
  tohost = 0x0101000000000000ul | (unsigned char)c;
  while (tohost) ;
}

static u64 seed = 0x9e3779b97f4a7c15ul;
static u64 rnd(void) {
  seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
  return seed;
}

static const u64 special64[] = {
  0, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
  0x7ff8000000000000, 0x7ff4000000000000, 0xfff8000000000001, 0x7ff0000000000001,
  1, 0x800fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,
  0x3ff0000000000000, 0xbff0000000000000, 0x3fe0000000000000, 0x4340000000000000,
  0x43e0000000000000, 0xc3e0000000000000, 0x41dfffffffc00000, 0x41e0000000000000,
  0xc1e0000000000000, 0x41f0000000000000, 0x3ff8000000000000, 0x4004000000000000,
};
static const u32 special32[] = {
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0xffc00001,
  0x7f800001, 1, 0x807fffff, 0x00800000, 0x7f7fffff, 0x3f800000, 0xbf800000,
  0x3f000000, 0x4b800000, 0x5f000000, 0xdf000000, 0x4f000000, 0xcf000000,
  0x4f800000, 0x3fc00000, 0x40200000, 0x33800000,
};

/* An operand: sometimes special, sometimes random bits, mostly a random
 * value of moderate exponent (so sums and products round interestingly). */
static u64 operand64(void) {
  u64 r = rnd();
  switch (r & 7) {
  case 0: return special64[(r >> 8) % (sizeof special64 / sizeof special64[0])];
  case 1: return rnd();
  default: {
    u64 exp = 1023 + (long)((r >> 8) % 120) - 60;
    return (r & 0x8000000000000000ul) | exp << 52 | (rnd() & 0xfffffffffffff);
  }
  }
}

static u64 operand32(void) {
  u64 r = rnd();
  u32 v;
  switch (r & 7) {
  case 0: v = special32[(r >> 8) % (sizeof special32 / sizeof special32[0])]; break;
  case 1: v = (u32)rnd(); break;
  default: {
    u32 exp = 127 + (int)((r >> 8) % 60) - 30;
    v = ((u32)r & 0x80000000u) | exp << 23 | ((u32)rnd() & 0x7fffff);
  }
  }
  return v;
}

static u64 intop(void) {
  static const u64 ints[] = { 0, 1, -1ul, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff,
    0x8000000000000000, 0x100000001, 0x20000001, 0x1000001, 0xffffffff7fffffff };
  u64 r = rnd();
  if ((r & 3) == 0) return ints[(r >> 8) % (sizeof ints / sizeof ints[0])];
  return (r & 4) ? rnd() : rnd() >> (r >> 58);
}

static u64 hash = 0xcbf29ce484222325ul;
static void mix(u64 v) {
  for (int i = 0; i < 8; i++) { hash ^= (v >> (8 * i)) & 0xff; hash *= 0x100000001b3ul; }
}

#define FF0 "csrw fflags, zero\n"
#define FF1 "csrr %1, fflags\n"
/* Three FP operands (a, b, c in ft0-ft2), FP result. */
#define F3(name, mv, insn) \
static void name(u64 a, u64 b, u64 c) { u64 r, f; \
  asm volatile(mv " ft0, %2\n" mv " ft1, %3\n" mv " ft2, %4\n" FF0 insn "\n" FF1 "fmv.x.d %0, ft3" \
    : "=r"(r), "=r"(f) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); mix(r); mix(f); }
/* FP operands, integer result (compares, classify, conversions, moves). */
#define FX(name, mv, insn) \
static void name(u64 a, u64 b, u64 c) { u64 r, f; \
  asm volatile(mv " ft0, %2\n" mv " ft1, %3\n" FF0 insn "\n" FF1 \
    : "=r"(r), "=r"(f) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1"); mix(r); mix(f); }
/* Integer operand, FP result. */
#define XF(name, insn) \
static void name(u64 a, u64 b, u64 c) { u64 r, f; \
  asm volatile(FF0 insn "\n" FF1 "fmv.x.d %0, ft3" \
    : "=r"(r), "=r"(f) : "r"(a), "r"(b), "r"(c) : "ft3"); mix(r); mix(f); }

#define BOTH(op, args) F3(op##_d, "fmv.d.x", #op ".d ft3, " args) F3(op##_s, "fmv.w.x", #op ".s ft3, " args)
BOTH(fadd, "ft0, ft1") BOTH(fsub, "ft0, ft1") BOTH(fmul, "ft0, ft1") BOTH(fdiv, "ft0, ft1")
BOTH(fsqrt, "ft0") BOTH(fmin, "ft0, ft1") BOTH(fmax, "ft0, ft1")
BOTH(fmadd, "ft0, ft1, ft2") BOTH(fmsub, "ft0, ft1, ft2") BOTH(fnmadd, "ft0, ft1, ft2") BOTH(fnmsub, "ft0, ft1, ft2")
BOTH(fsgnj, "ft0, ft1") BOTH(fsgnjn, "ft0, ft1") BOTH(fsgnjx, "ft0, ft1")
F3(fcvt_s_d, "fmv.d.x", "fcvt.s.d ft3, ft0")
F3(fcvt_d_s, "fmv.w.x", "fcvt.d.s ft3, ft0")
#define BOTHX(op, args) FX(op##_d, "fmv.d.x", #op ".d %0, " args) FX(op##_s, "fmv.w.x", #op ".s %0, " args)
BOTHX(feq, "ft0, ft1") BOTHX(flt, "ft0, ft1") BOTHX(fle, "ft0, ft1") BOTHX(fclass, "ft0")
FX(fcvt_w_d, "fmv.d.x", "fcvt.w.d %0, ft0") FX(fcvt_wu_d, "fmv.d.x", "fcvt.wu.d %0, ft0")
FX(fcvt_l_d, "fmv.d.x", "fcvt.l.d %0, ft0") FX(fcvt_lu_d, "fmv.d.x", "fcvt.lu.d %0, ft0")
FX(fcvt_w_s, "fmv.w.x", "fcvt.w.s %0, ft0") FX(fcvt_wu_s, "fmv.w.x", "fcvt.wu.s %0, ft0")
FX(fcvt_l_s, "fmv.w.x", "fcvt.l.s %0, ft0") FX(fcvt_lu_s, "fmv.w.x", "fcvt.lu.s %0, ft0")
FX(fmv_x_w, "fmv.d.x", "fmv.x.w %0, ft0")
XF(fcvt_d_w, "fcvt.d.w ft3, %2") XF(fcvt_d_wu, "fcvt.d.wu ft3, %2")
XF(fcvt_d_l, "fcvt.d.l ft3, %2") XF(fcvt_d_lu, "fcvt.d.lu ft3, %2")
XF(fcvt_s_w, "fcvt.s.w ft3, %2") XF(fcvt_s_wu, "fcvt.s.wu ft3, %2")
XF(fcvt_s_l, "fcvt.s.l ft3, %2") XF(fcvt_s_lu, "fcvt.s.lu ft3, %2")

typedef void (*op_fn)(u64, u64, u64);
static const op_fn dops[] = { fadd_d, fsub_d, fmul_d, fdiv_d, fsqrt_d, fmin_d, fmax_d, fmadd_d,
  fmsub_d, fnmadd_d, fnmsub_d, fsgnj_d, fsgnjn_d, fsgnjx_d, fcvt_s_d, feq_d, flt_d, fle_d,
  fclass_d, fcvt_w_d, fcvt_wu_d, fcvt_l_d, fcvt_lu_d, fmv_x_w };
static const op_fn sops[] = { fadd_s, fsub_s, fmul_s, fdiv_s, fsqrt_s, fmin_s, fmax_s, fmadd_s,
  fmsub_s, fnmadd_s, fnmsub_s, fsgnj_s, fsgnjn_s, fsgnjx_s, fcvt_d_s, feq_s, flt_s, fle_s,
  fclass_s, fcvt_w_s, fcvt_wu_s, fcvt_l_s, fcvt_lu_s };
static const op_fn iops[] = { fcvt_d_w, fcvt_d_wu, fcvt_d_l, fcvt_d_lu, fcvt_s_w, fcvt_s_wu,
  fcvt_s_l, fcvt_s_lu };
#define N(a) (sizeof(a) / sizeof((a)[0]))

void main(void) {
  for (u64 rm = 0; rm < 5; rm++) {
    asm volatile("csrw frm, %0" : : "r"(rm));
    for (int i = 0; i < 600; i++) {
      u64 a = operand64(), b = operand64(), c = operand64();
      /* Sometimes make c cancel a*b, or b equal a, to reach exact zeros and ties. */
      if ((i & 7) == 3) c = a ^ 0x8000000000000000ul;
      if ((i & 15) == 5) b = a;
      for (unsigned k = 0; k < N(dops); k++) dops[k](a, b, c);
      a = operand32(), b = operand32(), c = operand32();
      if ((i & 7) == 3) c = a ^ 0x80000000u;
      if ((i & 15) == 5) b = a;
      for (unsigned k = 0; k < N(sops); k++) sops[k](a, b, c);
      a = intop();
      for (unsigned k = 0; k < N(iops); k++) iops[k](a, 0, 0);
    }
  }
  for (int s = 60; s >= 0; s -= 4) putch("0123456789abcdef"[(hash >> s) & 15]);
  putch('\n');
  tohost = 1;
  for (;;) ;
}
