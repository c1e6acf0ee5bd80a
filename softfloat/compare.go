package softfloat

// Min64 returns the smaller of a and b (FMIN.D): IEEE 754-2019
// minimumNumber, where -0 < +0, a single NaN operand is ignored, two NaNs
// give the canonical NaN, and a signaling NaN raises NV.
func Min64(a, b uint64) (uint64, Flags) { return binary64.minMax(a, b, false) }

// Max64 returns the larger of a and b (FMAX.D), as Min64 does the smaller.
func Max64(a, b uint64) (uint64, Flags) { return binary64.minMax(a, b, true) }

// Min32 returns the smaller of a and b (FMIN.S); see Min64.
func Min32(a, b uint32) (uint32, Flags) {
	r, fl := binary32.minMax(uint64(a), uint64(b), false)
	return uint32(r), fl
}

// Max32 returns the larger of a and b (FMAX.S); see Min64.
func Max32(a, b uint32) (uint32, Flags) {
	r, fl := binary32.minMax(uint64(a), uint64(b), true)
	return uint32(r), fl
}

// Eq64 reports whether a == b (FEQ.D), a quiet comparison: NV only for a
// signaling NaN.
func Eq64(a, b uint64) (bool, Flags) { return binary64.eq(a, b) }

// Lt64 reports whether a < b (FLT.D), a signaling comparison: NV for any NaN.
func Lt64(a, b uint64) (bool, Flags) { return binary64.lt(a, b, false) }

// Le64 reports whether a <= b (FLE.D), a signaling comparison: NV for any
// NaN.
func Le64(a, b uint64) (bool, Flags) { return binary64.lt(a, b, true) }

// Eq32 reports whether a == b (FEQ.S); see Eq64.
func Eq32(a, b uint32) (bool, Flags) { return binary32.eq(uint64(a), uint64(b)) }

// Lt32 reports whether a < b (FLT.S); see Lt64.
func Lt32(a, b uint32) (bool, Flags) { return binary32.lt(uint64(a), uint64(b), false) }

// Le32 reports whether a <= b (FLE.S); see Le64.
func Le32(a, b uint32) (bool, Flags) { return binary32.lt(uint64(a), uint64(b), true) }

// Class64 returns the FCLASS.D mask of a: exactly one of bits 0-9 set for
// -inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf, signaling
// NaN, quiet NaN.
func Class64(a uint64) uint64 { return binary64.class(a) }

// Class32 returns the FCLASS.S mask of a; see Class64.
func Class32(a uint32) uint64 { return binary32.class(uint64(a)) }

func (f format) isNaN(x uint64) bool {
	return x&^f.signBit() > f.infinity(false)
}

func (f format) isSignalingNaN(x uint64) bool {
	return f.isNaN(x) && x>>(f.fracBits()-1)&1 == 0
}

func (f format) isZero(x uint64) bool { return x&^f.signBit() == 0 }

// orderKey maps a non-NaN encoding to an unsigned integer with the same
// order as the values, -0 sorting just below +0.
func (f format) orderKey(x uint64) uint64 {
	x <<= 64 - f.width
	if x>>63 != 0 {
		return ^x
	}
	return x | 1<<63
}

func (f format) minMax(a, b uint64, wantMax bool) (uint64, Flags) {
	flags := invalidIf(f.isSignalingNaN(a) || f.isSignalingNaN(b))
	switch {
	case f.isNaN(a) && f.isNaN(b):
		return f.canonicalNaN(), flags
	case f.isNaN(a):
		return b, flags
	case f.isNaN(b):
		return a, flags
	}
	if (f.orderKey(a) < f.orderKey(b)) != wantMax {
		return a, flags
	}
	return b, flags
}

func (f format) eq(a, b uint64) (bool, Flags) {
	if f.isNaN(a) || f.isNaN(b) {
		return false, invalidIf(f.isSignalingNaN(a) || f.isSignalingNaN(b))
	}
	return a == b || f.isZero(a) && f.isZero(b), 0
}

// lt reports whether a < b, or a <= b when orEqual is set.
func (f format) lt(a, b uint64, orEqual bool) (bool, Flags) {
	if f.isNaN(a) || f.isNaN(b) {
		return false, NV
	}
	if f.isZero(a) && f.isZero(b) {
		return orEqual, 0
	}
	ka, kb := f.orderKey(a), f.orderKey(b)
	return ka < kb || orEqual && ka == kb, 0
}

func (f format) class(x uint64) uint64 {
	n := f.unpack(x)
	var bit uint
	switch n.kind {
	case signalingNaN:
		return 1 << 8
	case quietNaN:
		return 1 << 9
	case infinite:
		bit = 7
	case zero:
		bit = 4
	default:
		bit = 6
		if x&^f.signBit() < 1<<f.fracBits() {
			bit = 5 // subnormal
		}
	}
	if n.neg {
		bit = 7 - bit
	}
	return 1 << bit
}
