package softfloat

// Cross-checks against the host's IEEE arithmetic, which rounds to nearest
// even: Go's float64 and float32 operations, math.Sqrt and math.FMA. Results
// only (the host has no flags); a NaN result must be the canonical NaN.

import (
	"fmt"
	"math"
	"testing"
)

// hostCheck64 compares every binary64 operation on (a, b, c) with the host
// and returns a description of the first disagreement, or "".
func hostCheck64(a, b, c uint64) string {
	x, y, z := math.Float64frombits(a), math.Float64frombits(b), math.Float64frombits(c)
	check := func(name string, got uint64, want float64) string {
		if math.IsNaN(want) {
			if got != CanonicalNaN64 {
				return fmt.Sprintf("%s(%#x, %#x, %#x) = %#x, want canonical NaN", name, a, b, c, got)
			}
			return ""
		}
		if got != math.Float64bits(want) {
			return fmt.Sprintf("%s(%#x, %#x, %#x) = %#x, want %#x", name, a, b, c, got, math.Float64bits(want))
		}
		return ""
	}
	r := func(v uint64, _ Flags) uint64 { return v }
	// float64(...) keeps the compiler from fusing x*y+z on any platform.
	for _, msg := range []string{
		check("add", r(Add64(a, b, RNE)), float64(x+y)),
		check("sub", r(Sub64(a, b, RNE)), float64(x-y)),
		check("mul", r(Mul64(a, b, RNE)), float64(x*y)),
		check("div", r(Div64(a, b, RNE)), float64(x/y)),
		check("sqrt", r(Sqrt64(a, RNE)), math.Sqrt(x)),
		check("fmadd", r(MulAdd64(a, b, c, RNE)), math.FMA(x, y, z)),
		check("fmsub", r(MulSub64(a, b, c, RNE)), math.FMA(x, y, -z)),
		check("fnmsub", r(NegMulSub64(a, b, c, RNE)), math.FMA(-x, y, z)),
		check("fnmadd", r(NegMulAdd64(a, b, c, RNE)), math.FMA(-x, y, -z)),
		// The binary32 result is compared widened by the host (exact).
		check("fcvt.s.d", math.Float64bits(float64(math.Float32frombits(r32(F64ToF32(a, RNE))))), float64(float32(x))),
		check("fcvt.d.l", r(I64ToF64(int64(a), RNE)), float64(int64(a))),
		check("fcvt.d.lu", r(U64ToF64(a, RNE)), float64(a)),
	} {
		if msg != "" {
			return msg
		}
	}
	if x > -0x1p63 && x < 0x1p63 { // in range: Go converts toward zero
		if got, _ := F64ToI64(a, RTZ); got != int64(x) {
			return fmt.Sprintf("fcvt.l.d(%#x) RTZ = %d, want %d", a, got, int64(x))
		}
	}
	return ""
}

func r32(v uint32, _ Flags) uint32 { return v }

// hostCheck32 does the same for binary32, except the fused multiply-add,
// which the host cannot do in binary32 without double rounding.
func hostCheck32(a, b uint32) string {
	x, y := math.Float32frombits(a), math.Float32frombits(b)
	check := func(name string, got uint32, want float32) string {
		if want != want {
			if got != CanonicalNaN32 {
				return fmt.Sprintf("%s(%#x, %#x) = %#x, want canonical NaN", name, a, b, got)
			}
			return ""
		}
		if got != math.Float32bits(want) {
			return fmt.Sprintf("%s(%#x, %#x) = %#x, want %#x", name, a, b, got, math.Float32bits(want))
		}
		return ""
	}
	wide, _ := F32ToF64(a)
	if !math.IsNaN(float64(x)) && wide != math.Float64bits(float64(x)) {
		return fmt.Sprintf("fcvt.d.s(%#x) = %#x, want %#x", a, wide, math.Float64bits(float64(x)))
	}
	// The square root through binary64 is correctly rounded: 53 >= 2*24+2.
	for _, msg := range []string{
		check("add", r32(Add32(a, b, RNE)), float32(x+y)),
		check("sub", r32(Sub32(a, b, RNE)), float32(x-y)),
		check("mul", r32(Mul32(a, b, RNE)), float32(x*y)),
		check("div", r32(Div32(a, b, RNE)), float32(x/y)),
		check("sqrt", r32(Sqrt32(a, RNE)), float32(math.Sqrt(float64(x)))),
		check("fcvt.s.w", r32(I32ToF32(int32(a), RNE)), float32(int32(a))),
		check("fcvt.s.wu", r32(U32ToF32(a, RNE)), float32(a)),
	} {
		if msg != "" {
			return msg
		}
	}
	return ""
}

func TestMatchesHost(t *testing.T) {
	g64, g32 := newGen(tf64, 800), newGen(tf32, 801)
	var failures mismatchList
	for range iterations(t, 300000) {
		a, b, c := g64.triple()
		if g64.r.IntN(2) == 0 {
			a, b = g64.pair([...]string{"add", "mul", "div"}[g64.r.IntN(3)])
		}
		failures.add(hostCheck64(a, b, c))
		a, b = g32.pair([...]string{"add", "mul", "div"}[g32.r.IntN(3)])
		failures.add(hostCheck32(uint32(a), uint32(b)))
	}
	failures.assertNone(t)
}

type mismatchList struct{ mismatches }

func (m *mismatchList) add(msg string) {
	if msg != "" {
		m.count++
		if len(m.first) < 12 {
			m.first = append(m.first, msg)
		}
	}
}

// FuzzMatchesHost checks results in RNE against the host for any operands.
func FuzzMatchesHost(f *testing.F) {
	f.Add(uint64(0x3ff0000000000001), uint64(0x3fefffffffffffff), uint64(0xbff0000000000000))
	f.Add(uint64(0x0010000000000000), uint64(0x3fefffffffffffff), uint64(1))
	f.Add(uint64(0x7fefffffffffffff), uint64(0x7c90000000000000), uint64(0x7ff0000000000001))
	f.Add(uint64(0x45800800_45800800), uint64(0x30800000_007fffff), uint64(0))
	f.Fuzz(func(t *testing.T, a, b, c uint64) {
		if msg := hostCheck64(a, b, c); msg != "" {
			t.Fatal(msg)
		}
		for _, p := range [][2]uint32{{uint32(a), uint32(b)}, {uint32(a >> 32), uint32(b >> 32)}, {uint32(c), uint32(c >> 32)}} {
			if msg := hostCheck32(p[0], p[1]); msg != "" {
				t.Fatal(msg)
			}
		}
	})
}
