package softfloat

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Host-based references for the operations that do not round.

func (t testFormat) refMinMax(a, b uint64, wantMax bool) (uint64, Flags) {
	fl := invalidIf(t.isSNaN(a) || t.isSNaN(b))
	switch {
	case t.isNaN(a) && t.isNaN(b):
		return t.qnan(), fl
	case t.isNaN(a):
		return b, fl
	case t.isNaN(b):
		return a, fl
	}
	x, y := t.host(a), t.host(b)
	switch {
	case x < y != wantMax && x != y:
		return a, fl
	case x != y:
		return b, fl
	case t.neg(a) != t.neg(b): // +0 and -0
		if t.neg(a) != wantMax {
			return a, fl
		}
		return b, fl
	}
	return a, fl
}

func (t testFormat) refCompare(a, b uint64, op string) (bool, Flags) {
	x, y := t.host(a), t.host(b)
	switch op {
	case "eq":
		return x == y, invalidIf(t.isSNaN(a) || t.isSNaN(b))
	case "lt":
		return x < y, invalidIf(t.isNaN(a) || t.isNaN(b))
	}
	return x <= y, invalidIf(t.isNaN(a) || t.isNaN(b))
}

func (t testFormat) refClass(a uint64) uint64 {
	x := t.host(a)
	minNormal := math.Ldexp(1, t.emin)
	var bit int
	switch {
	case t.isSNaN(a):
		return 1 << 8
	case t.isNaN(a):
		return 1 << 9
	case math.IsInf(x, -1):
		bit = 0
	case math.IsInf(x, 1):
		bit = 7
	case x == 0 && t.neg(a):
		bit = 3
	case x == 0:
		bit = 4
	case x <= -minNormal:
		bit = 1
	case x < 0:
		bit = 2
	case x < minNormal:
		bit = 5
	default:
		bit = 6
	}
	return 1 << bit
}

type compareImpl struct {
	minMax  func(a, b uint64, wantMax bool) (uint64, Flags)
	compare func(a, b uint64, op string) (bool, Flags)
	class   func(a uint64) uint64
}

func compareImpls(t testFormat) compareImpl {
	if t.width == 32 {
		return compareImpl{
			minMax: func(a, b uint64, wantMax bool) (uint64, Flags) {
				f := Min32
				if wantMax {
					f = Max32
				}
				r, fl := f(uint32(a), uint32(b))
				return uint64(r), fl
			},
			compare: func(a, b uint64, op string) (bool, Flags) {
				f := map[string]func(a, b uint32) (bool, Flags){"eq": Eq32, "lt": Lt32, "le": Le32}[op]
				return f(uint32(a), uint32(b))
			},
			class: func(a uint64) uint64 { return Class32(uint32(a)) },
		}
	}
	return compareImpl{
		minMax: func(a, b uint64, wantMax bool) (uint64, Flags) {
			if wantMax {
				return Max64(a, b)
			}
			return Min64(a, b)
		},
		compare: func(a, b uint64, op string) (bool, Flags) {
			return map[string]func(a, b uint64) (bool, Flags){"eq": Eq64, "lt": Lt64, "le": Le64}[op](a, b)
		},
		class: Class64,
	}
}

func TestCompareOpsMatchReference(t *testing.T) {
	for _, tf := range testFormats {
		t.Run(tf.name, func(t *testing.T) {
			g := newGen(tf, uint64(700*tf.width))
			impl := compareImpls(tf)
			var m mismatches
			for range iterations(t, 50000) {
				a, b := g.operand(), g.operand()
				if g.r.IntN(4) == 0 {
					b = a ^ uint64(g.r.IntN(2))*tf.signBit() // equal, or opposite sign
				}
				for _, wantMax := range []bool{false, true} {
					got, gotFl := impl.minMax(a, b, wantMax)
					want, wantFl := tf.refMinMax(a, b, wantMax)
					m.check(fmt.Sprintf("minmax(%#x, %#x, max=%v)", a, b, wantMax), got, gotFl, want, wantFl)
				}
				for _, op := range []string{"eq", "lt", "le"} {
					got, gotFl := impl.compare(a, b, op)
					want, wantFl := tf.refCompare(a, b, op)
					m.check(fmt.Sprintf("%s(%#x, %#x)", op, a, b), boolBit(got), gotFl, boolBit(want), wantFl)
				}
				m.check(fmt.Sprintf("class(%#x)", a), impl.class(a), 0, tf.refClass(a), 0)
			}
			m.assertNone(t)
		})
	}
}

func TestMinMaxVectors(t *testing.T) {
	const (
		pz, nz = 0x0000000000000000, 0x8000000000000000
		one    = 0x3ff0000000000000
		negOne = 0xbff0000000000000
		qnan   = CanonicalNaN64
		snan   = 0x7ff0000000000001
		pqnan  = 0xfff8000000000123 // negative quiet NaN with a payload
	)
	tests := []struct {
		name     string
		a, b     uint64
		min, max uint64
		flags    Flags
	}{
		{"zeros", pz, nz, nz, pz, 0},
		{"zeros swapped", nz, pz, nz, pz, 0},
		{"ordered", negOne, one, negOne, one, 0},
		{"one qNaN", qnan, one, one, one, 0},
		{"one qNaN second", negOne, pqnan, negOne, negOne, 0},
		{"one sNaN", snan, one, one, one, NV},
		{"two qNaNs", pqnan, qnan, qnan, qnan, 0},
		{"qNaN and sNaN", pqnan, snan, qnan, qnan, NV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fl := Min64(tt.a, tt.b)
			assert.Equal(t, tt.min, got, "min")
			assert.Equal(t, tt.flags, fl, "min flags")
			got, fl = Max64(tt.a, tt.b)
			assert.Equal(t, tt.max, got, "max")
			assert.Equal(t, tt.flags, fl, "max flags")
		})
	}
	got, fl := Min32(0x7f800001, 0xbf800000)
	assert.Equal(t, uint32(0xbf800000), got)
	assert.Equal(t, NV, fl)
	got, fl = Max32(0x7fc00001, 0xffc00000)
	assert.Equal(t, CanonicalNaN32, got)
	assert.Zero(t, fl)
}

func TestComparisonVectors(t *testing.T) {
	const snan, qnan = 0x7ff4000000000000, CanonicalNaN64
	tests := []struct {
		name       string
		a, b       uint64
		eq, lt, le bool
		eqFl, ltFl Flags // ltFl is also le's
	}{
		{"+0 -0", 0, 1 << 63, true, false, true, 0, 0},
		{"-0 +0", 1 << 63, 0, true, false, true, 0, 0},
		{"-1 1", 0xbff0000000000000, 0x3ff0000000000000, false, true, true, 0, 0},
		{"-inf -max", 0xfff0000000000000, 0xffefffffffffffff, false, true, true, 0, 0},
		{"qNaN", qnan, 0, false, false, false, 0, NV},
		{"qNaN qNaN", qnan, qnan, false, false, false, 0, NV},
		{"sNaN", 0, snan, false, false, false, NV, NV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, fl := Eq64(tt.a, tt.b)
			assert.Equal(t, tt.eq, r, "eq")
			assert.Equal(t, tt.eqFl, fl, "eq flags")
			r, fl = Lt64(tt.a, tt.b)
			assert.Equal(t, tt.lt, r, "lt")
			assert.Equal(t, tt.ltFl, fl, "lt flags")
			r, fl = Le64(tt.a, tt.b)
			assert.Equal(t, tt.le, r, "le")
			assert.Equal(t, tt.ltFl, fl, "le flags")
		})
	}
	r, fl := Eq32(0x7fc00000, 0x7fc00000)
	assert.False(t, r)
	assert.Zero(t, fl)
	r, fl = Lt32(0x80000001, 0x00000000)
	assert.True(t, r)
	assert.Zero(t, fl)
	r, fl = Le32(0x7f800001, 0x7f800000)
	assert.False(t, r)
	assert.Equal(t, NV, fl)
}

func TestClassVectors(t *testing.T) {
	tests := []struct {
		a    uint64
		want uint64
	}{
		{0xfff0000000000000, 1 << 0},
		{0xbff0000000000000, 1 << 1},
		{0x800fffffffffffff, 1 << 2},
		{0x8000000000000000, 1 << 3},
		{0x0000000000000000, 1 << 4},
		{0x0000000000000001, 1 << 5},
		{0x0010000000000000, 1 << 6},
		{0x7ff0000000000000, 1 << 7},
		{0x7ff0000000000001, 1 << 8},
		{0xfff4000000000000, 1 << 8},
		{0x7ff8000000000000, 1 << 9},
		{0xfff8000000000001, 1 << 9},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Class64(tt.a), "class %#x", tt.a)
	}
	assert.Equal(t, uint64(1<<2), Class32(0x807fffff))
	assert.Equal(t, uint64(1<<6), Class32(0x00800000))
	assert.Equal(t, uint64(1<<8), Class32(0x7fbfffff))
	assert.Equal(t, uint64(1<<9), Class32(0x7fc00000))
}
