package softfloat

// Operand generators for the cross-checks: a mix of uniformly random
// encodings and values chosen to land on the hard cases (zeros, subnormals,
// infinities, NaNs, the ends of the exponent range, significands with few
// bits so that results are often exact or exactly halfway).

import "math/rand/v2"

type gen struct {
	r *rand.Rand
	t testFormat
}

func newGen(t testFormat, seed uint64) gen {
	return gen{r: rand.New(rand.NewPCG(seed, 0x5eed)), t: t}
}

// edges are encodings worth trying as they are (both signs are applied).
func (g gen) edge() uint64 {
	t := g.t
	maxE := uint64(t.maxExpField())
	fb := t.fracBits()
	cands := [...]uint64{
		0,                          // zero
		1,                          // smallest subnormal
		2,                          //
		1<<fb - 1,                  // largest subnormal
		1 << fb,                    // smallest normal
		1<<fb + 1,                  //
		(maxE-1)<<fb | (1<<fb - 1), // largest finite
		(maxE - 1) << fb,           //
		maxE << fb,                 // infinity
		maxE<<fb | 1<<(fb-1),       // canonical quiet NaN
		maxE<<fb | 1,               // signaling NaN
		maxE<<fb | (1<<fb - 1),     // quiet NaN with payload
		maxE<<fb | 1<<(fb-2),       // signaling NaN with payload
		uint64(t.emax) << fb,       // 1.0
		uint64(t.emax)<<fb | (1<<fb - 1),
		uint64(t.emax+1) << fb, // 2.0
		uint64(t.emax-1) << fb, // 0.5
	}
	return cands[g.r.IntN(len(cands))] | g.sign()
}

func (g gen) sign() uint64 {
	if g.r.IntN(2) == 0 {
		return g.t.signBit()
	}
	return 0
}

// frac returns fraction bits with a pattern that makes ties and carries
// likely.
func (g gen) frac() uint64 {
	fb := g.t.fracBits()
	mask := uint64(1)<<fb - 1
	switch g.r.IntN(8) {
	case 0:
		return 0
	case 1:
		return mask
	case 2: // only the top k bits may be set
		k := uint(g.r.IntN(int(fb) + 1))
		return g.r.Uint64() & mask &^ (mask >> k)
	case 3: // all ones but a few low bits
		return mask &^ (g.r.Uint64() & 0xf)
	case 4: // few low bits
		return g.r.Uint64() & 0xff
	default:
		return g.r.Uint64() & mask
	}
}

// withExp returns a finite number with unbiased exponent e (clamped to the
// format: below emin it is subnormal).
func (g gen) withExp(e int) uint64 {
	t := g.t
	biased := e + t.emax
	switch {
	case biased >= t.maxExpField():
		biased = t.maxExpField() - 1
	case biased <= 0:
		// A subnormal of about the right size.
		shift := 1 - biased
		f := (1<<t.fracBits() | g.frac()) >> min(shift, 63)
		return f | g.sign()
	}
	return uint64(biased)<<t.fracBits() | g.frac() | g.sign()
}

// operand returns one operand drawn from the whole range.
func (g gen) operand() uint64 {
	t := g.t
	switch g.r.IntN(10) {
	case 0, 1:
		return g.edge()
	case 2:
		return g.withExp(t.emin - g.r.IntN(int(t.prec)+2)) // subnormal
	case 3:
		return g.withExp(t.emin + g.r.IntN(4) - 1)
	case 4:
		return g.withExp(t.emax - g.r.IntN(4))
	case 5, 6:
		return g.withExp(g.r.IntN(9) - 4)
	default:
		return g.r.Uint64() & (t.signBit()<<1 - 1)
	}
}

// exponent returns the unbiased exponent of a finite nonzero encoding,
// counting a subnormal by its leading bit.
func (g gen) exponent(x uint64) int {
	t := g.t
	e := t.expField(x)
	if e != 0 {
		return e - t.emax
	}
	f := t.frac(x)
	n := t.emin - 1
	for f != 0 && f>>(t.fracBits()-1) == 0 {
		f <<= 1
		n--
	}
	return n
}

func (g gen) finite(x uint64) bool { return !g.t.isSpecial(x) }

// near returns a number whose exponent is e plus a small offset.
func (g gen) near(e int) uint64 { return g.withExp(e + g.r.IntN(7) - 3) }

// pair returns operands for an operation named op, often related so that the
// result lands near a boundary: cancellation for add, the underflow and
// overflow thresholds for mul and div.
func (g gen) pair(op string) (uint64, uint64) {
	t := g.t
	a := g.operand()
	if !g.finite(a) || g.r.IntN(3) == 0 {
		return a, g.operand()
	}
	ea := g.exponent(a)
	switch op {
	case "add", "sub":
		if g.r.IntN(2) == 0 {
			return a, g.near(ea)
		}
		return a, g.withExp(ea - g.r.IntN(int(t.prec)+4))
	case "mul":
		if g.r.IntN(4) == 0 {
			return g.justBelowPowerOfTwo()
		}
		targets := [...]int{t.emin, t.emin - int(t.prec), t.emax, 0}
		return a, g.near(targets[g.r.IntN(len(targets))] - ea)
	case "div":
		targets := [...]int{t.emin, t.emin - int(t.prec), t.emax, 0}
		return a, g.near(ea - targets[g.r.IntN(len(targets))])
	}
	return a, g.operand()
}

// triple returns operands for a fused multiply-add, the addend often near
// the product so that it cancels or ties.
func (g gen) triple() (uint64, uint64, uint64) {
	a, b := g.pair("mul")
	if !g.finite(a) || !g.finite(b) || g.r.IntN(4) == 0 {
		return a, b, g.operand()
	}
	ep := g.exponent(a) + g.exponent(b)
	switch g.r.IntN(3) {
	case 0:
		return a, b, g.near(ep)
	case 1:
		return a, b, g.withExp(ep - g.r.IntN(2*int(g.t.prec)+4))
	}
	return a, b, g.withExp(ep + g.r.IntN(2*int(g.t.prec)+4))
}

// justBelowPowerOfTwo returns factors whose product is a hair below 2^emin
// or 2^(emax+1): (1 + k*u) * (2 - 2k*u) = 2 * (1 - k^2*u^2), with u the unit
// in the last place of 1 and k small. Whether the product rounds up to the
// power of two decides tininess (after rounding) or overflow, by mode.
func (g gen) justBelowPowerOfTwo() (uint64, uint64) {
	t := g.t
	k := uint64(1 + g.r.IntN(1<<10))
	top := [...]int{t.emin, t.emax + 1}[g.r.IntN(2)]
	for {
		ea := t.emin + g.r.IntN(t.emax-t.emin+1)
		eb := top - 1 - ea // the product is just below 2^(ea+eb+1)
		if eb < t.emin || eb > t.emax {
			continue
		}
		a := uint64(ea+t.emax)<<t.fracBits() | k | g.sign()
		b := uint64(eb+t.emax)<<t.fracBits() | (1<<t.fracBits() - 2*k) | g.sign()
		return a, b
	}
}
