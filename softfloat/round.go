package softfloat

// round delivers the finite nonzero value (-1)^neg * sig * 2^(exp-63) in
// format f, rounded in mode rm. Bit 63 of sig must be set; bits below the
// exact value's last bit must be ORed into bit 0 ("sticky"), so that sig is
// never exact when the value is not.
func (f format) round(neg bool, exp int32, sig uint64, rm uint8) (uint64, Flags) {
	if exp > f.emax {
		return f.overflow(neg, rm)
	}
	dropped := 64 - f.precision // bits below the result's last place
	half := uint64(1) << (dropped - 1)
	tiny := false
	if exp < f.emin {
		tiny = exp < f.emin-1 || !roundsToNextBinade(neg, sig, dropped, rm)
		sig = shiftRightJam(sig, uint(f.emin-exp))
		exp = f.emin
	}
	rest := sig & (half<<1 - 1)
	sig >>= dropped
	if roundsUp(neg, sig&1 != 0, rest, half, rm) {
		sig++
		if sig == 1<<f.precision {
			sig >>= 1
			exp++
			if exp > f.emax {
				return f.overflow(neg, rm)
			}
		}
	}
	var flags Flags
	if rest != 0 {
		flags = NX
		if tiny {
			flags |= UF
		}
	}
	// A subnormal result (no hidden bit) has biased exponent 0; one that
	// rounded up into the hidden bit has become the smallest normal.
	biased := uint64(0)
	if sig>>f.fracBits() != 0 {
		biased = uint64(exp + f.bias())
	}
	return f.zero(neg) | biased<<f.fracBits() | sig&f.fracMask(), flags
}

// roundsToNextBinade reports whether sig (bit 63 set) carries out when
// rounded to 64-dropped bits: whether, in a binade just below the smallest
// normal, the value rounds up to the smallest normal when the exponent range
// is unbounded. That is the one case where a value below the normal range is
// not tiny after rounding.
func roundsToNextBinade(neg bool, sig uint64, dropped uint, rm uint8) bool {
	half := uint64(1) << (dropped - 1)
	kept := sig >> dropped
	return kept == 1<<(64-dropped)-1 && roundsUp(neg, true, sig&(half<<1-1), half, rm)
}

// roundsUp reports whether a magnitude whose last kept bit is odd (or not)
// and whose discarded bits are rest is rounded away from zero; half is the
// value of rest that is exactly halfway.
func roundsUp(neg, odd bool, rest, half uint64, rm uint8) bool {
	switch rm {
	case RTZ:
		return false
	case RDN:
		return neg && rest != 0
	case RUP:
		return !neg && rest != 0
	case RMM:
		return rest >= half
	default:
		return rest > half || rest == half && odd
	}
}

// overflow is the result of a value too large for format f: infinity, or
// the largest finite number when the mode rounds toward zero for that sign.
func (f format) overflow(neg bool, rm uint8) (uint64, Flags) {
	towardZero := rm == RTZ || rm == RDN && !neg || rm == RUP && neg
	if towardZero {
		return f.maxFinite(neg), OF | NX
	}
	return f.infinity(neg), OF | NX
}

// shiftRightJam shifts x right by n bits, ORing any bit shifted out into bit
// 0 so that inexactness is not lost.
func shiftRightJam(x uint64, n uint) uint64 {
	switch {
	case n == 0:
		return x
	case n < 64:
		return x>>n | boolBit(x<<(64-n) != 0)
	default:
		return boolBit(x != 0)
	}
}
