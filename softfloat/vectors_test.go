package softfloat

// Hand-written vectors for the well-known hard cases, with the expected
// results worked out by hand (the derivation is in each comment).

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

type vector struct {
	name  string
	op    func(rm uint8) (uint64, Flags)
	rm    uint8
	want  uint64
	flags Flags
}

func add64(a, b uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { return Add64(a, b, rm) }
}
func mul64(a, b uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { return Mul64(a, b, rm) }
}
func div64(a, b uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { return Div64(a, b, rm) }
}
func sqrt64(a uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { return Sqrt64(a, rm) }
}
func fma64(f func(a, b, c uint64, rm uint8) (uint64, Flags), a, b, c uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { return f(a, b, c, rm) }
}
func mul32(a, b uint32) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { r, f := Mul32(a, b, rm); return uint64(r), f }
}
func fma32(a, b, c uint32) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { r, f := MulAdd32(a, b, c, rm); return uint64(r), f }
}
func narrow(a uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { r, f := F64ToF32(a, rm); return uint64(r), f }
}

// allModes expands one operation into a vector per rounding mode.
func allModes(name string, op func(uint8) (uint64, Flags), want [5]uint64, flags [5]Flags) []vector {
	var vs []vector
	for _, rm := range roundingModes {
		vs = append(vs, vector{name + " " + modeNames[rm], op, rm, want[rm], flags[rm]})
	}
	return vs
}

const (
	one64     = 0x3ff0000000000000
	two64     = 0x4000000000000000
	minNorm64 = 0x0010000000000000
	maxSub64  = 0x000fffffffffffff
	max64     = 0x7fefffffffffffff
	inf64     = 0x7ff0000000000000
	sign64    = 1 << 63
	nx        = NX
	ufnx      = UF | NX
	ofnx      = OF | NX
)

func vectors() []vector {
	var vs []vector
	add := func(v ...vector) { vs = append(vs, v...) }

	// Double rounding in FMA: (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105 =
	// (2-2^-51) * 2^-54 exactly, while rounding the product first gives
	// exactly 1 and a zero result.
	add(allModes("fma double rounding",
		fma64(MulAdd64, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000),
		[5]uint64{0x3c9ffffffffffffe, 0x3c9ffffffffffffe, 0x3c9ffffffffffffe, 0x3c9ffffffffffffe, 0x3c9ffffffffffffe},
		[5]Flags{})...)
	// (1+2^-52)^2 - 1 = 2^-51 + 2^-104 = 2^-51 (1 + 2^-53): a tie that only
	// the unrounded product shows.
	add(allModes("fma exact tie",
		fma64(MulAdd64, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000),
		[5]uint64{0x3cc0000000000000, 0x3cc0000000000000, 0x3cc0000000000000, 0x3cc0000000000001, 0x3cc0000000000001},
		[5]Flags{nx, nx, nx, nx, nx})...)
	// 1 + 2^-1074: only the sticky bit records the addend.
	add(allModes("fma sticky addend", fma64(MulAdd64, one64, one64, 1),
		[5]uint64{one64, one64, one64, one64 + 1, one64},
		[5]Flags{nx, nx, nx, nx, nx})...)
	// binary32: 4097*4097 = 2^24 + 2^13 + 1 is halfway between two binary32
	// numbers; the addend 2^-30 breaks the tie upward. Going through a
	// binary64 sum would lose it (it is below half a binary64 ulp there).
	add(allModes("fma32 tie broken by addend", fma32(0x45800800, 0x45800800, 0x30800000),
		[5]uint64{0x4b801001, 0x4b801000, 0x4b801000, 0x4b801001, 0x4b801001},
		[5]Flags{nx, nx, nx, nx, nx})...)
	// inf*0 + qNaN is invalid on RISC-V.
	add(vector{"fma inf*0+qNaN", fma64(MulAdd64, inf64, 0, CanonicalNaN64), RNE, CanonicalNaN64, NV})
	add(vector{"fma 0*inf+qNaN", fma64(MulAdd64, 0, inf64|sign64, 0x7ff8000000000abc), RNE, CanonicalNaN64, NV})
	add(vector{"fma 2*3+qNaN", fma64(MulAdd64, two64, 0x4008000000000000, CanonicalNaN64), RNE, CanonicalNaN64, 0})
	add(vector{"fma inf*2-inf", fma64(MulAdd64, inf64, two64, inf64|sign64), RNE, CanonicalNaN64, NV})
	// Exact zeros: 1.5*2 - 3 is +0, or -0 rounding down.
	add(allModes("fma exact cancellation", fma64(MulAdd64, 0x3ff8000000000000, two64, 0xc008000000000000),
		[5]uint64{0, 0, sign64, 0, 0}, [5]Flags{})...)
	add(allModes("fma +0*1 + -0", fma64(MulAdd64, 0, one64, sign64),
		[5]uint64{0, 0, sign64, 0, 0}, [5]Flags{})...)
	add(allModes("fma -0*1 + -0", fma64(MulAdd64, sign64, one64, sign64),
		[5]uint64{sign64, sign64, sign64, sign64, sign64}, [5]Flags{})...)
	add(allModes("fnmsub 1*1 (-(1)+1)", fma64(NegMulSub64, one64, one64, one64),
		[5]uint64{0, 0, sign64, 0, 0}, [5]Flags{})...)
	add(vector{"fnmadd -(1*2.5)-1", fma64(NegMulAdd64, one64, 0x4004000000000000, one64), RNE, 0xc00c000000000000, 0})
	add(vector{"fmsub 1*2.5-1", fma64(MulSub64, one64, 0x4004000000000000, one64), RNE, 0x3ff8000000000000, 0})
	add(vector{"fnmsub -(1*2.5)+1", fma64(NegMulSub64, one64, 0x4004000000000000, one64), RNE, 0xbff8000000000000, 0})
	// 0 * x + c is exactly c, even a subnormal c.
	add(vector{"fma 0*x+subnormal", fma64(MulAdd64, 0, max64, 3|sign64), RUP, 3 | sign64, 0})

	// Tininess after rounding. 2^-1022 * (1-2^-53) = 2^-1022 - 2^-1075 is
	// exact with an unbounded exponent, so tiny; on the subnormal grid it is
	// a tie between maxSub and minNorm, and RNE picks minNorm (even): the
	// result is normal, yet UF is raised.
	add(allModes("mul tiny after rounding, rounds to min normal", mul64(minNorm64, 0x3fefffffffffffff),
		[5]uint64{minNorm64, maxSub64, maxSub64, minNorm64, minNorm64},
		[5]Flags{ufnx, ufnx, ufnx, ufnx, ufnx})...)
	// maxSub * (1+2^-52) = (1 - 2^-104) 2^-1022. Rounded to 53 bits with an
	// unbounded exponent it becomes 2^-1022 in RNE, RUP and RMM: not tiny,
	// so no UF; RTZ and RDN keep it below: tiny.
	add(allModes("mul just below min normal", mul64(maxSub64, 0x3ff0000000000001),
		[5]uint64{minNorm64, maxSub64, maxSub64, minNorm64, minNorm64},
		[5]Flags{nx, ufnx, ufnx, nx, nx})...)
	add(allModes("mul32 just below min normal", mul32(0x007fffff, 0x3f800001),
		[5]uint64{0x00800000, 0x007fffff, 0x007fffff, 0x00800000, 0x00800000},
		[5]Flags{nx, ufnx, ufnx, nx, nx})...)
	add(allModes("mul32 -tiny just below min normal", mul32(0x807fffff, 0x3f800001),
		[5]uint64{0x80800000, 0x807fffff, 0x80800000, 0x807fffff, 0x80800000},
		[5]Flags{nx, ufnx, nx, ufnx, nx})...)
	// An exact subnormal result raises nothing.
	add(vector{"mul exact subnormal", mul64(minNorm64, 0x3fe0000000000000), RNE, 0x0008000000000000, 0})

	// Subnormal outputs in every mode: 3*2^-1074 / 2 = 1.5 * 2^-1074.
	add(allModes("div subnormal tie", div64(3, two64),
		[5]uint64{2, 1, 1, 2, 2}, [5]Flags{ufnx, ufnx, ufnx, ufnx, ufnx})...)
	add(allModes("div -subnormal tie", div64(3|sign64, two64),
		[5]uint64{2 | sign64, 1 | sign64, 2 | sign64, 1 | sign64, 2 | sign64},
		[5]Flags{ufnx, ufnx, ufnx, ufnx, ufnx})...)
	// 2^-1074 / 2 = 2^-1075, halfway between 0 and the smallest subnormal.
	add(allModes("div to zero or min subnormal", div64(1, two64),
		[5]uint64{0, 0, 0, 1, 1}, [5]Flags{ufnx, ufnx, ufnx, ufnx, ufnx})...)
	add(allModes("mul -min subnormal * 0.25", mul64(1|sign64, 0x3fd0000000000000),
		[5]uint64{sign64, sign64, 1 | sign64, sign64, sign64},
		[5]Flags{ufnx, ufnx, ufnx, ufnx, ufnx})...)

	// Overflow in every mode.
	add(allModes("mul overflow", mul64(max64, two64),
		[5]uint64{inf64, max64, max64, inf64, inf64}, [5]Flags{ofnx, ofnx, ofnx, ofnx, ofnx})...)
	add(allModes("mul -overflow", mul64(max64|sign64, two64),
		[5]uint64{inf64 | sign64, max64 | sign64, inf64 | sign64, max64 | sign64, inf64 | sign64},
		[5]Flags{ofnx, ofnx, ofnx, ofnx, ofnx})...)
	// max + half an ulp (2^970): a tie whose even neighbour is 2^1024. The
	// modes that round down stay at max, inexact but not overflowing.
	add(allModes("add max + half ulp", add64(max64, 0x7c90000000000000),
		[5]uint64{inf64, max64, max64, inf64, inf64}, [5]Flags{ofnx, nx, nx, ofnx, ofnx})...)
	add(allModes("add max + quarter ulp", add64(max64, 0x7c80000000000000),
		[5]uint64{max64, max64, max64, inf64, max64}, [5]Flags{nx, nx, nx, ofnx, nx})...)

	// Exact zero sums.
	add(allModes("add 1 + -1", add64(one64, one64|sign64),
		[5]uint64{0, 0, sign64, 0, 0}, [5]Flags{})...)
	add(allModes("add +0 + -0", add64(0, sign64),
		[5]uint64{0, 0, sign64, 0, 0}, [5]Flags{})...)
	add(allModes("add -0 + -0", add64(sign64, sign64),
		[5]uint64{sign64, sign64, sign64, sign64, sign64}, [5]Flags{})...)
	add(vector{"sub 0 - 0 RDN", func(rm uint8) (uint64, Flags) { return Sub64(0, 0, rm) }, RDN, sign64, 0})
	add(vector{"add inf - inf", add64(inf64, inf64|sign64), RNE, CanonicalNaN64, NV})
	add(vector{"add NaN payload dropped", add64(0xfff8000000000123, one64), RNE, CanonicalNaN64, 0})
	add(vector{"add sNaN", add64(one64, 0x7ff0000000000001), RNE, CanonicalNaN64, NV})

	// Division and square root specials.
	add(vector{"div 1/0", div64(one64, 0), RNE, inf64, DZ})
	add(vector{"div -1/+0", div64(one64|sign64, 0), RNE, inf64 | sign64, DZ})
	add(vector{"div 0/0", div64(0, sign64), RNE, CanonicalNaN64, NV})
	add(vector{"div inf/0", div64(inf64, 0), RNE, inf64, 0})
	add(vector{"div inf/inf", div64(inf64, inf64), RNE, CanonicalNaN64, NV})
	add(allModes("div 1/3", div64(one64, 0x4008000000000000),
		[5]uint64{0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555556, 0x3fd5555555555555},
		[5]Flags{nx, nx, nx, nx, nx})...)
	add(allModes("sqrt 2", sqrt64(two64),
		[5]uint64{0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcd},
		[5]Flags{nx, nx, nx, nx, nx})...)
	add(vector{"sqrt -0", sqrt64(sign64), RNE, sign64, 0})
	add(vector{"sqrt -1", sqrt64(one64 | sign64), RNE, CanonicalNaN64, NV})
	add(vector{"sqrt -inf", sqrt64(inf64 | sign64), RNE, CanonicalNaN64, NV})
	add(vector{"sqrt inf", sqrt64(inf64), RNE, inf64, 0})
	add(vector{"sqrt 4", sqrt64(0x4010000000000000), RNE, two64, 0})
	add(vector{"sqrt min subnormal", sqrt64(1), RNE, 0x1e60000000000000, 0}) // 2^-537
	add(vector{"inf*0", mul64(inf64, sign64), RNE, CanonicalNaN64, NV})

	// Narrowing: 1 + 2^-24 is a binary32 tie.
	add(allModes("narrow tie", narrow(0x3ff0000010000000),
		[5]uint64{0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001},
		[5]Flags{nx, nx, nx, nx, nx})...)
	// 2^128 - 2^103 is halfway between the largest binary32 and 2^128.
	add(allModes("narrow overflow tie", narrow(0x47efffff_f0000000),
		[5]uint64{0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000},
		[5]Flags{ofnx, nx, nx, ofnx, ofnx})...)
	// 2^-150 is halfway between 0 and the smallest binary32 subnormal.
	add(allModes("narrow underflow", narrow(0x3690000000000000),
		[5]uint64{0, 0, 0, 1, 1}, [5]Flags{ufnx, ufnx, ufnx, ufnx, ufnx})...)
	add(vector{"narrow sNaN", narrow(0x7ff0000000000001), RNE, uint64(CanonicalNaN32), NV})
	add(vector{"narrow -inf", narrow(inf64 | sign64), RNE, 0xff800000, 0})
	return vs
}

func TestVectors(t *testing.T) {
	for _, v := range vectors() {
		t.Run(v.name, func(t *testing.T) {
			got, flags := v.op(v.rm)
			assert.Equal(t, v.want, got, "result %#x, want %#x", got, v.want)
			assert.Equal(t, v.flags, flags, "flags %05b, want %05b", flags, v.flags)
		})
	}
}

func TestWidenVectors(t *testing.T) {
	tests := []struct {
		a     uint32
		want  uint64
		flags Flags
	}{
		{0x00000001, 0x36a0000000000000, 0}, // smallest subnormal, 2^-149
		{0x80800000, 0xb810000000000000, 0}, // -2^-126
		{0x7f7fffff, 0x47efffffe0000000, 0},
		{0xff800000, 0xfff0000000000000, 0},
		{0x80000000, 0x8000000000000000, 0},
		{0x7f800001, CanonicalNaN64, NV},
		{0xffc00001, CanonicalNaN64, 0},
	}
	for _, tt := range tests {
		got, flags := F32ToF64(tt.a)
		assert.Equal(t, tt.want, got, "widen %#x", tt.a)
		assert.Equal(t, tt.flags, flags, "widen %#x flags", tt.a)
	}
}
