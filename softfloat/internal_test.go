package softfloat

import (
	"math/big"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsqrt128(t *testing.T) {
	g := newGen(tf64, 1000)
	check := func(hi, lo uint64) {
		n := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		n.Or(n, new(big.Int).SetUint64(lo))
		want := new(big.Int).Sqrt(n)
		root, exact := isqrt128(hi, lo)
		assert.Equal(t, want.Uint64(), root, "isqrt(%#x:%#x)", hi, lo)
		assert.Equal(t, new(big.Int).Mul(want, want).Cmp(n) == 0, exact, "exactness of isqrt(%#x:%#x)", hi, lo)
	}
	check(1<<60, 0)                  // 2^124, the smallest radicand
	check(1<<62-1, ^uint64(0))       // 2^126-1, the largest
	for range iterations(t, 20000) { // r^2 and its neighbours, r in [2^62, 2^63)
		r := 1<<62 | g.r.Uint64()>>2
		hi, lo := bits.Mul64(r, r)
		check(hi, lo)
		lo2, borrow := bits.Sub64(lo, 1, 0)
		check(hi-borrow, lo2)
		lo3, carry := bits.Add64(lo, 2*r, 0) // (r+1)^2 - 1
		check(hi+carry, lo3)
		check(1<<60|g.r.Uint64()>>6, g.r.Uint64())
	}
}

func TestNoAllocations(t *testing.T) {
	a, b, c := uint64(0x3ff0000000000001), uint64(0x0010000000000000), uint64(0xbff0000000000000)
	allocs := testing.AllocsPerRun(100, func() {
		Add64(a, b, RNE)
		Mul64(a, b, RDN)
		Div64(a, b, RUP)
		Sqrt64(a, RMM)
		MulAdd64(a, b, c, RTZ)
		Min64(a, b)
		Lt64(a, b)
		F64ToI32(a, RNE)
		I64ToF64(int64(a), RNE)
		F64ToF32(a, RNE)
		MulAdd32(uint32(a), uint32(b), uint32(c), RNE)
	})
	assert.Zero(t, allocs)
}

// Rounding-mode encodings 5-7 are reserved; the library must still answer
// (as RNE) rather than misbehave.
func TestReservedRoundingModesActAsRNE(t *testing.T) {
	g := newGen(tf64, 1100)
	for range 1000 {
		a, b := g.pair("add")
		for rm := uint8(5); rm <= 7; rm++ {
			want, wantFl := Add64(a, b, RNE)
			got, gotFl := Add64(a, b, rm)
			assert.Equal(t, want, got)
			assert.Equal(t, wantFl, gotFl)
			want, wantFl = Mul64(a, b, RNE)
			got, gotFl = Mul64(a, b, rm)
			assert.Equal(t, want, got)
			assert.Equal(t, wantFl, gotFl)
		}
	}
}
