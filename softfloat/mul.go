package softfloat

import "math/bits"

// Mul64 returns a*b.
func Mul64(a, b uint64, rm uint8) (uint64, Flags) { return binary64.mul(a, b, rm) }

// Mul32 returns a*b.
func Mul32(a, b uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.mul(uint64(a), uint64(b), rm)
	return uint32(r), fl
}

func (f format) mul(a, b uint64, rm uint8) (uint64, Flags) {
	x, y := f.unpack(a), f.unpack(b)
	if x.isNaN() || y.isNaN() {
		return f.nanResult(x.kind == signalingNaN || y.kind == signalingNaN)
	}
	neg := x.neg != y.neg
	switch {
	case x.kind == infinite || y.kind == infinite:
		if x.kind == zero || y.kind == zero {
			return f.nanResult(true)
		}
		return f.infinity(neg), 0
	case x.kind == zero || y.kind == zero:
		return f.zero(neg), 0
	}
	hi, lo, exp := product(x, y)
	return f.round(neg, exp, hi|boolBit(lo != 0), rm)
}

// product returns the exact product of the significands of two finite
// nonzero numbers as a 128-bit hi:lo with bit 127 set, and its exponent: the
// product's magnitude is hi:lo * 2^(exp-127).
func product(x, y number) (hi, lo uint64, exp int32) {
	hi, lo = bits.Mul64(x.sig, y.sig)
	exp = x.exp + y.exp
	if hi>>63 != 0 {
		return hi, lo, exp + 1
	}
	return hi<<1 | lo>>63, lo << 1, exp
}
