package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

// A guest shaped like MIT xv6's kernel hot path: acquire and release a
// spinlock in a loop. Every call is auipc+jalr (MIT builds with
// -mno-relax), most of them go to another page, push_off and pop_off
// read and flip sstatus.SIE, and the lock is taken and dropped with
// amoswap.w. It measures what a block-per-few-instructions kernel costs:
// block entries, page switches, CSR and AMO slow paths, stack accesses.
func callHeavyHart() *Hart {
	b := bus.New(testBase, 1<<20)
	h := New(0, b, &fakeClock{})
	h.Reset(testBase)
	at := func(off uint64, words ...uint32) {
		for i, w := range words {
			binary.LittleEndian.PutUint32(b.RAM[off+4*uint64(i):], w)
		}
	}
	// call returns auipc+jalr at off to target (both page offsets from
	// testBase).
	call := func(off, target uint64) []uint32 {
		d := int64(target) - int64(off)
		hi := (d + 0x800) &^ 0xFFF
		return []uint32{asmAUIPCHi(ra, int32(hi)), asmJALR(ra, ra, int32(d-hi))}
	}
	const (
		sp, s0, s1, a4, a5 = 2, 8, 9, 14, 15
		acquire, release   = 0x1000, 0x1100
		pushOff, popOff    = 0x1200, 0x1300
		mycpu              = 0x2000
		sstatusSIE         = 2
	)
	csrrci := func(csr int, imm int) uint32 { return encI(0x73, 7, 0, imm, int32(csr)) }
	csrrsi := func(csr int, imm int) uint32 { return encI(0x73, 6, 0, imm, int32(csr)) }
	andi := func(rd, rs1 int, imm int32) uint32 { return encI(0x13, 7, rd, rs1, imm) }
	slli := func(rd, rs1 int, sh int32) uint32 { return encI(0x13, 1, rd, rs1, sh) }
	add := func(rd, rs1, rs2 int) uint32 {
		return uint32(rs2)<<20 | uint32(rs1)<<15 | uint32(rd)<<7 | 0x33
	}
	ret := asmJALR(0, ra, 0)

	at(0, call(0, acquire)...)
	at(8, call(8, release)...)
	at(16, asmADDI(s1, s1, 1), asmJAL(0, -20))

	at(acquire, asmADDI(sp, sp, -16), asmSD(ra, sp, 8), asmSD(s0, sp, 0), asmADDI(s0, sp, 16))
	at(acquire+16, call(acquire+16, pushOff)...)
	at(acquire+24, asmADDI(t0, 0, 1), asmAMOW(1, t1, t0, a0), asmBNE(t1, 0, -4), asmFENCE(),
		asmLD(ra, sp, 8), asmLD(s0, sp, 0), asmADDI(sp, sp, 16), ret)

	at(release, asmADDI(sp, sp, -16), asmSD(ra, sp, 8), asmFENCE(), asmAMOW(1, 0, 0, a0))
	at(release+16, call(release+16, popOff)...)
	at(release+24, asmLD(ra, sp, 8), asmADDI(sp, sp, 16), ret)

	at(pushOff, asmADDI(sp, sp, -16), asmSD(ra, sp, 8), asmCSRRS(t3, csrSstatus, 0), csrrci(csrSstatus, sstatusSIE))
	at(pushOff+16, call(pushOff+16, mycpu)...)
	at(pushOff+24, asmSW(t3, a1, 8), asmLD(ra, sp, 8), asmADDI(sp, sp, 16), ret)

	at(popOff, asmADDI(sp, sp, -16), asmSD(ra, sp, 8), asmCSRRS(a5, csrSstatus, 0))
	at(popOff+12, call(popOff+12, mycpu)...)
	at(popOff+20, asmLW(a4, a1, 8), andi(a4, a4, sstatusSIE), asmBranch(0, a4, 0, 8),
		csrrsi(csrSstatus, sstatusSIE), asmLD(ra, sp, 8), asmADDI(sp, sp, 16), ret)

	at(mycpu, asmADDI(sp, sp, -16), asmSD(s0, sp, 8), asmADDI(s0, sp, 16), asmADDI(a5, 4, 0),
		slli(a5, a5, 7), asmAUIPCHi(a1, 0x7000), asmADDI(a1, a1, 0), add(a1, a1, a5),
		asmLD(s0, sp, 8), asmADDI(sp, sp, 16), ret)

	h.x[sp] = testBase + 0x10000
	h.x[a0] = testBase + 0x8000 // the lock
	h.setPriv(PrivS)
	return h
}

// The guest does what it was written to do: between iterations the lock
// is free and SIE is on again, and no instruction traps.
func TestCallHeavyGuest(t *testing.T) {
	h := callHeavyHart()
	h.writeCSR(csrSstatus, mstatusSIE)
	require.Equal(t, uint64(1_000_000), h.Run(1_000_000))
	require.Zero(t, h.traps)
	require.Greater(t, h.Reg(9), uint64(1_000_000/100), "loop iterations")
	for i := 0; i < 200 && h.PC() != testBase+16; i++ {
		h.Run(1)
	}
	require.Equal(t, uint64(testBase+16), h.PC(), "back in the loop")
	require.Zero(t, binary.LittleEndian.Uint32(h.ram[0x8000:]), "lock free")
	require.NotZero(t, h.csr.mstatus&mstatusSIE)
}

// BenchmarkCallHeavy reports guest MIPS on the call-heavy guest.
func BenchmarkCallHeavy(b *testing.B) {
	h := callHeavyHart()
	h.writeCSR(csrSstatus, mstatusSIE)
	const chunk = 1_000_000
	h.Run(chunk)
	b.ResetTimer()
	for range b.N {
		h.Run(chunk)
	}
	b.ReportMetric(float64(b.N)*chunk/b.Elapsed().Seconds()/1e6, "MIPS")
}
