package softfloat

import (
	"math"
	"math/bits"
)

// Sqrt64 returns the square root of a.
func Sqrt64(a uint64, rm uint8) (uint64, Flags) { return binary64.sqrt(a, rm) }

// Sqrt32 returns the square root of a.
func Sqrt32(a uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.sqrt(uint64(a), rm)
	return uint32(r), fl
}

func (f format) sqrt(a uint64, rm uint8) (uint64, Flags) {
	x := f.unpack(a)
	switch {
	case x.isNaN():
		return f.nanResult(x.kind == signalingNaN)
	case x.kind == zero:
		return a, 0 // sqrt(-0) is -0
	case x.neg:
		return f.nanResult(true)
	case x.kind == infinite:
		return a, 0
	}
	// The magnitude is sig * 2^(exp-63). Scale sig by 2^s into a 128-bit
	// radicand n in [2^124, 2^126) with an even exponent left over, so that
	// its integer square root has exactly 63 bits.
	s := uint(62)
	if (x.exp-63-62)&1 != 0 {
		s = 61
	}
	hi, lo := x.sig>>(64-s), x.sig<<s
	root, exact := isqrt128(hi, lo)
	exp := (x.exp-63-int32(s))/2 + 62
	return f.round(false, exp, root<<1|boolBit(!exact), rm)
}

// isqrt128 returns floor(sqrt(n)) for n = hi:lo in [2^124, 2^126), and
// whether the root is exact. The host's square root seeds one integer Newton
// step, which never lands below floor(sqrt(n)) (the arithmetic-geometric
// mean inequality survives the floors) and from a seed this close lands at
// most a unit or two above it; comparing squares in exact integer
// arithmetic removes the excess, so the result does not depend on the seed
// beyond the loop's length.
func isqrt128(hi, lo uint64) (root uint64, exact bool) {
	r := uint64(math.Sqrt(float64(hi)*0x1p64 + float64(lo)))
	q, _ := bits.Div64(hi, lo, r) // hi < 2^62 <= r, so no overflow
	r = (r + q) >> 1
	for squareAbove(r, hi, lo) {
		r--
	}
	sqHi, sqLo := bits.Mul64(r, r)
	return r, sqHi == hi && sqLo == lo
}

// squareAbove reports whether r*r > hi:lo.
func squareAbove(r, hi, lo uint64) bool {
	sqHi, sqLo := bits.Mul64(r, r)
	return sqHi > hi || sqHi == hi && sqLo > lo
}
