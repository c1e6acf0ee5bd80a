package softfloat

// Cross-checks of every operation against the math/big reference in every
// rounding mode, results and flags bit for bit.

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var roundingModes = [...]uint8{RNE, RTZ, RDN, RUP, RMM}

var modeNames = [...]string{"RNE", "RTZ", "RDN", "RUP", "RMM"}

type unaryFunc func(a uint64, rm uint8) (uint64, Flags)
type binaryFunc func(a, b uint64, rm uint8) (uint64, Flags)
type ternaryFunc func(a, b, c uint64, rm uint8) (uint64, Flags)

func wide1(f func(a uint32, rm uint8) (uint32, Flags)) unaryFunc {
	return func(a uint64, rm uint8) (uint64, Flags) {
		r, fl := f(uint32(a), rm)
		return uint64(r), fl
	}
}

func wide2(f func(a, b uint32, rm uint8) (uint32, Flags)) binaryFunc {
	return func(a, b uint64, rm uint8) (uint64, Flags) {
		r, fl := f(uint32(a), uint32(b), rm)
		return uint64(r), fl
	}
}

func wide3(f func(a, b, c uint32, rm uint8) (uint32, Flags)) ternaryFunc {
	return func(a, b, c uint64, rm uint8) (uint64, Flags) {
		r, fl := f(uint32(a), uint32(b), uint32(c), rm)
		return uint64(r), fl
	}
}

type binaryCase struct {
	name      string
	impl, ref binaryFunc
}

func binaryCases(t testFormat) []binaryCase {
	if t.width == 32 {
		return []binaryCase{
			{"add", wide2(Add32), t.refAdd},
			{"sub", wide2(Sub32), t.refSub},
			{"mul", wide2(Mul32), t.refMul},
			{"div", wide2(Div32), t.refDiv},
		}
	}
	return []binaryCase{
		{"add", Add64, t.refAdd},
		{"sub", Sub64, t.refSub},
		{"mul", Mul64, t.refMul},
		{"div", Div64, t.refDiv},
	}
}

type fmaCase struct {
	name   string
	impl   ternaryFunc
	np, nc bool // negate product, negate addend
}

func fmaCases(t testFormat) []fmaCase {
	if t.width == 32 {
		return []fmaCase{
			{"fmadd", wide3(MulAdd32), false, false},
			{"fmsub", wide3(MulSub32), false, true},
			{"fnmsub", wide3(NegMulSub32), true, false},
			{"fnmadd", wide3(NegMulAdd32), true, true},
		}
	}
	return []fmaCase{
		{"fmadd", MulAdd64, false, false},
		{"fmsub", MulSub64, false, true},
		{"fnmsub", NegMulSub64, true, false},
		{"fnmadd", NegMulAdd64, true, true},
	}
}

func sqrtImpl(t testFormat) unaryFunc {
	if t.width == 32 {
		return wide1(Sqrt32)
	}
	return Sqrt64
}

// mismatches collects disagreements with the reference, keeping the first
// few for the report.
type mismatches struct {
	count int
	first []string
}

func (m *mismatches) check(desc string, got uint64, gotFl Flags, want uint64, wantFl Flags) {
	if got == want && gotFl == wantFl {
		return
	}
	m.count++
	if len(m.first) < 12 {
		m.first = append(m.first, fmt.Sprintf("%s: got %#x flags %05b, want %#x flags %05b",
			desc, got, gotFl, want, wantFl))
	}
}

func (m *mismatches) assertNone(t *testing.T) {
	t.Helper()
	assert.Zero(t, m.count, "mismatches with the reference, first ones:\n%s", strings.Join(m.first, "\n"))
}

var iterationScale = flag.Int("scale", 1, "multiply the number of random cases in the cross-checks")

// iterations is the number of random cases a cross-check runs: n, a tenth
// of it with -short, more with -scale.
func iterations(t *testing.T, n int) int {
	if testing.Short() {
		return n / 10
	}
	return n * *iterationScale
}

var testFormats = [...]testFormat{tf32, tf64}

func TestBinaryOpsMatchReference(t *testing.T) {
	for _, tf := range testFormats {
		for i, op := range binaryCases(tf) {
			t.Run(tf.name+"/"+op.name, func(t *testing.T) {
				g := newGen(tf, uint64(100*tf.width)+uint64(i))
				var m mismatches
				for range iterations(t, 50000) {
					a, b := g.pair(op.name)
					for _, rm := range roundingModes {
						got, gotFl := op.impl(a, b, rm)
						want, wantFl := op.ref(a, b, rm)
						m.check(fmt.Sprintf("%s(%#x, %#x) %s", op.name, a, b, modeNames[rm]),
							got, gotFl, want, wantFl)
					}
				}
				m.assertNone(t)
			})
		}
	}
}

func TestFMAMatchesReference(t *testing.T) {
	for _, tf := range testFormats {
		for i, op := range fmaCases(tf) {
			t.Run(tf.name+"/"+op.name, func(t *testing.T) {
				g := newGen(tf, uint64(200*tf.width)+uint64(i))
				var m mismatches
				for range iterations(t, 50000) {
					a, b, c := g.triple()
					for _, rm := range roundingModes {
						got, gotFl := op.impl(a, b, c, rm)
						want, wantFl := tf.refFMA(a, b, c, op.np, op.nc, rm)
						m.check(fmt.Sprintf("%s(%#x, %#x, %#x) %s", op.name, a, b, c, modeNames[rm]),
							got, gotFl, want, wantFl)
					}
				}
				m.assertNone(t)
			})
		}
	}
}

func TestSqrtMatchesReference(t *testing.T) {
	for _, tf := range testFormats {
		t.Run(tf.name, func(t *testing.T) {
			g := newGen(tf, uint64(300*tf.width))
			impl := sqrtImpl(tf)
			var m mismatches
			for range iterations(t, 50000) {
				a := g.operand()
				for _, rm := range roundingModes {
					got, gotFl := impl(a, rm)
					want, wantFl := tf.refSqrt(a, rm)
					m.check(fmt.Sprintf("sqrt(%#x) %s", a, modeNames[rm]), got, gotFl, want, wantFl)
				}
			}
			m.assertNone(t)
		})
	}
}
