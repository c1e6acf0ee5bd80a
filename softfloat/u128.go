package softfloat

import "math/bits"

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

func (x u128) add(y u128) u128 {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	hi, _ := bits.Add64(x.hi, y.hi, carry)
	return u128{hi, lo}
}

func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, borrow)
	return u128{hi, lo}
}

func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

func (x u128) leadingZeros() int {
	if x.hi != 0 {
		return bits.LeadingZeros64(x.hi)
	}
	return 64 + bits.LeadingZeros64(x.lo)
}

func (x u128) shiftLeft(n uint) u128 {
	switch {
	case n < 64:
		return u128{x.hi<<n | x.lo>>(64-n), x.lo << n} // n = 0 works: x.lo>>64 is 0
	default:
		return u128{x.lo << (n - 64), 0}
	}
}

// shiftRightJam shifts right by n bits, ORing any bit shifted out into bit 0.
func (x u128) shiftRightJam(n uint) u128 {
	switch {
	case n == 0:
		return x
	case n < 64:
		lost := x.lo<<(64-n) != 0
		return u128{x.hi >> n, x.hi<<(64-n) | x.lo>>n | boolBit(lost)}
	case n < 128:
		lost := x.lo != 0 || x.hi<<(128-n) != 0
		return u128{0, x.hi>>(n-64) | boolBit(lost)}
	default:
		return u128{0, boolBit(x.hi|x.lo != 0)}
	}
}
