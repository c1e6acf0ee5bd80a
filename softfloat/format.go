package softfloat

import "math/bits"

// Rounding modes, with the values of the RISC-V rm field.
const (
	RNE uint8 = 0 // to nearest, ties to even
	RTZ uint8 = 1 // toward zero
	RDN uint8 = 2 // toward -infinity
	RUP uint8 = 3 // toward +infinity
	RMM uint8 = 4 // to nearest, ties away from zero
)

// Flags is a set of IEEE exception flags in the layout of the RISC-V fflags
// CSR.
type Flags = uint8

// Exception flags.
const (
	NX Flags = 1  // inexact
	UF Flags = 2  // underflow
	OF Flags = 4  // overflow
	DZ Flags = 8  // divide by zero
	NV Flags = 16 // invalid operation
)

// Canonical NaNs, the only NaNs an operation ever produces.
const (
	CanonicalNaN32 uint32 = 0x7fc00000
	CanonicalNaN64 uint64 = 0x7ff8000000000000
)

// format describes an IEEE binary interchange format. Both formats are
// handled by the same code on 64-bit containers: a binary32 encoding sits
// in the low 32 bits of a uint64.
type format struct {
	width     uint  // bits in the encoding
	precision uint  // significand bits, the hidden one included
	emin      int32 // exponent of the smallest normal number
	emax      int32 // exponent of the largest finite number
}

var (
	binary32 = format{width: 32, precision: 24, emin: -126, emax: 127}
	binary64 = format{width: 64, precision: 53, emin: -1022, emax: 1023}
)

func (f format) fracBits() uint       { return f.precision - 1 }
func (f format) fracMask() uint64     { return 1<<f.fracBits() - 1 }
func (f format) signBit() uint64      { return 1 << (f.width - 1) }
func (f format) bias() int32          { return f.emax }
func (f format) expAllOnes() uint64   { return 1<<(f.width-f.precision) - 1 }
func (f format) canonicalNaN() uint64 { return f.expAllOnes()<<f.fracBits() | 1<<(f.fracBits()-1) }

func (f format) zero(neg bool) uint64 {
	if neg {
		return f.signBit()
	}
	return 0
}

func (f format) infinity(neg bool) uint64 {
	return f.zero(neg) | f.expAllOnes()<<f.fracBits()
}

func (f format) maxFinite(neg bool) uint64 {
	return f.infinity(neg) - 1
}

// kind classifies an operand.
type kind uint8

const (
	zero kind = iota
	finite
	infinite
	quietNaN
	signalingNaN
)

// number is an unpacked operand. For a finite nonzero number the value is
// (-1)^neg * sig * 2^(exp-63), and bit 63 of sig is set: subnormal operands
// are normalized here so that arithmetic never has to care about them.
type number struct {
	kind kind
	neg  bool
	exp  int32
	sig  uint64
}

func (n number) isNaN() bool { return n.kind >= quietNaN }

func (f format) unpack(x uint64) number {
	neg := x&f.signBit() != 0
	frac := x & f.fracMask()
	biased := x >> f.fracBits() & f.expAllOnes()
	switch {
	case biased == f.expAllOnes():
		switch {
		case frac == 0:
			return number{kind: infinite, neg: neg}
		case frac>>(f.fracBits()-1) != 0:
			return number{kind: quietNaN, neg: neg}
		default:
			return number{kind: signalingNaN, neg: neg}
		}
	case biased == 0:
		if frac == 0 {
			return number{kind: zero, neg: neg}
		}
		lz := bits.LeadingZeros64(frac)
		return number{kind: finite, neg: neg,
			exp: f.emin - int32(f.fracBits()) + 63 - int32(lz),
			sig: frac << lz}
	default:
		return number{kind: finite, neg: neg,
			exp: int32(biased) - f.bias(),
			sig: (frac | 1<<f.fracBits()) << (63 - f.fracBits())}
	}
}

// nanResult is a NaN result: the canonical NaN, with NV when the operation
// is invalid (a signaling NaN operand, or inf-inf, 0*inf, 0/0, ...) rather
// than merely given a quiet NaN.
func (f format) nanResult(invalid bool) (uint64, Flags) {
	return f.canonicalNaN(), invalidIf(invalid)
}

func invalidIf(b bool) Flags {
	if b {
		return NV
	}
	return 0
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
