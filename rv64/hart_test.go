package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

const testBase = 0x80000000

// fakeClock is a settable time source.
type fakeClock struct{ t uint64 }

func (c *fakeClock) Now() uint64 { return c.t }

// newTestHart returns a hart on 1 MiB of RAM with prog at testBase.
func newTestHart(t *testing.T, prog ...uint32) (*Hart, *bus.Bus, *fakeClock) {
	t.Helper()
	b := bus.New(testBase, 1<<20)
	for i, w := range prog {
		binary.LittleEndian.PutUint32(b.RAM[4*i:], w)
	}
	clock := &fakeClock{}
	h := New(0, b, clock)
	h.Reset(testBase)
	return h, b, clock
}

const (
	t0, t1, a0, a1, t3 = 5, 6, 10, 11, 28
)

func TestResetState(t *testing.T) {
	h, _, _ := newTestHart(t)
	assert.Equal(t, PrivM, h.Priv())
	assert.Equal(t, uint64(testBase), h.PC())
	h.SetReg(0, 7)
	assert.Zero(t, h.Reg(0), "x0 stays zero")
	h.SetReg(a0, 7)
	assert.Equal(t, uint64(7), h.Reg(a0))
	h.Reset(0x1234)
	assert.Zero(t, h.Reg(a0))
	assert.Equal(t, uint64(0x1234), h.PC())
	v, ok := h.readCSR(csrMisa)
	require.True(t, ok)
	assert.Equal(t, uint64(misaValue), v)
}

func TestRunBudgetAndInstret(t *testing.T) {
	h, _, _ := newTestHart(t, asmADDI(a0, a0, 1), asmJAL(0, -4))
	assert.Equal(t, uint64(1000), h.Run(1000))
	assert.Equal(t, uint64(1000), h.Instret())
	assert.Equal(t, uint64(500), h.Reg(a0))
	assert.Equal(t, uint64(7), h.Run(7))
	assert.Equal(t, uint64(1007), h.Instret())
}

func TestWFIWaitsForInterrupt(t *testing.T) {
	h, _, _ := newTestHart(t,
		asmADDI(t0, 0, 1<<IntMTI), // t0 = MTIE
		asmCSRRW(0, csrMie, t0),
		asmWFI(),
		asmADDI(a0, 0, 1),
		asmJAL(0, 0),
	)
	assert.Equal(t, uint64(3), h.Run(100), "stops after retiring wfi")
	assert.True(t, h.Waiting())
	assert.Zero(t, h.Run(100), "nothing pending: no progress")
	assert.True(t, h.Waiting())

	// A pending but globally disabled (MIE = 0) interrupt wakes the hart
	// without a trap.
	h.SetInterrupt(IntMTI, true)
	h.Run(1)
	assert.False(t, h.Waiting())
	assert.Equal(t, uint64(1), h.Reg(a0))
	assert.Equal(t, PrivM, h.Priv())
}

func TestInterruptTakenAfterWFI(t *testing.T) {
	// mtvec = testBase + 0x100, where the handler sets a0 = 42.
	prog := make([]uint32, 0x100/4+2)
	copy(prog, []uint32{
		asmAUIPC(t1),           // t1 = 0x80000000
		asmADDI(t1, t1, 0x100), // t1 = handler
		asmCSRRW(0, csrMtvec, t1),
		asmADDI(t0, 0, 1<<IntMEI|1<<IntMSI),
		asmCSRRW(0, csrMie, t0),
		asmADDI(t0, 0, 8),
		asmCSRRS(0, csrMstatus, t0), // MIE
		asmWFI(),
		asmJAL(0, 0),
	})
	prog[0x100/4] = asmADDI(a0, 0, 42)
	prog[0x100/4+1] = asmJAL(0, 0)
	h, _, _ := newTestHart(t, prog...)
	h.Run(100)
	require.True(t, h.Waiting())
	h.SetInterrupt(IntMSI, true)
	h.SetInterrupt(IntMEI, true)
	h.Run(10)
	assert.Equal(t, uint64(42), h.Reg(a0))
	mcause, _ := h.readCSR(csrMcause)
	assert.Equal(t, uint64(interruptFlag|IntMEI), mcause, "MEI has priority over MSI")
	mepc, _ := h.readCSR(csrMepc)
	assert.Equal(t, uint64(testBase+8*4), mepc, "epc is the instruction after wfi")

	// Lines are level-triggered: taking the trap does not clear them.
	mip, _ := h.readCSR(csrMip)
	assert.Equal(t, uint64(1<<IntMEI|1<<IntMSI), mip)
	h.SetInterrupt(IntMEI, false)
	mip, _ = h.readCSR(csrMip)
	assert.Equal(t, uint64(1<<IntMSI), mip)
	h.SetInterrupt(4, true) // not an external line: ignored
	mip, _ = h.readCSR(csrMip)
	assert.Equal(t, uint64(1<<IntMSI), mip)
}

func TestSstcTimer(t *testing.T) {
	h, _, clock := newTestHart(t)
	_, ok := h.TimerDeadline()
	assert.False(t, ok, "no deadline while STCE is off")
	require.True(t, h.writeCSR(csrMenvcfg, menvcfgSTCE))
	require.True(t, h.writeCSR(csrStimecmp, 100))
	d, ok := h.TimerDeadline()
	assert.True(t, ok)
	assert.Equal(t, uint64(100), d)
	clock.t = 99
	mip, _ := h.readCSR(csrMip)
	assert.Zero(t, mip&(1<<IntSTI))
	clock.t = 100
	mip, _ = h.readCSR(csrMip)
	assert.NotZero(t, mip&(1<<IntSTI), "STIP = time >= stimecmp")
	// With STCE, software cannot clear STIP through mip.
	require.True(t, h.writeCSR(csrMip, 0))
	mip, _ = h.readCSR(csrMip)
	assert.NotZero(t, mip&(1<<IntSTI))
	require.True(t, h.writeCSR(csrStimecmp, 200))
	mip, _ = h.readCSR(csrMip)
	assert.Zero(t, mip&(1<<IntSTI))
}

func TestSstcInterruptDelegated(t *testing.T) {
	// S-mode timer interrupt through Sstc, delegated, taken in S-mode.
	prog := make([]uint32, 0x44/4)
	prog[0] = asmJAL(0, 0)
	prog[0x40/4] = asmJAL(0, 0) // the S handler
	h, _, clock := newTestHart(t, prog...)
	require.True(t, h.writeCSR(csrMenvcfg, menvcfgSTCE))
	require.True(t, h.writeCSR(csrMideleg, 1<<IntSTI))
	require.True(t, h.writeCSR(csrMie, 1<<IntSTI))
	require.True(t, h.writeCSR(csrStvec, testBase+0x40))
	require.True(t, h.writeCSR(csrStimecmp, 50))
	h.setPriv(PrivU)
	h.Run(10)
	assert.Equal(t, PrivU, h.Priv(), "not yet due")
	clock.t = 50
	h.Run(1)
	assert.Equal(t, PrivS, h.Priv())
	scause, _ := h.readCSR(csrScause)
	assert.Equal(t, uint64(interruptFlag|IntSTI), scause)
}

func TestTraceReportsWrites(t *testing.T) {
	h, _, _ := newTestHart(t, asmADDI(a0, 0, 5), asmADDI(0, 0, 1), asmJAL(0, 0))
	type entry struct {
		pc    uint64
		insn  uint32
		rd    int
		value uint64
	}
	var got []entry
	h.Trace = func(pc uint64, insn uint32, rd int, value uint64) {
		got = append(got, entry{pc, insn, rd, value})
	}
	assert.Equal(t, uint64(3), h.Run(3))
	require.Len(t, got, 3)
	assert.Equal(t, entry{testBase, asmADDI(a0, 0, 5), a0, 5}, got[0])
	assert.Equal(t, -1, got[1].rd, "writes to x0 are not reported")
	assert.Equal(t, -1, got[2].rd)
}

// A guest whose handler faults too must not stall the board: Run still
// uses its budget and time moves on.
func TestFetchFaultsOutsideMemory(t *testing.T) {
	h, _, _ := newTestHart(t)
	require.True(t, h.writeCSR(csrMtvec, 0x1000)) // also unmapped: a trap loop
	h.pc = 0x1000
	assert.Equal(t, uint64(50), h.Run(50), "a trap loop still takes time and returns")
	assert.Equal(t, uint64(50), h.Instret())
	minstret, _ := h.readCSR(csrMinstret)
	assert.Zero(t, minstret, "nothing retired")
	mcycle, _ := h.readCSR(csrMcycle)
	assert.Equal(t, uint64(50), mcycle)
	mcause, _ := h.readCSR(csrMcause)
	assert.Equal(t, uint64(excInsnAccess), mcause)
	mtval, _ := h.readCSR(csrMtval)
	assert.Equal(t, uint64(0x1000), mtval)
}

func TestDMAInvalidatesDecodedCode(t *testing.T) {
	h, b, _ := newTestHart(t, asmADDI(a0, 0, 1), asmJAL(0, -4))
	h.Run(4)
	assert.Equal(t, uint64(1), h.Reg(a0))
	var w [4]byte
	binary.LittleEndian.PutUint32(w[:], asmADDI(a0, 0, 2))
	require.NoError(t, b.WriteRAM(testBase, w[:]))
	h.Run(4)
	assert.Equal(t, uint64(2), h.Reg(a0))
}

func TestRunClearsReservation(t *testing.T) {
	h, _, _ := newTestHart(t, asmJAL(0, 0))
	h.reserved, h.reservation = true, testBase
	h.Run(1)
	assert.False(t, h.reserved)
}
