package softfloat

import "testing"

// benchOperands are ordinary normal numbers: the common case a guest's
// floating-point code hits.
var benchOperands = func() [256]uint64 {
	var ops [256]uint64
	g := newGen(tf64, 900)
	for i := range ops {
		ops[i] = g.withExp(g.r.IntN(64) - 32)
	}
	return ops
}()

var sink uint64

func benchBinary(b *testing.B, op func(a, b uint64, rm uint8) (uint64, Flags)) {
	var acc uint64
	for i := 0; b.Loop(); i++ {
		r, fl := op(benchOperands[i&255], benchOperands[(i+1)&255], RNE)
		acc += r + uint64(fl)
	}
	sink = acc
}

func BenchmarkAdd64(b *testing.B) { benchBinary(b, Add64) }
func BenchmarkMul64(b *testing.B) { benchBinary(b, Mul64) }
func BenchmarkDiv64(b *testing.B) { benchBinary(b, Div64) }
func BenchmarkSqrt64(b *testing.B) {
	benchBinary(b, func(a, _ uint64, rm uint8) (uint64, Flags) { return Sqrt64(a, rm) })
}

func BenchmarkMulAdd64(b *testing.B) {
	var acc uint64
	for i := 0; b.Loop(); i++ {
		r, fl := MulAdd64(benchOperands[i&255], benchOperands[(i+1)&255], benchOperands[(i+2)&255], RNE)
		acc += r + uint64(fl)
	}
	sink = acc
}

func BenchmarkAdd32(b *testing.B) {
	var acc uint64
	for i := 0; b.Loop(); i++ {
		r, fl := Add32(uint32(benchOperands[i&255]>>32), uint32(benchOperands[(i+1)&255]>>32), RNE)
		acc += uint64(r) + uint64(fl)
	}
	sink = acc
}

func BenchmarkF64ToI64(b *testing.B) {
	var acc uint64
	for i := 0; b.Loop(); i++ {
		r, fl := F64ToI64(benchOperands[i&255], RTZ)
		acc += uint64(r) + uint64(fl)
	}
	sink = acc
}
