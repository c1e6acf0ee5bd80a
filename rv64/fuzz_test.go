package rv64

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/xv6emu/xv6emu/bus"
)

// The fuzz targets check that no guest behaviour can panic the emulator.

// FuzzExecute runs a random instruction stream. The first bytes of the
// input choose the privilege, satp (with page tables made of the input
// itself), mstatus bits and trap vectors; the rest fills RAM.
func FuzzExecute(f *testing.F) {
	f.Add([]byte{0x13, 0x05, 0x10, 0x00, 0x6f, 0x00, 0x00, 0x00})
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 0x80, 0x73, 0x10, 0x00, 0x18, 0x73, 0x00, 0x20, 0x30})
	f.Add(make([]byte, 64))
	// Spins, in M-mode: `j .`, and a load from the code itself (t1 =
	// testBase+6) until it reads zero.
	mSpin := func(words ...uint32) []byte {
		data := make([]byte, 32, 32+4*len(words))
		data[0] = 2
		for _, w := range words {
			data = binary.LittleEndian.AppendUint32(data, w)
		}
		return data
	}
	f.Add(mSpin(asmJAL(0, 0)))
	f.Add(mSpin(asmLW(t0, t1, 0), asmBNE(t0, 0, -4)))
	// A cycle: cycle_test.go's idle scan in M-mode with interrupts on, its
	// lock at testBase+0x400 (t1 = testBase+0x406 before the first addi).
	scan := mSpin(append([]uint32{asmADDI(t1, t1, -6)}, idleScan(csrMstatus, mstatusMIE)...)...)
	scan[8] = mstatusMIE
	scan[24+t1%8] = 0x400 / 8
	f.Add(scan)
	f.Fuzz(fuzzExecute)
}

// fuzzExecute is FuzzExecute's body.
func fuzzExecute(t *testing.T, data []byte) {
	h := fuzzHart(data)
	var hdr [32]byte
	copy(hdr[:], data)
	h.Run(2000)
	checkSpin(t, h)
	h.SetInterrupt(IntMEI, hdr[24]&1 != 0)
	h.SetInterrupt(IntMTI, hdr[24]&2 != 0)
	h.Run(2000)
	checkSpin(t, h)
	if h.icache.fetchPage == nil && h.icache.fetchVPN != noPage {
		t.Fatal("fetch page state inconsistent")
	}
}

// fuzzHart builds a hart from fuzz input: the first 32 bytes choose
// privilege, satp, mstatus, trap vectors, delegation, mie, menvcfg and
// registers, the rest fills RAM.
func fuzzHart(data []byte) *Hart {
	const ramSize = 1 << 16
	b := bus.New(testBase, ramSize)
	b.Map(0x10000000, 0x100, &echoDevice{}, "echo")
	h := New(0, b, &fakeClock{})
	h.Reset(testBase)
	var hdr [32]byte
	n := copy(hdr[:], data)
	copy(b.RAM, data[n:])
	cfg := binary.LittleEndian.Uint64(hdr[0:])
	h.setPriv([4]uint8{PrivU, PrivS, PrivM, PrivM}[cfg&3])
	if cfg&4 != 0 {
		// Sv39 with a root table somewhere in RAM.
		h.writeCSR(csrSatp, 8<<60|(testBase>>12+cfg>>8&0xF))
	}
	h.writeCSR(csrMstatus, binary.LittleEndian.Uint64(hdr[8:]))
	h.writeCSR(csrMtvec, testBase+uint64(hdr[16])*4)
	h.writeCSR(csrStvec, testBase+uint64(hdr[17])*4)
	h.writeCSR(csrMedeleg, uint64(binary.LittleEndian.Uint16(hdr[18:])))
	h.writeCSR(csrMideleg, uint64(hdr[20]))
	h.writeCSR(csrMie, uint64(binary.LittleEndian.Uint16(hdr[21:])))
	h.writeCSR(csrMenvcfg, uint64(hdr[23])<<56)
	for i := 1; i < 32; i++ {
		h.x[i] = testBase + uint64(hdr[24+i%8])*8 + uint64(i)
	}
	h.x[5] = 0x10000000 // a register pointing at the device
	return h
}

// checkSpin checks, when the last Run reported a spin (or a cycle), that
// the hart really is in a fixed point: stepping on one instruction per Run
// with cycle detection off (spin detection restarts every Run, so it never
// fires) it comes back to the same pc with the same registers, CSRs and
// memory. A spin repeats at every visit; a cycle may take a few visits to
// repeat (a loop that toggles a word with an AMO goes round twice), which
// is as much a fixed point. A system call loop traps on every round and
// is one too.
func checkSpin(t *testing.T, h *Hart) {
	if !h.Spinning() {
		return
	}
	h.cyc.off, h.cyc.found, h.cyc.probing = true, false, false
	defer func() { h.cyc.off = false }()
	pc, x, f, csr, priv := h.pc, h.x, h.f, h.csr, h.priv
	ram := append([]byte(nil), h.ram...)
	traps, visits, repeats := h.traps, 0, 0
	const maxPeriod = 4
	for i := 0; i < 3000 && visits < 3*maxPeriod; i++ {
		h.Run(1)
		if h.pc != pc {
			continue
		}
		visits++
		if [32]uint64(h.x[:32]) == [32]uint64(x[:32]) && h.f == f && h.csr == csr && h.priv == priv && bytes.Equal(ram, h.ram) {
			repeats++
		}
	}
	if visits == 0 {
		t.Fatalf("spin at %#x: not a fixed point (no visits)", pc)
	}
	if h.traps != traps && repeats == 0 {
		t.Fatalf("spin at %#x: traps (%d) and no repeat", pc, h.traps-traps)
	}
	if repeats == 0 || repeats < visits/maxPeriod {
		t.Fatalf("spin at %#x: the state repeated at %d of %d visits", pc, repeats, visits)
	}
}

// echoDevice is a register block that reads back what was written.
type echoDevice struct{ regs [32]uint64 }

func (d *echoDevice) Read(off uint64, size int) uint64 { return d.regs[off/8%32] }
func (d *echoDevice) Write(off uint64, size int, v uint64) {
	d.regs[off/8%32] = v
}

// FuzzDecode decodes any 32-bit word: no panic, a sane length, registers
// in range.
func FuzzDecode(f *testing.F) {
	f.Add(uint32(0x00000013))
	f.Add(uint32(0x0000))
	f.Add(uint32(0xffffffff))
	f.Fuzz(func(t *testing.T, raw uint32) {
		in := decode(raw)
		if in.op == opNone || in.op >= opCount {
			t.Fatalf("%#x: op %d", raw, in.op)
		}
		if want := uint8(4 - 2*b2u(raw&3 != 3)); in.len != want {
			t.Fatalf("%#x: len %d, want %d", raw, in.len, want)
		}
		if in.rd > 31 && !(in.rd == zeroSink && writesX(in.op)) || in.rs1 > 31 || in.rs2 > 31 || in.rs3() > 31 {
			t.Fatalf("%#x: register out of range: %+v", raw, in)
		}
	})
}

// FuzzCSR reads and writes any CSR with any value in any mode.
func FuzzCSR(f *testing.F) {
	f.Add(uint16(0x300), uint64(0xffffffffffffffff), uint8(3))
	f.Add(uint16(0x180), uint64(8<<60|0x80000), uint8(1))
	f.Add(uint16(0x003), uint64(0xff), uint8(0))
	f.Fuzz(func(t *testing.T, num uint16, v uint64, priv uint8) {
		b := bus.New(testBase, 1<<16)
		h := New(0, b, &fakeClock{})
		h.setPriv([4]uint8{PrivU, PrivS, PrivM, PrivM}[priv&3])
		csr := uint64(num & 0xFFF)
		for _, write := range []bool{false, true} {
			if !h.csrAccessible(csr, write) {
				continue
			}
			old, ok := h.readCSR(csr)
			if ok && write {
				h.writeCSR(csr, v)
				h.writeCSR(csr, h.rmwBase(csr, old)|v)
			}
		}
		h.x[1] = v
		// And through the instructions, which include the privilege checks.
		prog := []uint32{
			encI(0x73, 1, 2, 1, int32(csr)),  // csrrw x2, csr, x1
			encI(0x73, 2, 3, 1, int32(csr)),  // csrrs x3, csr, x1
			encI(0x73, 7, 4, 31, int32(csr)), // csrrci x4, csr, 31
		}
		for i, w := range prog {
			binary.LittleEndian.PutUint32(b.RAM[4*i:], w)
		}
		h.pc = testBase
		h.Run(3)
	})
}
