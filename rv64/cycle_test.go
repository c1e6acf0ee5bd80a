package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cycle tests run loops that read and write a lock word at dataOff and
// a "state" word after it, with t1 pointing at the lock. It is on a page
// of its own: stores to a page holding decoded code take a slow path that
// walks the page table, which cycle detection counts as an effect.

const (
	cycleQuota = 100_000
	dataOff    = 0x2000
)

// idleScan is an idle scheduler in miniature: with interrupts off (bit of
// status cleared), take the lock, look at the state word, release the
// lock, turn interrupts on again, and go round until the state is nonzero;
// then set a0 = 1 and stop in `for(;;);` at idleScanExit. It writes memory
// every iteration but leaves it as it was, so only cycle detection can find
// it. With bit 0 it never touches interrupts (nor any CSR).
func idleScan(status, bit int) []uint32 {
	off, on := asmADDI(0, 0, 0), asmADDI(0, 0, 0)
	if bit != 0 {
		off, on = asmCSRRC(0, status, t3), asmCSRRS(0, status, t3)
	}
	return []uint32{
		asmADDI(t3, 0, int32(bit)), // 0
		off,                        // 4: push_off
		asmADDI(t0, 0, 1),          // 8
		asmAMOW(1, t2, t0, t1),     // 12: amoswap.w t2, t0, (t1)
		asmBNE(t2, 0, -4),          // 16: held: try again
		asmLW(a1, t1, 4),           // 20: the state word
		asmSW(0, t1, 0),            // 24: release
		on,                         // 28: pop_off
		asmBNE(a1, 0, 8),           // 32: something to do: leave
		asmJAL(0, -32),             // 36: round again
		asmADDI(a0, 0, 1),          // 40
		asmJAL(0, 0),               // 44
	}
}

const idleScanExit = 44

// mIdleScan is idleScan for M-mode.
var mIdleScan = idleScan(csrMstatus, mstatusMIE)

// newCycleHart returns an M-mode hart running prog with interrupts
// enabled (none pending), where cycles may be anchored.
func newCycleHart(t *testing.T, prog ...uint32) *Hart {
	t.Helper()
	h, _, _ := newTestHart(t, prog...)
	h.SetReg(t1, testBase+dataOff)
	require.True(t, h.writeCSR(csrMstatus, mstatusMIE))
	return h
}

func word(h *Hart, off uint64) uint32 { return binary.LittleEndian.Uint32(h.ram[off:]) }

// setWord writes a word from outside the hart, as another hart would.
func setWord(t *testing.T, h *Hart, off uint64, v uint32) {
	t.Helper()
	var w [4]byte
	binary.LittleEndian.PutUint32(w[:], v)
	require.NoError(t, h.bus.WriteRAM(testBase+off, w[:]))
}

func TestIdleScanIsACycle(t *testing.T) {
	h := newCycleHart(t, mIdleScan...)
	n := h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "found")
	assert.Less(t, n, uint64(200), "found within a few iterations")
	assert.Zero(t, word(h, dataOff), "the lock is free again")
	assert.Zero(t, h.Reg(a0))

	// Nothing changed: the next Run stops at once, without executing.
	pc := h.PC()
	assert.Zero(t, h.Run(cycleQuota))
	assert.True(t, h.Spinning())
	assert.Equal(t, pc, h.PC())

	// Another hart makes work. The Runs after stay stopped for a grace, in
	// case the change is a passing one (see watchForCycle); the next one
	// sees it and leaves the loop.
	setWord(t, h, dataOff+4, 1)
	for range cycleGraceRuns {
		assert.Zero(t, h.Run(cycleQuota), "a Run's grace")
		assert.True(t, h.Spinning())
	}
	h.Run(cycleQuota)
	assert.Equal(t, uint64(1), h.Reg(a0), "left the loop")
	assert.Equal(t, uint64(testBase+idleScanExit), h.PC())
}

// Another hart holding the lock when the found cycle is re-checked: the
// cycle no longer holds, and the hart waits for the lock instead.
func TestCycleBrokenByAWriteToWhatItWrites(t *testing.T) {
	h := newCycleHart(t, mIdleScan...)
	h.Run(cycleQuota)
	require.True(t, h.Spinning())

	setWord(t, h, dataOff, 1) // taken elsewhere
	graceRuns(h)
	h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "now spinning on the lock")
	assert.Contains(t, []uint64{testBase + 12, testBase + 16}, h.PC(), "in the lock loop")

	setWord(t, h, dataOff+4, 1)
	setWord(t, h, dataOff, 0)
	graceRuns(h) // may be stopped in a cycle of the lock loop
	h.Run(cycleQuota)
	assert.Equal(t, uint64(1), h.Reg(a0))
}

// graceRuns runs the hart for the Runs a found cycle is kept although
// memory changed.
func graceRuns(h *Hart) {
	for range cycleGraceRuns {
		h.Run(cycleQuota)
	}
}

func TestNotCycles(t *testing.T) {
	tests := []struct {
		name string
		prog []uint32
	}{
		{"memory counter", []uint32{
			asmLW(t0, t1, 0),
			asmADDI(t0, t0, 1),
			asmSW(t0, t1, 0),
			asmJAL(0, -12),
		}},
		{"a store of a register that counts", []uint32{
			asmADDI(a1, a1, 1),
			asmSW(a1, t1, 0),
			asmSW(0, t1, 0),
			asmJAL(0, -12),
		}},
		{"reads the cycle counter", []uint32{
			asmCSRRS(t0, csrMcycle, 0),
			asmSW(0, t1, 0),
			asmJAL(0, -8),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newCycleHart(t, tc.prog...)
			n := h.Run(cycleQuota)
			assert.False(t, h.Spinning())
			assert.Equal(t, uint64(cycleQuota), n)
		})
	}
}

// A loop that stores a constant changes memory once; from then on it is a
// fixed point.
func TestConstantStoreBecomesACycle(t *testing.T) {
	h := newCycleHart(t,
		asmADDI(t0, 0, 5),
		asmSW(t0, t1, 0),
		asmLW(a1, t1, 4),
		asmJAL(0, -8),
	)
	h.Run(cycleQuota)
	assert.True(t, h.Spinning())
	assert.Equal(t, uint32(5), word(h, dataOff))
}

// A loop that closes and opens interrupts (as push_off/pop_off do) is a
// cycle while nothing is pending; an interrupt that becomes pending later
// is taken, not skipped. (Its back edge is taken with interrupts on, as
// in a kernel's idle loop: a loop whose every back edge is taken with
// them off is never sniffed, see sniffBackEdge.)
func TestCycleTogglingInterruptsTakesANewInterrupt(t *testing.T) {
	prog := make([]uint32, handlerOff/4+2)
	copy(prog, []uint32{
		asmADDI(t3, 0, mstatusMIE),
		asmCSRRW(0, csrMstatus, 0), // interrupts off
		asmSW(0, t1, 0),
		asmCSRRW(0, csrMstatus, t3), // and on
		asmJAL(0, -12),
	})
	prog[handlerOff/4] = asmADDI(a0, 0, 42)
	prog[handlerOff/4+1] = asmJAL(0, 0)
	h := newCycleHart(t, prog...)
	require.True(t, h.writeCSR(csrMtvec, testBase+handlerOff))
	require.True(t, h.writeCSR(csrMie, 1<<IntMSI))

	h.Run(cycleQuota)
	require.True(t, h.Spinning())
	assert.Zero(t, h.Reg(a0))

	h.SetInterrupt(IntMSI, true)
	h.Run(cycleQuota)
	assert.Equal(t, uint64(42), h.Reg(a0), "the interrupt was taken")
}

// A cycle is found under Sv39 in S-mode too (the kernel's case), where
// loads and stores go through the TLBs; but not with interrupts off (the
// hart might hold a lock), nor in U-mode (a thread might).
func TestIdleScanUnderSv39(t *testing.T) {
	tests := []struct {
		name  string
		priv  uint8
		prog  []uint32
		cycle bool
	}{
		{"S-mode", PrivS, idleScan(csrSstatus, mstatusSIE), true},
		{"S-mode, interrupts always off", PrivS, idleScan(0, 0), false},
		{"U-mode", PrivU, idleScan(0, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newCycleHart(t, tc.prog...)
			require.True(t, h.writeCSR(csrMstatus, 0))
			enterSv39(t, h, tc.priv)
			h.SetReg(t1, dataOff) // a virtual address now
			n := h.Run(cycleQuota)
			assert.Equal(t, tc.cycle, h.Spinning())
			assert.Equal(t, tc.cycle, n < cycleQuota)
			assert.Zero(t, h.traps)
			setWord(t, h, dataOff+4, 1)
			graceRuns(h) // if stopped in a cycle
			h.Run(cycleQuota)
			assert.Equal(t, uint64(1), h.Reg(a0))
		})
	}
}

// A busy hart's probes back off, so probing costs little.
func TestBusyHartProbesRarely(t *testing.T) {
	h := newCycleHart(t,
		asmLW(t0, t1, 0),
		asmADDI(t0, t0, 1),
		asmSW(t0, t1, 0),
		asmJAL(0, -12),
	)
	for range 100 {
		h.Run(cycleQuota)
	}
	assert.False(t, h.Spinning())
	assert.GreaterOrEqual(t, h.cyc.backoff, uint64(1<<20), "probes have backed off")
}

// Changing a register from outside forgets a found cycle.
func TestSetRegForgetsCycle(t *testing.T) {
	h := newCycleHart(t, mIdleScan...)
	h.Run(cycleQuota)
	require.True(t, h.Spinning())
	h.SetReg(t1, testBase+dataOff+8) // a different lock: its state word is 0 too
	n := h.Run(cycleQuota)
	assert.NotZero(t, n, "probed afresh, not stopped at once")
	assert.True(t, h.Spinning())
}

// A change that is gone by the next Run (another hart's critical section)
// does not end the stop.
func TestPassingChangeKeepsCycle(t *testing.T) {
	h := newCycleHart(t, mIdleScan...)
	h.Run(cycleQuota)
	require.True(t, h.Spinning())
	setWord(t, h, dataOff, 1) // another hart takes the lock ...
	assert.Zero(t, h.Run(cycleQuota))
	setWord(t, h, dataOff, 0) // ... and releases it
	assert.Zero(t, h.Run(cycleQuota))
	assert.True(t, h.Spinning())
	assert.Zero(t, h.Run(cycleQuota), "still stopped, with no Run's grace used up")
}

// A user program that makes the same system call over and over while the
// kernel waits for a timer (MIT usertests' killstatus child calls getpid
// in a loop): the trap, the handler with interrupts on and the sret put
// every register, CSR and word back, so it is a cycle like any other.
func TestSystemCallLoopIsACycle(t *testing.T) {
	const (
		handler = 0x100
		user    = 0x200
		t2      = 7
		ecall   = 0x00000073
	)
	h, _, _ := newTestHart(t)
	put := func(off uint64, words ...uint32) {
		for i, w := range words {
			binary.LittleEndian.PutUint32(h.ram[off+4*uint64(i):], w)
		}
	}
	put(handler,
		asmCSRRS(0, csrSstatus, t2), // interrupts on, as usertrap does
		asmSW(t0, t1, 0),            // the kernel writes the same value again
		asmSRET())
	put(user, ecall)
	require.True(t, h.writeCSR(csrMedeleg, 1<<8)) // ecall from U to S
	require.True(t, h.writeCSR(csrStvec, testBase+handler))
	require.True(t, h.writeCSR(csrSepc, testBase+user))
	h.SetReg(t2, mstatusSIE)
	h.SetReg(t1, testBase+dataOff)
	h.setPriv(PrivS)
	h.pc = testBase + handler

	n := h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "found")
	assert.Less(t, n, uint64(cycleQuota), "stopped early")
	checkSpin(t, h) // stepping on, it really does come back to this state
}

// A busy loop costs no probe: its registers differ at every visit of its
// back edge, so a sniff never finds a reason to start one. A loop whose
// registers come back does get one, at the edge.
func TestSniffStartsProbesOnlyWhereRegistersRepeat(t *testing.T) {
	counting := newCycleHart(t,
		asmADDI(t0, t0, 1),
		asmSW(t0, t1, 0),
		asmJAL(0, -8),
	)
	counting.Run(cycleQuota)
	assert.False(t, counting.Spinning())
	assert.Zero(t, counting.cyc.probes, "no probe in a counting loop")

	idle := newCycleHart(t, mIdleScan...)
	idle.Run(cycleQuota)
	assert.True(t, idle.Spinning())
	assert.Equal(t, uint64(1), idle.cyc.probes, "one probe, and it found the cycle")
}

// noisyScan is an idle loop that reads a word it does not act on (the
// "noise" word at dataOff+8: another process's state, say) and a state
// word that ends it, and stores a constant, so it is a cycle and not a
// spin. It ends in `for(;;);` at offset 28 with a0 = 1.
var noisyScan = []uint32{
	asmLW(a2, t1, 8),  // 0: the noise word
	asmADDI(a2, 0, 0), // 4: forgotten at once
	asmSW(0, t1, 12),  // 8: a store that changes nothing
	asmLW(a1, t1, 4),  // 12: the state word
	asmBNE(a1, 0, 8),  // 16: something to do: leave
	asmJAL(0, -20),    // 20: round again
	asmADDI(a0, 0, 1), // 24
	asmJAL(0, 0),      // 28
}

// leaveAndComeBack makes noisyScan's noise word away for longer than the
// grace, so that the hart leaves its stop (for one instruction), then sets
// it to back and checks that the hart stops again within one iteration.
func leaveAndComeBack(t *testing.T, h *Hart, away, back uint32) {
	t.Helper()
	setWord(t, h, dataOff+8, away)
	graceRuns(h)
	require.True(t, h.Spinning(), "stopped through the grace")
	require.Equal(t, uint64(1), h.Run(1), "the stop is over")
	setWord(t, h, dataOff+8, back)
	n := h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "stopped again")
	assert.Less(t, n, uint64(len(noisyScan)), "within one iteration")
}

// A cycle left because memory changed is found again without a probe when
// the hart comes back to its anchor with memory as the cycle read it; with
// memory as it is not, a probe finds the new one.
func TestLeftCycleIsRefoundWithoutAProbe(t *testing.T) {
	h := newCycleHart(t, noisyScan...)
	h.Run(cycleQuota)
	require.True(t, h.Spinning(), "found")
	probes := h.cyc.probes

	leaveAndComeBack(t, h, 1, 0)
	assert.Equal(t, probes, h.cyc.probes, "without a probe")

	// The word changes for good: the old iteration no longer holds, and a
	// probe finds the new one.
	setWord(t, h, dataOff+8, 2)
	graceRuns(h)
	h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "stopped again")
	assert.Equal(t, probes+1, h.cyc.probes, "by a probe")

	setWord(t, h, dataOff+4, 1)
	graceRuns(h)
	h.Run(cycleQuota)
	assert.Equal(t, uint64(1), h.Reg(a0), "left the loop")
}

// A location the iteration wrote and then reads back with another value
// in it was written by someone else in between: the iteration's logs miss
// that store, so it must not be found a cycle.
func TestProbeSpoiledByAStoreBetweenItsOwn(t *testing.T) {
	h := newCycleHart(t, idleScan(csrSstatus, mstatusSIE)...)
	require.True(t, h.writeCSR(csrMstatus, 0))
	enterSv39(t, h, PrivS)
	h.SetReg(t1, dataOff)
	h.Run(cycleQuota) // fills the TLBs for the data page
	require.True(t, h.Spinning())

	for _, tc := range []struct {
		name    string
		memory  uint32
		spoiled bool
	}{
		{"as the hart left it", 1, false},
		{"changed since", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.anchorCycle()
			rec := h.logWrite(dataOff, 4)
			require.NotNil(t, rec)
			rec.lastWrite = 1 // as if the hart stored 1 (a lock it took)
			setWord(t, h, dataOff, tc.memory)
			h.logRead(&h.tlb.load, dataOff, 4)
			assert.Equal(t, tc.spoiled, h.cyc.spoiled)
		})
	}
}

// A hart remembers the last cycleKnown cycles it found. Stopped in one,
// it stays stopped when memory changes to what another of them read (an
// idle scheduler sees a process go back to sleep); back at their anchor,
// it stops in any of them without a probe. The oldest is forgotten.
func TestKnownCyclesAreRefound(t *testing.T) {
	h := newCycleHart(t, noisyScan...)
	h.Run(cycleQuota)
	require.True(t, h.Spinning(), "found")

	// findNew makes the noise word v for good and lets a probe find the
	// cycle that reads it.
	findNew := func(v uint32) {
		t.Helper()
		probes := h.cyc.probes
		setWord(t, h, dataOff+8, v)
		graceRuns(h)
		h.Run(cycleQuota)
		require.True(t, h.Spinning(), "stopped again with noise %d", v)
		require.Equal(t, probes+1, h.cyc.probes, "by a probe, with noise %d", v)
	}
	findNew(1) // the cycles with noise 0 and 1 are known now
	probes := h.cyc.probes

	setWord(t, h, dataOff+8, 0)
	assert.Equal(t, uint64(0), h.Run(cycleQuota), "still stopped")
	assert.True(t, h.Spinning())
	setWord(t, h, dataOff+8, 1)
	assert.Equal(t, uint64(0), h.Run(cycleQuota), "still stopped")
	assert.Equal(t, probes, h.cyc.probes, "without a probe")

	leaveAndComeBack(t, h, 7, 0) // 7: noise no cycle read
	assert.Equal(t, probes, h.cyc.probes, "without a probe")

	// Enough more to make cycleKnown+1: the one with noise 0 is forgotten.
	for v := uint32(2); v <= cycleKnown; v++ {
		findNew(v)
	}
	setWord(t, h, dataOff+8, 1)
	assert.Equal(t, uint64(0), h.Run(cycleQuota), "noise 1 is known")
	findNew(0)

	setWord(t, h, dataOff+4, 1)
	graceRuns(h)
	h.Run(cycleQuota)
	assert.Equal(t, uint64(1), h.Reg(a0), "left the loop")
}
