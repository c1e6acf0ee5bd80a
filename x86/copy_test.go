package x86

import (
	"bytes"
	"fmt"
	"testing"
)

// copyLoops returns byte copy loops from src to dst for n bytes, as
// fillLoops does fill loops.
func copyLoops(src, dst, n uint32) []fillLoop {
	regs := func(kv ...uint32) []byte {
		var b []byte
		for i := 0; i < len(kv); i += 2 {
			b = append(b, movImm(int(kv[i]), kv[i+1])...)
		}
		return b
	}
	return []fillLoop{
		// Our memmove: movzbl (%eax),%ebx; inc %eax; inc %edx; mov %bl,-1(%edx); cmp %ecx,%eax; jne.
		{"memmove", regs(EAX, src, EDX, dst, ECX, src+n),
			[]byte{0x0F, 0xB6, 0x18, 0x40, 0x42, 0x88, 0x5A, 0xFF, 0x39, 0xC8}, 0x5},
		// The increments first, the compare on the destination, jb.
		{"inc first jb", regs(ESI, src, EDI, dst, EBP, dst+n),
			[]byte{0x46, 0x47, 0x0F, 0xB6, 0x4E, 0xFF, 0x88, 0x4F, 0xFF, 0x39, 0xEF}, 0x2},
		// The store before the destination's increment, compared with an
		// immediate.
		{"store first imm", regs(EBX, src, EDX, dst),
			append([]byte{0x0F, 0xB6, 0x03, 0x88, 0x02, 0x43, 0x42, 0x81, 0xFB}, le32(src+n)...), 0x5},
	}
}

func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

// TestCopyLoops: byte copies of many sizes, alignments and overlaps,
// across pages, in Runs that end anywhere, with and without paging, end
// exactly as stepping and the interpreter leave them, copy the bytes
// memmove would (forward), and run mostly in bulk.
func TestCopyLoops(t *testing.T) {
	const base = 0x200000
	prep := func(ram []byte) {
		for i := range 5 * 4096 {
			ram[base+i] = byte(i*7 + 3)
		}
	}
	for _, n := range []uint32{1, 2, 17, 4095, 4096, 8200} {
		for _, c := range []struct{ src, dst uint32 }{
			{base, base + 0x10000}, {base + 5, base + 0x10FFE}, {base + 0xFFF, base + 0x11000},
			{base + 100, base + 103}, {base + 100, base + 95}, {base + 100, base + 100}, {base + 8, base + 9},
		} {
			for li, l := range copyLoops(c.src, c.dst, n) {
				for bi, budget := range []func(int) uint64{
					func(int) uint64 { return 1 << 20 },
					func(k int) uint64 { return uint64(1 + k*131%997) },
				} {
					mode := (int(n) + li + bi + int(c.src)) % 3
					t.Run(fmt.Sprintf("%s/n%d/%#x-%#x/b%d/m%d", l.name, n, c.src, c.dst, bi, mode), func(t *testing.T) {
						prog := fillProgram(l, 0)
						cpu := fillRunPrep(t, prog, prep, fzCode+uint32(len(prog))-1, mode == 2, mode != 0, budget)
						ref := make([]byte, 0x20000)
						for i := range 5 * 4096 {
							ref[i] = byte(i*7 + 3)
						}
						for i := range n { // a forward byte loop, as memmove's
							ref[c.dst-base+i] = ref[c.src-base+i]
						}
						if got := cpu.ram[base : base+0x20000]; !bytes.Equal(got, ref) {
							t.Fatal("copied bytes differ from a forward byte copy")
						}
						if bi == 0 && n >= 4096 && cpu.fillIters < uint64(n/2) {
							t.Errorf("only %d of %d iterations in bulk", cpu.fillIters, n)
						}
					})
				}
			}
		}
	}
}

// TestCopyOverCode: a copy onto a page holding decoded code stops there
// and leaves it to the interpreter.
func TestCopyOverCode(t *testing.T) {
	const base = 0x200000
	for _, l := range copyLoops(base, base+0x10000, 3*4096) {
		for _, at := range []uint32{base + 0x10800, base + 0x11FFF} {
			t.Run(fmt.Sprintf("%s/code%#x", l.name, at), func(t *testing.T) {
				prog := fillProgram(l, at)
				fillRunPrep(t, prog, func(ram []byte) {
					for i := range 3 * 4096 {
						ram[base+i] = byte(i)
					}
					ram[at] = 0xC3
				}, fzCode+uint32(len(prog))-1, false, true, func(k int) uint64 { return uint64(700 + k*37%900) })
			})
		}
	}
}

// TestCopyClassify: the loops above are copy loops; a store of another
// register, a pointer the byte lands in, or a third increment are not.
func TestCopyClassify(t *testing.T) {
	for _, l := range copyLoops(0x200000, 0x300000, 100) {
		if !copyShapeOf(t, l).ok {
			t.Errorf("%s: not a copy loop", l.name)
		}
	}
	for _, l := range []fillLoop{
		{"stores another register", nil, []byte{0x0F, 0xB6, 0x18, 0x40, 0x42, 0x88, 0x4A, 0xFF, 0x39, 0xC8}, 0x5},
		{"loads into the source", nil, []byte{0x0F, 0xB6, 0x00, 0x40, 0x42, 0x88, 0x42, 0xFF, 0x39, 0xC8}, 0x5},
		{"bound is the byte", nil, []byte{0x0F, 0xB6, 0x18, 0x40, 0x42, 0x88, 0x5A, 0xFF, 0x39, 0xD8}, 0x5},
		{"store before load", nil, []byte{0x88, 0x5A, 0xFF, 0x0F, 0xB6, 0x18, 0x40, 0x42, 0x39, 0xC8}, 0x5},
		{"cmp before an inc", nil, []byte{0x0F, 0xB6, 0x18, 0x40, 0x39, 0xC8, 0x42, 0x88, 0x5A, 0xFF}, 0x5},
	} {
		if copyShapeOf(t, l).ok {
			t.Errorf("%s: taken for a copy loop", l.name)
		}
	}
}

// copyShapeOf is fillShapeOf for classifyCopy.
func copyShapeOf(t *testing.T, l fillLoop) copyShape {
	t.Helper()
	sh := loopShapeOf(t, l)
	classifyCopy(sh)
	return sh.copy
}

// FuzzCopyLoops: the copy loops above from fuzzed sources, destinations
// (overlapping or not), sizes and Run budgets, against stepping and the
// interpreter.
func FuzzCopyLoops(f *testing.F) {
	f.Add(uint8(0), uint16(5), int32(0x10000), uint16(5000), uint16(300), uint8(1))
	f.Add(uint8(1), uint16(0xFF0), int32(3), uint16(9000), uint16(0), uint8(2))
	f.Add(uint8(2), uint16(100), int32(-7), uint16(4200), uint16(77), uint8(0))
	f.Fuzz(func(t *testing.T, kind uint8, so uint16, delta int32, n uint16, budget uint16, mode uint8) {
		const base = 0x200000
		src := base + uint32(so)
		dst := uint32(int32(src) + delta%0x100000)
		if dst < base-0x10000 {
			dst = base - 0x10000
		}
		ls := copyLoops(src, dst, uint32(n)+1)
		l := ls[int(kind)%len(ls)]
		prog := fillProgram(l, 0)
		fillRunPrep(t, prog, func(ram []byte) {
			for i := range 0x20000 {
				ram[base+i] = byte(i*13 + 1)
			}
		}, fzCode+uint32(len(prog))-1, mode%3 == 2, mode%3 != 0, func(k int) uint64 {
			return 1 + (uint64(budget)*uint64(k+1)*2654435761)>>5%(uint64(budget)+40)
		})
	})
}
