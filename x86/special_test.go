package x86

import (
	"bytes"
	"testing"
)

// specialRun runs code on two CPUs, one as usual and one with every
// instruction on its generic opcode and no loop idioms, in chunks of a
// few steps, and fails at the first difference in what a program can see:
// registers, EIP, flags, CR2, step counts, exceptions, spins, and at the
// end memory.
func specialRun(t *testing.T, code []byte, user, paging bool) {
	a, ab := newFuzzCPU(t, code, user, paging)
	defer ab.Close()
	b, bb := newFuzzCPU(t, code, user, paging)
	defer bb.Close()
	b.plainOps, b.loopsOff = true, true
	a.cyc.off, b.cyc.off = true, true
	for i := 0; i < 200; i++ {
		na, nb := a.Run(7), b.Run(7)
		if na != nb || a.eip != b.eip || a.snapshot().r != b.snapshot().r || a.getFlags() != b.getFlags() ||
			a.cr2 != b.cr2 || a.Stats.Exceptions != b.Stats.Exceptions || a.Spinning() != b.Spinning() ||
			a.Halted() != b.Halted() {
			t.Fatalf("chunk %d: specialized ran %d to eip %#x regs %x flags %#x; generic ran %d to eip %#x regs %x flags %#x",
				i, na, a.eip, a.snapshot().r, a.getFlags(), nb, b.eip, b.snapshot().r, b.getFlags())
		}
		if na == 0 {
			break
		}
	}
	if !bytes.Equal(a.ram, b.ram) {
		t.Fatalf("memory differs")
	}
}

// FuzzSpecialized: the specialized opcodes and loop idioms do exactly
// what the generic interpreter does.
func FuzzSpecialized(f *testing.F) {
	fuzzSeeds(f)
	f.Add([]byte{0x83, 0x05, 0, 0, 8, 0, 0x01, 0x83, 0x2D, 0, 0, 8, 0, 0x03, 0x83, 0x3D, 0, 0, 8, 0, 0xFE, 0x7C, 0xEE})
	f.Add([]byte{0xC1, 0xE0, 0x03, 0xC1, 0xE8, 0x21, 0xC1, 0xF9, 0x1F, 0xF6, 0xC4, 0x02, 0x75, 0xF2})
	f.Add([]byte{0xA3, 0, 0, 8, 0, 0xA1, 4, 0, 8, 0, 0x31, 0xC0, 0x33, 0xDB, 0x31, 0xD9, 0x35, 0x55, 0, 0, 0, 0x3D, 7, 0, 0, 0})
	f.Add([]byte{0xC7, 0x05, 0, 0, 8, 0, 0x78, 0x56, 0x34, 0x12, 0x0F, 0xB6, 0x05, 1, 0, 8, 0, 0x0F, 0xB6, 0xDC, 0xA9, 0xFF, 0, 0, 0, 0xEB, 0xE7})
	f.Add([]byte{0xB9, 0x40, 0, 0, 0, 0xBF, 0, 0, 8, 0, 0x0F, 0xB6, 0x07, 0x88, 0x47, 0x40, 0x47, 0x49, 0x75, 0xF5, 0x0D, 1, 0, 0, 0, 0x25, 3, 0, 0, 0, 0xF7, 0xC1, 1, 0, 0, 0})
	f.Add([]byte{0x81, 0x0D, 0, 0, 8, 0, 0, 1, 0, 0, 0x83, 0x15, 0, 0, 8, 0, 1, 0x83, 0x1D, 4, 0, 8, 0, 1, 0x83, 0x35, 0, 0, 8, 0, 0xFF, 0x83, 0xCA, 5, 0x83, 0xF2, 5})
	f.Add([]byte{0x83, 0x05, 0xFE, 0xFF, 0x7F, 0, 1, 0x83, 0x05, 0, 0xF0, 0xFF, 0xFF, 1, 0xA1, 0xFD, 0xFF, 0x7F, 0, 0xC7, 0x05, 0xFE, 0xFF, 0x3F, 0, 1, 0, 0, 0})
	f.Add([]byte{0x6B, 0xC0, 0x0B, 0x69, 0xD1, 0xB0, 0, 0, 0, 0x69, 0xC0, 0, 0, 0, 0x80, 0xA8, 0x01, 0x55, 0x89, 0xE5, 0x83, 0xEC, 0x08, 0xC9, 0x89, 0xC5, 0xC9})
	f.Fuzz(func(t *testing.T, code []byte) {
		paging := len(code) > 0 && code[0]&1 != 0
		user := len(code) > 0 && code[0]&2 != 0
		specialRun(t, code, user, paging)
	})
}
