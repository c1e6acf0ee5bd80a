package softfloat

import "math/bits"

// F64ToI32 converts a to a signed 32-bit integer (FCVT.W.D), saturating.
func F64ToI32(a uint64, rm uint8) (int32, Flags) {
	r, fl := binary64.toInt(a, rm, true, 32)
	return int32(r), fl
}

// F64ToU32 converts a to an unsigned 32-bit integer (FCVT.WU.D), saturating.
// RV64 sign-extends the 32-bit result into the destination register.
func F64ToU32(a uint64, rm uint8) (uint32, Flags) {
	r, fl := binary64.toInt(a, rm, false, 32)
	return uint32(r), fl
}

// F64ToI64 converts a to a signed 64-bit integer (FCVT.L.D), saturating.
func F64ToI64(a uint64, rm uint8) (int64, Flags) {
	r, fl := binary64.toInt(a, rm, true, 64)
	return int64(r), fl
}

// F64ToU64 converts a to an unsigned 64-bit integer (FCVT.LU.D), saturating.
func F64ToU64(a uint64, rm uint8) (uint64, Flags) {
	return binary64.toInt(a, rm, false, 64)
}

// F32ToI32 converts a to a signed 32-bit integer (FCVT.W.S), saturating.
func F32ToI32(a uint32, rm uint8) (int32, Flags) {
	r, fl := binary32.toInt(uint64(a), rm, true, 32)
	return int32(r), fl
}

// F32ToU32 converts a to an unsigned 32-bit integer (FCVT.WU.S), saturating.
// RV64 sign-extends the 32-bit result into the destination register.
func F32ToU32(a uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.toInt(uint64(a), rm, false, 32)
	return uint32(r), fl
}

// F32ToI64 converts a to a signed 64-bit integer (FCVT.L.S), saturating.
func F32ToI64(a uint32, rm uint8) (int64, Flags) {
	r, fl := binary32.toInt(uint64(a), rm, true, 64)
	return int64(r), fl
}

// F32ToU64 converts a to an unsigned 64-bit integer (FCVT.LU.S), saturating.
func F32ToU64(a uint32, rm uint8) (uint64, Flags) {
	return binary32.toInt(uint64(a), rm, false, 64)
}

// I32ToF64 converts x to binary64 (FCVT.D.W); always exact.
func I32ToF64(x int32, rm uint8) (uint64, Flags) { return binary64.fromInt(x < 0, abs(int64(x)), rm) }

// U32ToF64 converts x to binary64 (FCVT.D.WU); always exact.
func U32ToF64(x uint32, rm uint8) (uint64, Flags) { return binary64.fromInt(false, uint64(x), rm) }

// I64ToF64 converts x to binary64 (FCVT.D.L).
func I64ToF64(x int64, rm uint8) (uint64, Flags) { return binary64.fromInt(x < 0, abs(x), rm) }

// U64ToF64 converts x to binary64 (FCVT.D.LU).
func U64ToF64(x uint64, rm uint8) (uint64, Flags) { return binary64.fromInt(false, x, rm) }

// I32ToF32 converts x to binary32 (FCVT.S.W).
func I32ToF32(x int32, rm uint8) (uint32, Flags) {
	r, fl := binary32.fromInt(x < 0, abs(int64(x)), rm)
	return uint32(r), fl
}

// U32ToF32 converts x to binary32 (FCVT.S.WU).
func U32ToF32(x uint32, rm uint8) (uint32, Flags) {
	r, fl := binary32.fromInt(false, uint64(x), rm)
	return uint32(r), fl
}

// I64ToF32 converts x to binary32 (FCVT.S.L).
func I64ToF32(x int64, rm uint8) (uint32, Flags) {
	r, fl := binary32.fromInt(x < 0, abs(x), rm)
	return uint32(r), fl
}

// U64ToF32 converts x to binary32 (FCVT.S.LU).
func U64ToF32(x uint64, rm uint8) (uint32, Flags) {
	r, fl := binary32.fromInt(false, x, rm)
	return uint32(r), fl
}

// F32ToF64 widens a to binary64 (FCVT.D.S); exact except that a NaN becomes
// the canonical NaN.
func F32ToF64(a uint32) (uint64, Flags) { return binary64.convert(binary32, uint64(a), RNE) }

// F64ToF32 narrows a to binary32 (FCVT.S.D), rounding in mode rm.
func F64ToF32(a uint64, rm uint8) (uint32, Flags) {
	r, fl := binary32.convert(binary64, a, rm)
	return uint32(r), fl
}

// abs returns |x| as an unsigned integer; |MinInt64| fits.
func abs(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

// convert returns the value of a, an encoding in format from, in format f.
func (f format) convert(from format, a uint64, rm uint8) (uint64, Flags) {
	x := from.unpack(a)
	switch x.kind {
	case zero:
		return f.zero(x.neg), 0
	case infinite:
		return f.infinity(x.neg), 0
	case quietNaN, signalingNaN:
		return f.nanResult(x.kind == signalingNaN)
	}
	return f.round(x.neg, x.exp, x.sig, rm)
}

// fromInt returns the integer (-1)^neg * mag in format f.
func (f format) fromInt(neg bool, mag uint64, rm uint8) (uint64, Flags) {
	if mag == 0 {
		return 0, 0
	}
	lz := bits.LeadingZeros64(mag)
	return f.round(neg, 63-int32(lz), mag<<lz, rm)
}

// toInt converts a to an integer of the given width, signed or not, in mode
// rm, and returns it as a 64-bit two's-complement pattern. Out-of-range
// values, infinities and NaNs saturate and raise NV alone.
func (f format) toInt(a uint64, rm uint8, signed bool, width uint) (uint64, Flags) {
	r := intRange(signed, width)
	x := f.unpack(a)
	switch x.kind {
	case quietNaN, signalingNaN:
		return r.maxPos, NV
	case infinite:
		return r.saturate(x.neg)
	case zero:
		return 0, 0
	}
	mag, inexact, overflow := roundToInteger(x, rm)
	if overflow || x.neg && mag > r.maxNegMag || !x.neg && mag > r.maxPos {
		return r.saturate(x.neg)
	}
	var flags Flags
	if inexact {
		flags = NX
	}
	if x.neg {
		return -mag, flags
	}
	return mag, flags
}

// integerRange is the range of an integer type: [-maxNegMag, maxPos].
type integerRange struct{ maxPos, maxNegMag uint64 }

func intRange(signed bool, width uint) integerRange {
	maxPos := uint64(1)<<width - 1 // width 64 wraps to all ones, as wanted
	if !signed {
		return integerRange{maxPos: maxPos}
	}
	return integerRange{maxPos: maxPos >> 1, maxNegMag: maxPos>>1 + 1}
}

// saturate is the invalid-conversion result for a value beyond the range on
// the given side.
func (r integerRange) saturate(neg bool) (uint64, Flags) {
	if neg {
		return -r.maxNegMag, NV
	}
	return r.maxPos, NV
}

// roundToInteger rounds the magnitude of the finite nonzero x to an integer
// in mode rm. overflow means the magnitude does not fit in 64 bits.
func roundToInteger(x number, rm uint8) (mag uint64, inexact, overflow bool) {
	const half = 1 << 63
	var frac uint64 // the fraction's bits, binary point above bit 63
	switch {
	case x.exp >= 64:
		return 0, false, true
	case x.exp == 63:
		mag = x.sig
	case x.exp >= 0:
		mag = x.sig >> (63 - x.exp)
		frac = x.sig << (x.exp + 1)
	default:
		frac = shiftRightJam(x.sig, uint(-1-x.exp))
	}
	// mag cannot wrap: with exp = 63 there is no fraction, and below that
	// mag < 2^63.
	if roundsUp(x.neg, mag&1 != 0, frac, half, rm) {
		mag++
	}
	return mag, frac != 0, false
}
