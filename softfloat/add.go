package softfloat

import "math/bits"

// Add64 returns a+b.
func Add64(a, b uint64, rm uint8) (uint64, Flags) { return binary64.add(a, b, false, rm) }

// Sub64 returns a-b.
func Sub64(a, b uint64, rm uint8) (uint64, Flags) { return binary64.add(a, b, true, rm) }

// Add32 returns a+b.
func Add32(a, b uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.add(uint64(a), uint64(b), false, rm)
	return uint32(r), fl
}

// Sub32 returns a-b.
func Sub32(a, b uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.add(uint64(a), uint64(b), true, rm)
	return uint32(r), fl
}

// add returns a+b, or a-b when negateB is set.
func (f format) add(a, b uint64, negateB bool, rm uint8) (uint64, Flags) {
	x, y := f.unpack(a), f.unpack(b)
	if x.isNaN() || y.isNaN() {
		return f.nanResult(x.kind == signalingNaN || y.kind == signalingNaN)
	}
	if negateB {
		y.neg = !y.neg
		b ^= f.signBit()
	}
	switch {
	case x.kind == infinite:
		if y.kind == infinite && x.neg != y.neg {
			return f.nanResult(true)
		}
		return a, 0
	case y.kind == infinite:
		return b, 0
	case x.kind == zero && y.kind == zero:
		if x.neg == y.neg {
			return a, 0
		}
		return f.zero(rm == RDN), 0
	case x.kind == zero:
		return b, 0
	case y.kind == zero:
		return a, 0
	}
	return f.addFinite(x, y, rm)
}

// addFinite adds two finite nonzero numbers.
func (f format) addFinite(x, y number, rm uint8) (uint64, Flags) {
	if x.exp < y.exp {
		x, y = y, x
	}
	// Make room for a carry at bit 63. Operands have at most 53 significant
	// bits, so this loses nothing, and the 10 or more bits left below the
	// result's last place are guard bits: when the aligned operand loses bits
	// to the jam, the exponents differ by 2 or more and the sum loses at most
	// one leading bit, so the sticky bit stays below the rounding point.
	xs := x.sig >> 1
	ys := shiftRightJam(y.sig>>1, uint(x.exp-y.exp))
	neg := x.neg
	var sum uint64
	switch {
	case x.neg == y.neg:
		sum = xs + ys
	case xs >= ys:
		sum = xs - ys
	default:
		sum = ys - xs
		neg = y.neg
	}
	if sum == 0 {
		return f.zero(rm == RDN), 0 // x + (-x) is +0, or -0 rounding down
	}
	lz := bits.LeadingZeros64(sum)
	return f.round(neg, x.exp+1-int32(lz), sum<<lz, rm)
}
