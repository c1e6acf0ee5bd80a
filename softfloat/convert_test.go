package softfloat

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

type toIntCase struct {
	name   string
	signed bool
	width  uint
	impl   unaryFunc // returns the integer's two's-complement pattern, width bits
}

func toIntCases(t testFormat) []toIntCase {
	if t.width == 32 {
		return []toIntCase{
			{"w", true, 32, func(a uint64, rm uint8) (uint64, Flags) { r, f := F32ToI32(uint32(a), rm); return uint64(uint32(r)), f }},
			{"wu", false, 32, func(a uint64, rm uint8) (uint64, Flags) { r, f := F32ToU32(uint32(a), rm); return uint64(r), f }},
			{"l", true, 64, func(a uint64, rm uint8) (uint64, Flags) { r, f := F32ToI64(uint32(a), rm); return uint64(r), f }},
			{"lu", false, 64, func(a uint64, rm uint8) (uint64, Flags) { return F32ToU64(uint32(a), rm) }},
		}
	}
	return []toIntCase{
		{"w", true, 32, func(a uint64, rm uint8) (uint64, Flags) { r, f := F64ToI32(a, rm); return uint64(uint32(r)), f }},
		{"wu", false, 32, func(a uint64, rm uint8) (uint64, Flags) { r, f := F64ToU32(a, rm); return uint64(r), f }},
		{"l", true, 64, func(a uint64, rm uint8) (uint64, Flags) { r, f := F64ToI64(a, rm); return uint64(r), f }},
		{"lu", false, 64, F64ToU64},
	}
}

type fromIntCase struct {
	name   string
	signed bool
	width  uint
	impl   unaryFunc // takes the integer's pattern
}

func fromIntCases(t testFormat) []fromIntCase {
	if t.width == 32 {
		return []fromIntCase{
			{"w", true, 32, func(x uint64, rm uint8) (uint64, Flags) { r, f := I32ToF32(int32(x), rm); return uint64(r), f }},
			{"wu", false, 32, func(x uint64, rm uint8) (uint64, Flags) { r, f := U32ToF32(uint32(x), rm); return uint64(r), f }},
			{"l", true, 64, func(x uint64, rm uint8) (uint64, Flags) { r, f := I64ToF32(int64(x), rm); return uint64(r), f }},
			{"lu", false, 64, func(x uint64, rm uint8) (uint64, Flags) { r, f := U64ToF32(x, rm); return uint64(r), f }},
		}
	}
	return []fromIntCase{
		{"w", true, 32, func(x uint64, rm uint8) (uint64, Flags) { return I32ToF64(int32(x), rm) }},
		{"wu", false, 32, func(x uint64, rm uint8) (uint64, Flags) { return U32ToF64(uint32(x), rm) }},
		{"l", true, 64, func(x uint64, rm uint8) (uint64, Flags) { return I64ToF64(int64(x), rm) }},
		{"lu", false, 64, U64ToF64},
	}
}

// intOperand returns a float near the integer boundaries that matter for
// conversions, or near small integers where rounding decides everything.
func (g gen) intOperand() uint64 {
	exps := [...]int{-3, -2, -1, 0, 1, 2, 30, 31, 32, 33, 52, 53, 62, 63, 64, 65}
	switch g.r.IntN(4) {
	case 0:
		return g.operand()
	case 1: // a tie or near-tie: k.5 and neighbours
		e := exps[g.r.IntN(len(exps))]
		return g.withExp(e)
	}
	return g.near(exps[g.r.IntN(len(exps))])
}

// intPattern returns an integer pattern rich in boundaries and ties.
func (g gen) intPattern(width uint) uint64 {
	var x uint64
	switch g.r.IntN(6) {
	case 0:
		specials := [...]uint64{0, 1, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1<<63 - 1, 1 << 63, ^uint64(0), ^uint64(0) - 1}
		x = specials[g.r.IntN(len(specials))]
	case 1: // a few significant bits, shifted: exact or halfway conversions
		x = (g.r.Uint64()>>g.r.IntN(64) | 1) << g.r.IntN(64)
	case 2: // 2^k +- small
		x = 1<<g.r.IntN(64) + uint64(g.r.IntN(5)) - 2
	case 3:
		x = uint64(g.r.IntN(1000))
	default:
		x = g.r.Uint64() >> g.r.IntN(64)
	}
	if g.r.IntN(3) == 0 {
		x = -x
	}
	if width == 32 {
		x &= 1<<32 - 1
	}
	return x
}

func TestFloatToIntMatchesReference(t *testing.T) {
	for _, tf := range testFormats {
		for i, op := range toIntCases(tf) {
			t.Run(tf.name+"/"+op.name, func(t *testing.T) {
				g := newGen(tf, uint64(400*tf.width)+uint64(i))
				mask := uint64(1)<<op.width - 1
				if op.width == 64 {
					mask = ^uint64(0)
				}
				var m mismatches
				for range iterations(t, 50000) {
					a := g.intOperand()
					for _, rm := range roundingModes {
						got, gotFl := op.impl(a, rm)
						want, wantFl := tf.refToInt(a, rm, op.signed, op.width)
						m.check(fmt.Sprintf("fcvt.%s(%#x) %s", op.name, a, modeNames[rm]),
							got&mask, gotFl, want, wantFl)
					}
				}
				m.assertNone(t)
			})
		}
	}
}

func TestIntToFloatMatchesReference(t *testing.T) {
	for _, tf := range testFormats {
		for i, op := range fromIntCases(tf) {
			t.Run(tf.name+"/"+op.name, func(t *testing.T) {
				g := newGen(tf, uint64(500*tf.width)+uint64(i))
				var m mismatches
				for range iterations(t, 50000) {
					x := g.intPattern(op.width)
					for _, rm := range roundingModes {
						got, gotFl := op.impl(x, rm)
						want, wantFl := tf.refFromInt(x, op.signed, op.width, rm)
						m.check(fmt.Sprintf("fcvt.from.%s(%#x) %s", op.name, x, modeNames[rm]),
							got, gotFl, want, wantFl)
					}
				}
				m.assertNone(t)
			})
		}
	}
}

func TestFormatConversionsMatchReference(t *testing.T) {
	g := newGen(tf64, 600)
	var narrow, widen mismatches
	for range iterations(t, 50000) {
		// Doubles aimed at the binary32 range ends, and anything else.
		var a uint64
		switch g.r.IntN(4) {
		case 0:
			a = g.operand()
		case 1:
			a = g.near(tf32.emin - g.r.IntN(int(tf32.prec)+2))
		case 2:
			a = g.near(tf32.emax)
		default:
			a = g.near(g.r.IntN(20) - 10)
		}
		for _, rm := range roundingModes {
			got, gotFl := F64ToF32(a, rm)
			want, wantFl := tf32.refConvert(tf64, a, rm)
			narrow.check(fmt.Sprintf("fcvt.s.d(%#x) %s", a, modeNames[rm]), uint64(got), gotFl, want, wantFl)
		}
		s := uint32(newGen(tf32, a).operand())
		got, gotFl := F32ToF64(s)
		want, wantFl := tf64.refConvert(tf32, uint64(s), RNE)
		widen.check(fmt.Sprintf("fcvt.d.s(%#x)", s), got, gotFl, want, wantFl)
	}
	narrow.assertNone(t)
	widen.assertNone(t)
}

func TestFloatToIntVectors(t *testing.T) {
	const (
		two31  = 0x41e0000000000000 // 2^31 as binary64
		two32  = 0x41f0000000000000
		two63  = 0x43e0000000000000
		two64  = 0x43f0000000000000
		two63f = 0x5f000000 // 2^63 as binary32
	)
	d := math.Float64bits
	tests := []struct {
		name  string
		got   func(rm uint8) (uint64, Flags)
		rm    uint8
		want  uint64
		flags Flags
	}{
		// Around 2^31 for fcvt.w.d, in every mode.
		{"w(2^31-0.5) RNE", w64(d(2147483647.5)), RNE, 0x7fffffff, NV}, // ties to even: 2^31
		{"w(2^31-0.5) RTZ", w64(d(2147483647.5)), RTZ, 0x7fffffff, NX},
		{"w(2^31-0.5) RDN", w64(d(2147483647.5)), RDN, 0x7fffffff, NX},
		{"w(2^31-0.5) RUP", w64(d(2147483647.5)), RUP, 0x7fffffff, NV},
		{"w(2^31-0.5) RMM", w64(d(2147483647.5)), RMM, 0x7fffffff, NV},
		{"w(2^31-0.25) RNE", w64(d(2147483647.25)), RNE, 0x7fffffff, NX},
		{"w(2^31) RTZ", w64(two31), RTZ, 0x7fffffff, NV},
		{"w(-2^31) RNE", w64(two31 | 1<<63), RNE, 0x80000000, 0},
		{"w(-2^31-0.5) RNE", w64(d(-2147483648.5)), RNE, 0x80000000, NX}, // tie to even
		{"w(-2^31-0.5) RMM", w64(d(-2147483648.5)), RMM, 0x80000000, NV},
		{"w(-2^31-0.5) RTZ", w64(d(-2147483648.5)), RTZ, 0x80000000, NX},
		{"w(-2^31-0.5) RUP", w64(d(-2147483648.5)), RUP, 0x80000000, NX},
		{"w(-2^31-0.5) RDN", w64(d(-2147483648.5)), RDN, 0x80000000, NV},
		{"w(-2^31-1) RTZ", w64(d(-2147483649)), RTZ, 0x80000000, NV},
		// fcvt.wu.d.
		{"wu(2^32-0.5) RNE", wu64(d(4294967295.5)), RNE, 0xffffffff, NV},
		{"wu(2^32-0.5) RDN", wu64(d(4294967295.5)), RDN, 0xffffffff, NX},
		{"wu(2^32) RTZ", wu64(two32), RTZ, 0xffffffff, NV},
		{"wu(-0.3) RTZ", wu64(d(-0.3)), RTZ, 0, NX},
		{"wu(-0.3) RNE", wu64(d(-0.3)), RNE, 0, NX},
		{"wu(-0.3) RDN", wu64(d(-0.3)), RDN, 0, NV},
		{"wu(-0.5) RMM", wu64(d(-0.5)), RMM, 0, NV},
		{"wu(-0.5) RNE", wu64(d(-0.5)), RNE, 0, NX},
		{"wu(-1) RTZ", wu64(d(-1)), RTZ, 0, NV},
		{"wu(-0) RNE", wu64(1 << 63), RNE, 0, 0},
		{"wu(-inf)", wu64(d(math.Inf(-1))), RNE, 0, NV},
		{"wu(NaN)", wu64(CanonicalNaN64), RNE, 0xffffffff, NV},
		{"wu(-NaN)", wu64(CanonicalNaN64 | 1<<63), RNE, 0xffffffff, NV},
		// fcvt.l.d and fcvt.lu.d around 2^63 and 2^64.
		{"l(2^63) RNE", l64(two63), RNE, 1<<63 - 1, NV},
		{"l(2^63-1024) RNE", l64(two63 - 1), RNE, 1<<63 - 1024, 0},
		{"l(-2^63) RUP", l64(two63 | 1<<63), RUP, 1 << 63, 0},
		{"l(-2^63-2048) RUP", l64(two63 | 1<<63 + 1), RUP, 1 << 63, NV},
		{"l(NaN)", l64(CanonicalNaN64 | 1<<63), RNE, 1<<63 - 1, NV},
		{"l(-inf)", l64(d(math.Inf(-1))), RNE, 1 << 63, NV},
		{"l(-0.5) RDN", l64(d(-0.5)), RDN, ^uint64(0), NX},
		{"l(2.5) RNE", l64(d(2.5)), RNE, 2, NX},
		{"l(2.5) RMM", l64(d(2.5)), RMM, 3, NX},
		{"l(-2.5) RMM", l64(d(-2.5)), RMM, ^uint64(2), NX},
		{"l(-2.5) RUP", l64(d(-2.5)), RUP, ^uint64(1), NX},
		{"lu(2^64) RNE", lu64(two64), RNE, ^uint64(0), NV},
		{"lu(2^64-2048) RNE", lu64(two64 - 1), RNE, ^uint64(0) - 2047, 0},
		{"lu(2^63) RNE", lu64(two63), RNE, 1 << 63, 0},
		{"lu(inf)", lu64(d(math.Inf(1))), RNE, ^uint64(0), NV},
		// binary32 sources.
		{"s.l(2^63) RNE", func(rm uint8) (uint64, Flags) { r, f := F32ToI64(two63f, rm); return uint64(r), f }, RNE, 1<<63 - 1, NV},
		{"s.l(-2^63) RNE", func(rm uint8) (uint64, Flags) { r, f := F32ToI64(two63f|1<<31, rm); return uint64(r), f }, RNE, 1 << 63, 0},
		{"s.w(2^31-128) RNE", func(rm uint8) (uint64, Flags) { r, f := F32ToI32(0x4effffff, rm); return uint64(uint32(r)), f }, RNE, 0x7fffff80, 0},
		{"s.wu(-0.75) RTZ", func(rm uint8) (uint64, Flags) { r, f := F32ToU32(0xbf400000, rm); return uint64(r), f }, RTZ, 0, NX},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, flags := tt.got(tt.rm)
			assert.Equal(t, tt.want, got, "result")
			assert.Equal(t, tt.flags, flags, "flags")
		})
	}
}

func w64(a uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { r, f := F64ToI32(a, rm); return uint64(uint32(r)), f }
}
func wu64(a uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { r, f := F64ToU32(a, rm); return uint64(r), f }
}
func l64(a uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { r, f := F64ToI64(a, rm); return uint64(r), f }
}
func lu64(a uint64) func(uint8) (uint64, Flags) {
	return func(rm uint8) (uint64, Flags) { return F64ToU64(a, rm) }
}

func TestIntToFloatVectors(t *testing.T) {
	tests := []struct {
		name  string
		got   func() (uint64, Flags)
		want  uint64
		flags Flags
	}{
		{"d.l(2^63-1) RNE", func() (uint64, Flags) { return I64ToF64(math.MaxInt64, RNE) }, 0x43e0000000000000, NX},
		{"d.l(2^63-1) RTZ", func() (uint64, Flags) { return I64ToF64(math.MaxInt64, RTZ) }, 0x43dfffffffffffff, NX},
		{"d.l(-2^63) RNE", func() (uint64, Flags) { return I64ToF64(math.MinInt64, RNE) }, 0xc3e0000000000000, 0},
		{"d.l(0)", func() (uint64, Flags) { return I64ToF64(0, RDN) }, 0, 0},
		{"d.lu(2^64-1) RUP", func() (uint64, Flags) { return U64ToF64(math.MaxUint64, RUP) }, 0x43f0000000000000, NX},
		{"d.lu(2^64-1) RDN", func() (uint64, Flags) { return U64ToF64(math.MaxUint64, RDN) }, 0x43efffffffffffff, NX},
		{"d.lu(2^53+1) RNE (tie to even)", func() (uint64, Flags) { return U64ToF64(1<<53+1, RNE) }, 0x4340000000000000, NX},
		{"d.lu(2^53+1) RMM (tie away)", func() (uint64, Flags) { return U64ToF64(1<<53+1, RMM) }, 0x4340000000000001, NX},
		{"d.l(-(2^53+1)) RDN", func() (uint64, Flags) { return I64ToF64(-(1<<53 + 1), RDN) }, 0xc340000000000001, NX},
		{"d.w(-2^31)", func() (uint64, Flags) { return I32ToF64(math.MinInt32, RTZ) }, 0xc1e0000000000000, 0},
		{"d.wu(2^32-1)", func() (uint64, Flags) { return U32ToF64(math.MaxUint32, RTZ) }, 0x41efffffffe00000, 0},
		{"s.w(2^31-1) RNE", func() (uint64, Flags) { r, f := I32ToF32(math.MaxInt32, RNE); return uint64(r), f }, 0x4f000000, NX},
		{"s.w(2^31-1) RTZ", func() (uint64, Flags) { r, f := I32ToF32(math.MaxInt32, RTZ); return uint64(r), f }, 0x4effffff, NX},
		{"s.wu(2^24+1) RNE", func() (uint64, Flags) { r, f := U32ToF32(1<<24+1, RNE); return uint64(r), f }, 0x4b800000, NX},
		{"s.wu(2^24+1) RUP", func() (uint64, Flags) { r, f := U32ToF32(1<<24+1, RUP); return uint64(r), f }, 0x4b800001, NX},
		{"s.l(-2^63)", func() (uint64, Flags) { r, f := I64ToF32(math.MinInt64, RUP); return uint64(r), f }, 0xdf000000, 0},
		{"s.lu(2^64-1) RNE", func() (uint64, Flags) { r, f := U64ToF32(math.MaxUint64, RNE); return uint64(r), f }, 0x5f800000, NX},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, flags := tt.got()
			assert.Equal(t, tt.want, got, "result")
			assert.Equal(t, tt.flags, flags, "flags")
		})
	}
}
