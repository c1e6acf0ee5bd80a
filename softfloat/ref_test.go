package softfloat

// An independent reference for the tests: exact arithmetic in math/big,
// then rounding to the target format with the IEEE exponent range handled
// by hand (subnormals, tininess after rounding, overflow). Operations whose
// operands or results are special (NaN, infinity, zero) are decided by the
// host's IEEE arithmetic plus the RISC-V rules spelled out below.

import (
	"math"
	"math/big"
)

// testFormat is what the reference knows about a format; it is written out
// here rather than taken from the package so the two can disagree.
type testFormat struct {
	name  string
	width uint
	prec  uint
	emin  int
	emax  int
}

var (
	tf32 = testFormat{name: "binary32", width: 32, prec: 24, emin: -126, emax: 127}
	tf64 = testFormat{name: "binary64", width: 64, prec: 53, emin: -1022, emax: 1023}
)

func (t testFormat) signBit() uint64 { return 1 << (t.width - 1) }
func (t testFormat) fracBits() uint  { return t.prec - 1 }
func (t testFormat) expField(x uint64) int {
	return int(x >> t.fracBits() & (1<<(t.width-t.prec) - 1))
}
func (t testFormat) maxExpField() int     { return 1<<(t.width-t.prec) - 1 }
func (t testFormat) frac(x uint64) uint64 { return x & (1<<t.fracBits() - 1) }
func (t testFormat) isNaN(x uint64) bool {
	return t.expField(x) == t.maxExpField() && t.frac(x) != 0
}
func (t testFormat) isSNaN(x uint64) bool {
	return t.isNaN(x) && t.frac(x)>>(t.fracBits()-1) == 0
}
func (t testFormat) isInf(x uint64) bool {
	return t.expField(x) == t.maxExpField() && t.frac(x) == 0
}
func (t testFormat) isZero(x uint64) bool { return x&^t.signBit() == 0 }
func (t testFormat) isSpecial(x uint64) bool {
	return t.isZero(x) || t.expField(x) == t.maxExpField()
}
func (t testFormat) neg(x uint64) bool { return x&t.signBit() != 0 }
func (t testFormat) qnan() uint64 {
	return uint64(t.maxExpField())<<t.fracBits() | 1<<(t.fracBits()-1)
}
func (t testFormat) inf(neg bool) uint64 {
	r := uint64(t.maxExpField()) << t.fracBits()
	if neg {
		r |= t.signBit()
	}
	return r
}

// toBig returns the exact value of the finite encoding x.
func (t testFormat) toBig(x uint64) *big.Float {
	e := t.expField(x)
	m := t.frac(x)
	if e == 0 {
		e = 1
	} else {
		m |= 1 << t.fracBits()
	}
	bias := t.emax
	f := new(big.Float).SetUint64(m)
	f.SetMantExp(f, e-bias-int(t.fracBits()))
	if t.neg(x) {
		f.Neg(f)
	}
	return f
}

// fromHost converts a host float result of this format to bits.
func (t testFormat) hostBits(v float64) uint64 {
	if t.width == 32 {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(v)
}

// host returns the value of x as a float64 (exact for both formats).
func (t testFormat) host(x uint64) float64 {
	if t.width == 32 {
		return float64(math.Float32frombits(uint32(x)))
	}
	return math.Float64frombits(x)
}

func bigMode(rm uint8) big.RoundingMode {
	switch rm {
	case RTZ:
		return big.ToZero
	case RDN:
		return big.ToNegativeInf
	case RUP:
		return big.ToPositiveInf
	case RMM:
		return big.ToNearestAway
	}
	return big.ToNearestEven
}

// roundToIntBig rounds v to an integer in mode rm and reports whether that
// was inexact.
func roundToIntBig(v *big.Float, rm uint8) (*big.Int, bool) {
	i, _ := v.Int(nil) // toward zero
	frac := new(big.Float).SetPrec(v.Prec()+64).Sub(v, new(big.Float).SetInt(i))
	if frac.Sign() == 0 {
		return i, false
	}
	neg := v.Sign() < 0
	cmpHalf := new(big.Float).Abs(frac).Cmp(big.NewFloat(0.5))
	var away bool
	switch rm {
	case RTZ:
	case RDN:
		away = neg
	case RUP:
		away = !neg
	case RMM:
		away = cmpHalf >= 0
	default:
		away = cmpHalf > 0 || cmpHalf == 0 && i.Bit(0) == 1
	}
	if away {
		if neg {
			i.Sub(i, big.NewInt(1))
		} else {
			i.Add(i, big.NewInt(1))
		}
	}
	return i, true
}

func pow2(e int) *big.Float {
	return new(big.Float).SetMantExp(big.NewFloat(1), e)
}

// refRound delivers the nonzero value v in format t, rounded in mode rm.
// v must be exact, or carry a sticky bit far below any precision of interest
// (see withSticky).
func (t testFormat) refRound(v *big.Float, rm uint8) (uint64, Flags) {
	neg := v.Signbit()
	var sign uint64
	if neg {
		sign = t.signBit()
	}
	abs := new(big.Float).Abs(v)
	r := new(big.Float).SetMode(bigMode(rm)).SetPrec(t.prec).Set(v)
	absR := new(big.Float).Abs(r)
	if absR.Cmp(pow2(t.emax+1)) >= 0 {
		toInf := rm == RNE || rm == RMM || rm == RDN && neg || rm == RUP && !neg || rm > RMM
		if toInf {
			return t.inf(neg), OF | NX
		}
		return t.inf(neg) - 1, OF | NX
	}
	tiny := absR.Cmp(pow2(t.emin)) < 0
	var flags Flags
	if abs.Cmp(pow2(t.emin)) >= 0 {
		if r.Acc() != big.Exact {
			flags = NX
		}
		mant := new(big.Float)
		e := r.MantExp(mant)
		sig, _ := new(big.Float).SetMantExp(mant.Abs(mant), int(t.prec)).Uint64()
		return sign | uint64(e-1+t.emax)<<t.fracBits() | (sig - 1<<t.fracBits()), flags
	}
	// Below the normal range: round onto the subnormal grid, whose quantum
	// is 2^(emin-prec+1). The integer count of quanta is the encoding.
	scaled := new(big.Float).SetMantExp(v, -(t.emin - int(t.fracBits())))
	i, inexact := roundToIntBig(scaled, rm)
	if inexact {
		flags = NX
		if tiny {
			flags |= UF
		}
	}
	return sign | new(big.Int).Abs(i).Uint64(), flags
}

// withSticky turns a value truncated toward zero at precision p (and known
// to be inexact) into one strictly between it and the next value, at
// precision p+1: rounding that to any precision below p-1 gives the same
// result, inexact, as rounding the true value.
func withSticky(z *big.Float) *big.Float {
	e := z.MantExp(nil)
	h := pow2(e - int(z.Prec()) - 1)
	if z.Signbit() {
		h.Neg(h)
	}
	return new(big.Float).SetPrec(z.Prec()+1).Add(z, h)
}

const exactPrec = 5000 // enough to hold any sum or fma of these formats exactly

func exactAdd(x, y *big.Float) *big.Float { return new(big.Float).SetPrec(exactPrec).Add(x, y) }
func exactMul(x, y *big.Float) *big.Float { return new(big.Float).SetPrec(exactPrec).Mul(x, y) }

func refQuo(x, y *big.Float) *big.Float {
	z := new(big.Float).SetPrec(300).SetMode(big.ToZero).Quo(x, y)
	if z.Acc() == big.Exact {
		return z
	}
	return withSticky(z)
}

// refSqrt returns sqrt(x) for x > 0 using the exact integer square root.
func refSqrt(x *big.Float) *big.Float {
	mant := new(big.Float)
	e := x.MantExp(mant) // x = mant * 2^e, mant in [0.5, 1)
	// x = m * 2^(e-640) with m an integer of about 640 bits (exactly: the
	// operands have at most 53 significant bits).
	shift := 640
	if (e-shift)%2 != 0 {
		shift++
	}
	m, acc := new(big.Float).SetMantExp(mant, shift).Int(nil)
	if acc != big.Exact {
		panic("refSqrt: operand not an integer after scaling")
	}
	root := new(big.Int).Sqrt(m)
	exact := new(big.Int).Mul(root, root).Cmp(m) == 0
	r := new(big.Float).SetPrec(400).SetInt(root)
	r.SetMantExp(r, (e-shift)/2)
	if exact {
		return r
	}
	return withSticky(new(big.Float).SetPrec(uint(root.BitLen())).Set(r))
}

// Reference operations. Each returns the expected encoding and flags.

func (t testFormat) refAdd(a, b uint64, rm uint8) (uint64, Flags) {
	if t.isSpecial(a) || t.isSpecial(b) {
		return t.specialBinary(a, b, rm, func(x, y float64) float64 { return x + y })
	}
	sum := exactAdd(t.toBig(a), t.toBig(b))
	if sum.Sign() == 0 {
		return t.exactZero(rm), 0
	}
	return t.refRound(sum, rm)
}

func (t testFormat) refSub(a, b uint64, rm uint8) (uint64, Flags) {
	if t.isNaN(b) {
		return t.refAdd(a, b, rm)
	}
	return t.refAdd(a, b^t.signBit(), rm)
}

func (t testFormat) refMul(a, b uint64, rm uint8) (uint64, Flags) {
	if t.isSpecial(a) || t.isSpecial(b) {
		return t.specialBinary(a, b, rm, func(x, y float64) float64 { return x * y })
	}
	return t.refRound(exactMul(t.toBig(a), t.toBig(b)), rm)
}

func (t testFormat) refDiv(a, b uint64, rm uint8) (uint64, Flags) {
	if t.isSpecial(a) || t.isSpecial(b) {
		r, fl := t.specialBinary(a, b, rm, func(x, y float64) float64 { return x / y })
		if !t.isSpecial(a) && t.isZero(b) {
			fl |= DZ
		}
		return r, fl
	}
	return t.refRound(refQuo(t.toBig(a), t.toBig(b)), rm)
}

func (t testFormat) refSqrt(a uint64, rm uint8) (uint64, Flags) {
	switch {
	case t.isNaN(a):
		return t.qnan(), invalidIf(t.isSNaN(a))
	case t.isZero(a):
		return a, 0
	case t.neg(a):
		return t.qnan(), NV
	case t.isInf(a):
		return a, 0
	}
	return t.refRound(refSqrt(t.toBig(a)), rm)
}

// refFMA returns (-1)^np * a*b + (-1)^nc * c.
func (t testFormat) refFMA(a, b, c uint64, np, nc bool, rm uint8) (uint64, Flags) {
	inv := t.isSNaN(a) || t.isSNaN(b) || t.isSNaN(c) ||
		t.isInf(a) && t.isZero(b) || t.isZero(a) && t.isInf(b)
	if t.isNaN(a) || t.isNaN(b) || t.isNaN(c) {
		return t.qnan(), invalidIf(inv)
	}
	if np {
		a ^= t.signBit()
	}
	if nc {
		c ^= t.signBit()
	}
	if !t.isSpecial(a) && !t.isSpecial(b) && t.isZero(c) {
		// A finite nonzero product plus zero: rounding still matters.
		return t.refRound(exactMul(t.toBig(a), t.toBig(b)), rm)
	}
	if t.isSpecial(a) || t.isSpecial(b) || t.isSpecial(c) {
		r := math.FMA(t.host(a), t.host(b), t.host(c))
		if math.IsNaN(r) {
			return t.qnan(), NV
		}
		if r == 0 && rm == RDN && (t.neg(a) != t.neg(b)) != t.neg(c) {
			// Zeros of opposite signs (product and addend) sum to -0
			// rounding down; the host always rounds to nearest.
			return t.signBit(), 0
		}
		return t.hostBits(r), 0
	}
	sum := exactAdd(exactMul(t.toBig(a), t.toBig(b)), t.toBig(c))
	if sum.Sign() == 0 {
		return t.exactZero(rm), 0
	}
	return t.refRound(sum, rm)
}

// exactZero is the sign IEEE 754 gives an exact zero sum of nonzero
// operands of opposite signs.
func (t testFormat) exactZero(rm uint8) uint64 {
	if rm == RDN {
		return t.signBit()
	}
	return 0
}

// specialBinary is the reference for a binary operation with a NaN,
// infinite or zero operand, where the rounding mode only decides the sign of
// a zero sum.
func (t testFormat) specialBinary(a, b uint64, rm uint8, op func(x, y float64) float64) (uint64, Flags) {
	if t.isNaN(a) || t.isNaN(b) {
		return t.qnan(), invalidIf(t.isSNaN(a) || t.isSNaN(b))
	}
	r := op(t.host(a), t.host(b))
	if math.IsNaN(r) {
		return t.qnan(), NV
	}
	if r == 0 && rm == RDN && t.isZero(a) && t.isZero(b) && t.neg(a) != t.neg(b) {
		return t.signBit(), 0 // an addition of opposite zeros
	}
	return t.hostBits(r), 0
}

// refToInt converts a to an integer of the given width and signedness.
func (t testFormat) refToInt(a uint64, rm uint8, signed bool, width uint) (uint64, Flags) {
	lo, hi := new(big.Int), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), width), big.NewInt(1))
	if signed {
		hi.Rsh(hi, 1)
		lo.Neg(hi).Sub(lo, big.NewInt(1))
	}
	mask := uint64(1)<<width - 1
	if width == 64 {
		mask = ^uint64(0)
	}
	pattern := func(i *big.Int) uint64 {
		if i.Sign() < 0 {
			return -new(big.Int).Neg(i).Uint64() & mask
		}
		return i.Uint64()
	}
	switch {
	case t.isNaN(a):
		return pattern(hi), NV
	case t.isInf(a) && t.neg(a):
		return pattern(lo), NV
	case t.isInf(a):
		return pattern(hi), NV
	}
	i, inexact := roundToIntBig(t.toBig(a), rm)
	switch {
	case i.Cmp(lo) < 0:
		return pattern(lo), NV
	case i.Cmp(hi) > 0:
		return pattern(hi), NV
	}
	var fl Flags
	if inexact {
		fl = NX
	}
	return pattern(i), fl
}

// refFromInt converts the integer with two's-complement pattern x (signed
// or not) of the given width.
func (t testFormat) refFromInt(x uint64, signed bool, width uint, rm uint8) (uint64, Flags) {
	v := new(big.Float).SetPrec(128)
	if signed {
		v.SetInt64(int64(x<<(64-width)) >> (64 - width))
	} else {
		v.SetUint64(x)
	}
	if v.Sign() == 0 {
		return 0, 0
	}
	return t.refRound(v, rm)
}

// refConvert converts a from format from to t.
func (t testFormat) refConvert(from testFormat, a uint64, rm uint8) (uint64, Flags) {
	switch {
	case from.isNaN(a):
		return t.qnan(), invalidIf(from.isSNaN(a))
	case from.isInf(a):
		return t.inf(from.neg(a)), 0
	case from.isZero(a):
		if from.neg(a) {
			return t.signBit(), 0
		}
		return 0, 0
	}
	return t.refRound(from.toBig(a), rm)
}
