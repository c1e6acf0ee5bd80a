package softfloat

// MulAdd64 returns a*b+c with a single rounding (FMADD.D).
func MulAdd64(a, b, c uint64, rm uint8) (uint64, Flags) {
	return binary64.mulAdd(a, b, c, false, false, rm)
}

// MulSub64 returns a*b-c with a single rounding (FMSUB.D).
func MulSub64(a, b, c uint64, rm uint8) (uint64, Flags) {
	return binary64.mulAdd(a, b, c, false, true, rm)
}

// NegMulSub64 returns -(a*b)+c with a single rounding (FNMSUB.D).
func NegMulSub64(a, b, c uint64, rm uint8) (uint64, Flags) {
	return binary64.mulAdd(a, b, c, true, false, rm)
}

// NegMulAdd64 returns -(a*b)-c with a single rounding (FNMADD.D).
func NegMulAdd64(a, b, c uint64, rm uint8) (uint64, Flags) {
	return binary64.mulAdd(a, b, c, true, true, rm)
}

// MulAdd32 returns a*b+c with a single rounding (FMADD.S).
func MulAdd32(a, b, c uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.mulAdd(uint64(a), uint64(b), uint64(c), false, false, rm)
	return uint32(r), fl
}

// MulSub32 returns a*b-c with a single rounding (FMSUB.S).
func MulSub32(a, b, c uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.mulAdd(uint64(a), uint64(b), uint64(c), false, true, rm)
	return uint32(r), fl
}

// NegMulSub32 returns -(a*b)+c with a single rounding (FNMSUB.S).
func NegMulSub32(a, b, c uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.mulAdd(uint64(a), uint64(b), uint64(c), true, false, rm)
	return uint32(r), fl
}

// NegMulAdd32 returns -(a*b)-c with a single rounding (FNMADD.S).
func NegMulAdd32(a, b, c uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.mulAdd(uint64(a), uint64(b), uint64(c), true, true, rm)
	return uint32(r), fl
}

// mulAdd returns (±a*b) + (±c), negating the product and the addend as
// asked, rounded once.
func (f format) mulAdd(a, b, c uint64, negateProduct, negateAddend bool, rm uint8) (uint64, Flags) {
	x, y, z := f.unpack(a), f.unpack(b), f.unpack(c)
	// RISC-V makes infinity times zero invalid even with a quiet NaN addend.
	infTimesZero := x.kind == infinite && y.kind == zero || x.kind == zero && y.kind == infinite
	if x.isNaN() || y.isNaN() || z.isNaN() {
		return f.nanResult(infTimesZero ||
			x.kind == signalingNaN || y.kind == signalingNaN || z.kind == signalingNaN)
	}
	if infTimesZero {
		return f.nanResult(true)
	}
	pneg := x.neg != y.neg != negateProduct
	z.neg = z.neg != negateAddend
	switch {
	case x.kind == infinite || y.kind == infinite:
		if z.kind == infinite && z.neg != pneg {
			return f.nanResult(true)
		}
		return f.infinity(pneg), 0
	case z.kind == infinite:
		return f.infinity(z.neg), 0
	case x.kind == zero || y.kind == zero:
		switch {
		case z.kind != zero:
			return c ^ f.zero(negateAddend), 0 // exactly ±c
		case z.neg == pneg:
			return f.zero(pneg), 0
		default:
			return f.zero(rm == RDN), 0 // zeros of opposite signs
		}
	}
	phi, plo, pexp := product(x, y)
	if z.kind == zero {
		return f.round(pneg, pexp, phi|boolBit(plo != 0), rm)
	}
	neg, exp, sig := addWide(pneg, pexp, u128{phi, plo}, z)
	if sig == 0 {
		return f.zero(rm == RDN), 0 // exact cancellation: +0, or -0 rounding down
	}
	return f.round(neg, exp, sig, rm)
}

// addWide adds the exact product p (bit 127 set, magnitude p * 2^(pexp-127))
// and the finite nonzero addend z in 128-bit arithmetic and returns the sum
// normalized for round, or a zero significand if the sum is exactly zero.
// Both operands are placed with their leading bit at bit 125, leaving room
// for a carry; the product's low bits are zero (it has at most 106
// significant bits), so nothing is lost. As in addFinite, an operand
// that loses bits to the alignment is at least 2 binades smaller, so the sum
// loses at most one leading bit and the sticky bit stays far below the
// rounding point.
func addWide(pneg bool, pexp int32, p u128, z number) (neg bool, exp int32, sig uint64) {
	p = p.shiftRightJam(2)
	zw := u128{z.sig >> 2, z.sig << 62}
	exp = pexp
	if pexp >= z.exp {
		zw = zw.shiftRightJam(uint(pexp - z.exp))
	} else {
		p = p.shiftRightJam(uint(z.exp - pexp))
		exp = z.exp
	}
	neg = pneg
	var sum u128
	switch {
	case pneg == z.neg:
		sum = p.add(zw)
	case zw.less(p):
		sum = p.sub(zw)
	default:
		sum = zw.sub(p)
		neg = z.neg
	}
	lz := sum.leadingZeros()
	if lz == 128 {
		return neg, exp, 0
	}
	sum = sum.shiftLeft(uint(lz))
	return neg, exp + 2 - int32(lz), sum.hi | boolBit(sum.lo != 0)
}
