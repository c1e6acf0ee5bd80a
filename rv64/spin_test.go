package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The spin tests run small loops that read a flag word at flagOff in RAM,
// with t1 pointing at it.
const (
	flagOff   = 0x400
	t2        = 7
	spinQuota = 10_000 // far more than detection needs
)

// newSpinHart returns a test hart running prog, with t1 = &flag and the
// flag set to flag.
func newSpinHart(t *testing.T, flag uint32, prog ...uint32) *Hart {
	t.Helper()
	h, b, _ := newTestHart(t, prog...)
	binary.LittleEndian.PutUint32(b.RAM[flagOff:], flag)
	h.SetReg(t1, testBase+flagOff)
	h.cyc.off = true // these tests are about spins; cycle_test.go has cycles
	return h
}

// setFlag writes the flag the way another hart or a DMA would: from
// outside the hart, between Runs.
func setFlag(t *testing.T, h *Hart, v uint32) {
	t.Helper()
	var w [4]byte
	binary.LittleEndian.PutUint32(w[:], v)
	require.NoError(t, h.bus.WriteRAM(testBase+flagOff, w[:]))
}

// spinLoop waits for the flag to clear (as `while(*flag);` with an acquire
// fence), then sets a0 = 1 and stops in `for(;;);`.
var spinLoop = []uint32{
	asmLW(t0, t1, 0), // 0
	asmFENCE(),       // 4
	asmBNE(t0, 0, -8),
	asmADDI(a0, 0, 1), // 12
	asmJAL(0, 0),      // 16
}

func TestSpinOnMemoryWordIsDetected(t *testing.T) {
	h := newSpinHart(t, 1, spinLoop...)
	n := h.Run(spinQuota)
	assert.True(t, h.Spinning())
	assert.False(t, h.Waiting())
	assert.Less(t, n, uint64(100), "stops soon after the loop starts")
	assert.Equal(t, n, h.Instret())
	assert.Equal(t, uint64(testBase+8), h.PC(), "stopped at the back edge, not yet executed")

	// Nothing changed: the next Run finds the spin again, in the same place.
	n = h.Run(spinQuota)
	assert.True(t, h.Spinning())
	assert.Less(t, n, uint64(100))
	assert.Equal(t, uint64(testBase+8), h.PC())

	// Another agent clears the flag: the loop exits and the hart reaches
	// `for(;;);`, also a spin.
	setFlag(t, h, 0)
	h.Run(spinQuota)
	assert.Equal(t, uint64(1), h.Reg(a0), "left the loop")
	assert.True(t, h.Spinning())
	assert.Equal(t, uint64(testBase+16), h.PC())
}

func TestSpinDetectedLoops(t *testing.T) {
	const amoswap, amoadd = 1, 0
	tests := []struct {
		name   string
		flag   uint32
		prog   []uint32
		branch uint64 // offset of the back edge
	}{
		{"for(;;)", 0, []uint32{asmJAL(0, 0)}, 0},
		{"compressed c.j .", 0, []uint32{0xA001}, 0},
		{"test-and-set on a held lock", 1, []uint32{
			asmADDI(t0, 0, 1),
			asmAMOW(amoswap, t2, t0, t1), // swaps 1 for 1: memory unchanged
			asmBNE(t2, 0, -4),
		}, 8},
		{"amoadd of zero", 1, []uint32{
			asmAMOW(amoadd, t2, 0, t1),
			asmBNE(t2, 0, -4),
		}, 4},
		{"load in a forward-branching body", 1, []uint32{
			asmLW(t0, t1, 0),
			asmBNE(t0, 0, 8), // forward branches are not back edges
			asmJAL(0, 0),
			asmJAL(0, -12),
		}, 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSpinHart(t, tc.flag, tc.prog...)
			n := h.Run(spinQuota)
			assert.True(t, h.Spinning())
			assert.Less(t, n, uint64(spinQuota))
			assert.Equal(t, testBase+tc.branch, h.PC())
			assert.Equal(t, tc.flag, binary.LittleEndian.Uint32(h.ram[flagOff:]), "memory unchanged")
		})
	}
}

// countingDevice returns 1 from every register and counts reads.
type countingDevice struct{ reads int }

func (d *countingDevice) Read(off uint64, size int) uint64     { d.reads++; return 1 }
func (d *countingDevice) Write(off uint64, size int, v uint64) {}

func TestSpinNotDetected(t *testing.T) {
	const amoadd = 0
	tests := []struct {
		name  string
		prog  []uint32
		setup func(h *Hart)
	}{
		{"counting loop", []uint32{
			asmADDI(a0, a0, 1),
			asmBNE(a0, 0, -4),
		}, nil},
		{"store in the loop", []uint32{
			asmSW(t0, t1, 4), // the same value every time, but a store
			asmLW(t0, t1, 0),
			asmBNE(t0, 0, -8),
		}, nil},
		{"CSR read in the loop", []uint32{
			asmCSRRS(t2, csrMscratch, 0),
			asmLW(t0, t1, 0),
			asmBNE(t0, 0, -8),
		}, nil},
		{"AMO that changes memory", []uint32{
			asmADDI(t0, 0, 1),
			asmAMOW(amoadd, 0, t0, t1), // result discarded: registers repeat
			asmJAL(0, -8),
		}, nil},
		{"FP instruction in the loop", []uint32{
			0xF0000053, // fmv.w.x f0, x0
			asmLW(t0, t1, 0),
			asmBNE(t0, 0, -8),
		}, func(h *Hart) { require.True(t, h.writeCSR(csrMstatus, fsDirty<<mstatusFSShift)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSpinHart(t, 1, tc.prog...)
			if tc.setup != nil {
				tc.setup(h)
			}
			assert.Equal(t, uint64(spinQuota), h.Run(spinQuota), "runs its whole budget")
			assert.False(t, h.Spinning())
			assert.Zero(t, h.traps, "the loop really ran")
		})
	}
}

func TestSpinOnDeviceRegisterIsNotDetected(t *testing.T) {
	h := newSpinHart(t, 0, asmLW(t0, t1, 0), asmBNE(t0, 0, -4))
	dev := &countingDevice{}
	require.NoError(t, h.bus.Map(0x10000000, 0x100, dev, "status"))
	h.SetReg(t1, 0x10000000)
	assert.Equal(t, uint64(spinQuota), h.Run(spinQuota))
	assert.False(t, h.Spinning())
	assert.Equal(t, spinQuota/2, dev.reads, "every read reached the device")
}

// enterSv39User maps VA 0..1 GiB to testBase as a user gigapage whose PTE
// has A and D clear (so the first walk writes memory), and drops to U-mode
// at VA 0 with t1 = &flag.
func enterSv39User(t *testing.T, h *Hart) (root uint64) {
	t.Helper()
	return enterSv39(t, h, PrivU)
}

// enterSv39 is enterSv39User for U- or S-mode (a supervisor page then).
func enterSv39(t *testing.T, h *Hart, priv uint8) (root uint64) {
	t.Helper()
	root = 0x10000                                              // RAM offset of the root page table
	pte := uint64(testBase>>12)<<10 | 1<<0 | 1<<1 | 1<<2 | 1<<3 // V R W X
	if priv == PrivU {
		pte |= 1 << 4
	}
	binary.LittleEndian.PutUint64(h.ram[root:], pte)
	require.True(t, h.writeCSR(csrSatp, 8<<60|(testBase+root)>>12))
	h.setPriv(priv)
	h.pc = 0
	h.SetReg(t1, flagOff)
	return root
}

// A user program under Sv39 spins on a word; the first walk sets A.
func TestSpinInUserModeUnderSv39(t *testing.T) {
	h := newSpinHart(t, 1, spinLoop...)
	root := enterSv39User(t, h)

	h.Run(spinQuota)
	assert.True(t, h.Spinning())
	assert.Equal(t, PrivU, h.Priv())
	assert.Equal(t, uint64(8), h.PC(), "at the back edge, a virtual address")
	assert.NotZero(t, binary.LittleEndian.Uint64(h.ram[root:])&(1<<6), "the walk set A")
	assert.Zero(t, h.traps)

	setFlag(t, h, 0)
	h.Run(spinQuota)
	assert.Equal(t, uint64(1), h.Reg(a0))
	assert.Equal(t, uint64(16), h.PC())
	assert.True(t, h.Spinning())
}

// A test-and-set on a held lock under Sv39 (a kernel's acquire) is a spin:
// after the first access, AMOs translate through the TLB, and a page walk
// would count as an effect.
func TestSpinOnHeldLockUnderSv39(t *testing.T) {
	const amoswap = 1
	h := newSpinHart(t, 1,
		asmADDI(t0, 0, 1),
		asmAMOW(amoswap, t2, t0, t1),
		asmBNE(t2, 0, -4),
		asmADDI(a0, 0, 1),
		asmJAL(0, 0),
	)
	enterSv39User(t, h)

	h.Run(spinQuota)
	assert.True(t, h.Spinning())
	assert.Equal(t, uint64(8), h.PC())
	assert.Zero(t, h.traps)

	setFlag(t, h, 0) // the holder releases it
	h.Run(spinQuota)
	assert.Equal(t, uint64(1), h.Reg(a0), "took the lock")
	assert.Equal(t, uint32(1), binary.LittleEndian.Uint32(h.ram[flagOff:]), "and holds it")
	assert.Equal(t, uint64(16), h.PC())
}

// handlerOff is where the interrupt tests' M-mode handler lives: it sets
// a0 = 42 and spins.
const handlerOff = 0x200

func newInterruptSpinHart(t *testing.T, mie uint64) *Hart {
	prog := make([]uint32, handlerOff/4+2)
	copy(prog, spinLoop)
	prog[handlerOff/4] = asmADDI(a0, 0, 42)
	prog[handlerOff/4+1] = asmJAL(0, 0)
	h := newSpinHart(t, 1, prog...)
	require.True(t, h.writeCSR(csrMtvec, testBase+handlerOff))
	require.True(t, h.writeCSR(csrMie, mie))
	require.True(t, h.writeCSR(csrMstatus, mstatusMIE))
	return h
}

func TestPendingInterruptIsTakenInsteadOfSpinning(t *testing.T) {
	h := newInterruptSpinHart(t, 1<<IntMSI)
	h.Run(spinQuota)
	require.True(t, h.Spinning())

	h.SetInterrupt(IntMSI, true)
	h.Run(spinQuota)
	assert.Equal(t, uint64(42), h.Reg(a0), "the handler ran")
	mcause, _ := h.readCSR(csrMcause)
	assert.Equal(t, uint64(interruptFlag|IntMSI), mcause)
	mepc, _ := h.readCSR(csrMepc)
	assert.Equal(t, uint64(testBase+8), mepc, "interrupted at the back edge")
	assert.True(t, h.Spinning(), "now spinning in the handler")
	assert.Equal(t, uint64(testBase+handlerOff+4), h.PC())
}

// instretClock reads as the hart's instruction count, so time moves
// during a Run (as the board's clock does).
type instretClock struct{ h *Hart }

func (c *instretClock) Now() uint64 { return c.h.Instret() }

// An Sstc timer that comes due during the Run, while the hart spins with
// interrupts enabled: the interrupt is taken where the spin is found.
func TestInterruptDueDuringSpinIsTaken(t *testing.T) {
	h := newInterruptSpinHart(t, 1<<IntSTI)
	h.clock = &instretClock{h}
	require.True(t, h.writeCSR(csrMenvcfg, menvcfgSTCE))
	require.True(t, h.writeCSR(csrStimecmp, 10))

	h.Run(spinQuota)
	assert.Equal(t, uint64(42), h.Reg(a0), "the handler ran")
	mcause, _ := h.readCSR(csrMcause)
	assert.Equal(t, uint64(interruptFlag|IntSTI), mcause)
	mepc, _ := h.readCSR(csrMepc)
	assert.Equal(t, uint64(testBase), mepc, "taken after the back edge, at the loop head")
	assert.True(t, h.Spinning())
	assert.Equal(t, uint64(testBase+handlerOff+4), h.PC())
}

// With Trace set, Run stops at the same place and reports only what
// retired.
func TestSpinWithTrace(t *testing.T) {
	h := newSpinHart(t, 1, spinLoop...)
	traced := uint64(0)
	h.Trace = func(pc uint64, insn uint32, rd int, value uint64) { traced++ }
	n := h.Run(spinQuota)
	assert.True(t, h.Spinning())
	assert.Equal(t, n, traced)
	assert.Equal(t, uint64(testBase+8), h.PC())
}
