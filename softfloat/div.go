package softfloat

import "math/bits"

// Div64 returns a/b.
func Div64(a, b uint64, rm uint8) (uint64, Flags) { return binary64.div(a, b, rm) }

// Div32 returns a/b.
func Div32(a, b uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.div(uint64(a), uint64(b), rm)
	return uint32(r), fl
}

func (f format) div(a, b uint64, rm uint8) (uint64, Flags) {
	x, y := f.unpack(a), f.unpack(b)
	if x.isNaN() || y.isNaN() {
		return f.nanResult(x.kind == signalingNaN || y.kind == signalingNaN)
	}
	neg := x.neg != y.neg
	switch {
	case x.kind == infinite:
		if y.kind == infinite {
			return f.nanResult(true)
		}
		return f.infinity(neg), 0
	case y.kind == infinite:
		return f.zero(neg), 0
	case y.kind == zero:
		if x.kind == zero {
			return f.nanResult(true)
		}
		return f.infinity(neg), DZ
	case x.kind == zero:
		return f.zero(neg), 0
	}
	// q = floor(x.sig * 2^63 / y.sig) lies in [2^62, 2^64): at least 63
	// significant bits, plenty for 53 plus guard bits, and the remainder
	// tells whether the quotient is exact.
	q, r := bits.Div64(x.sig>>1, x.sig<<63, y.sig)
	exp := x.exp - y.exp
	if q>>63 == 0 {
		q <<= 1
		exp--
	}
	return f.round(neg, exp, q|boolBit(r != 0), rm)
}
