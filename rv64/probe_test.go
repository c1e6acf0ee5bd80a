package rv64

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/xv6emu/xv6emu/bus"

	"github.com/stretchr/testify/require"
)

// A cycle probe steps the hart through probeStep, execute(1) without
// interpret's entry, and logs nothing while it cannot anchor. These tests
// hold a hart probed that way to a twin whose probes log and step as they
// did before (cyc.slowProbes: every access logged, every step through
// execute(1)): the same guest, probes forced at the same points, must end
// every Run in the same state, down to the counts and flags spin and
// cycle detection and the translator keep.

// forceProbe starts a probe at the hart's pc unless one is under way (or
// a cycle was found, or probing is off), as a sniff would that saw the
// registers repeat gap instructions apart.
func forceProbe(h *Hart, gap uint64) {
	c := &h.cyc
	if c.probing || c.found || c.off {
		return
	}
	c.sniffing = false
	c.probing, c.started, c.maxGap = true, h.steps, gap
	h.anchorCycle()
}

// twinState is what requireTwins compares with ==, before it looks
// field by field (require's reflection on every Run is slow to fuzz).
type twinState struct {
	steps, pc, traps, effects, tallies uint64
	x                                  [256]uint64
	f                                  [32]uint64
	csr                                csrState
	priv                               uint8
	ctr                                Counters
	ran                                uint64
	checkInt, waiting, spinning, res   bool
	spinPC, spinEffects, skipped       uint64
	visits                             uint32
	ready                              bool
	found, probing, armed, returned    bool
	probes, anchor, anchorSteps        uint64
	lastVisit, maxGap, backoff, next   uint64
}

func twinStateOf(h *Hart) twinState {
	c := &h.cyc
	return twinState{
		h.steps, h.pc, h.traps, h.effects, h.tallies, h.x, h.f, h.csr, h.priv, h.Counters(), h.jit.ran,
		h.checkInt, h.waiting, h.spinning, h.reserved,
		h.spin.pc, h.spin.effects, h.spin.skipped, h.spin.visits, h.spin.ready,
		c.found, c.probing, c.armed, c.returned, c.probes, c.anchor, c.anchorSteps,
		c.lastVisit, c.maxGap, c.backoff, c.nextProbe,
	}
}

// requireTwins compares the lean hart with its reference twin.
func requireTwins(t *testing.T, lean, ref *Hart, when string) {
	t.Helper()
	if twinStateOf(lean) == twinStateOf(ref) && bytes.Equal(ref.ram, lean.ram) && (!ref.cyc.armed || ref.cyc.spoiled == lean.cyc.spoiled &&
		ref.cyc.logged == lean.cyc.logged && slices.Equal(ref.cyc.reads[:ref.cyc.nreads], lean.cyc.reads[:lean.cyc.nreads]) &&
		slices.Equal(ref.cyc.writes[:ref.cyc.nwrites], lean.cyc.writes[:lean.cyc.nwrites])) {
		return
	}
	require.Equal(t, ref.steps, lean.steps, "steps %s", when)
	require.Equal(t, ref.pc, lean.pc, "pc %s", when)
	require.Equal(t, ref.x, lean.x, "registers %s", when)
	require.Equal(t, ref.f, lean.f, "FP registers %s", when)
	require.Equal(t, ref.csr, lean.csr, "CSRs %s", when)
	require.Equal(t, ref.priv, lean.priv, "privilege %s", when)
	require.Equal(t, ref.traps, lean.traps, "exceptions %s", when)
	require.Equal(t, ref.effects, lean.effects, "effects %s", when)
	require.Equal(t, ref.tallies, lean.tallies, "tallies %s", when)
	require.Equal(t, ref.ctr, lean.ctr, "counters %s", when)
	require.Equal(t, ref.jit.ran, lean.jit.ran, "translated steps %s", when)
	require.Equal(t, ref.checkInt, lean.checkInt, "checkInt %s", when)
	require.Equal(t, ref.waiting, lean.waiting, "waiting %s", when)
	require.Equal(t, ref.spinning, lean.spinning, "spinning %s", when)
	require.Equal(t, ref.reserved, lean.reserved, "reservation %s", when)
	rs, ls := &ref.spin, &lean.spin
	require.Equal(t, []any{rs.pc, rs.effects, rs.visits, rs.ready, rs.skipped}, []any{ls.pc, ls.effects, ls.visits, ls.ready, ls.skipped}, "spin watch %s", when)
	rc, lc := &ref.cyc, &lean.cyc
	require.Equal(t,
		[]any{rc.found, rc.probing, rc.probes, rc.armed, rc.returned, rc.anchor, rc.anchorSteps, rc.lastVisit, rc.maxGap, rc.backoff, rc.nextProbe},
		[]any{lc.found, lc.probing, lc.probes, lc.armed, lc.returned, lc.anchor, lc.anchorSteps, lc.lastVisit, lc.maxGap, lc.backoff, lc.nextProbe},
		"cycle watch %s", when)
	if rc.armed {
		// (Unarmed, nothing reads them, and probes do not log.)
		require.Equal(t, []any{rc.spoiled, rc.logged, rc.nreads, rc.nwrites}, []any{lc.spoiled, lc.logged, lc.nreads, lc.nwrites}, "logs %s", when)
		require.Equal(t, rc.reads[:rc.nreads], lc.reads[:lc.nreads], "logged reads %s", when)
		require.Equal(t, rc.writes[:rc.nwrites], lc.writes[:lc.nwrites], "logged writes %s", when)
	}
	require.True(t, bytes.Equal(ref.ram, lean.ram), "memory %s", when)
	require.Equal(t, twinStateOf(ref), twinStateOf(lean), "state %s", when)
}

// requireSameCode compares the decoded pages of the twins: probeStep
// heats a block as interpret's entry does, leaves translating it to
// execute, and keeps the block's copy of a branch's idiom as interpret
// does.
func requireSameCode(t *testing.T, lean, ref *Hart, when string) {
	t.Helper()
	require.Equal(t, len(ref.icache.pages), len(lean.icache.pages))
	for i, rd := range ref.icache.pages {
		ld := lean.icache.pages[i]
		require.Equal(t, rd == nil, ld == nil, "page %d decoded %s", i, when)
		if rd != nil {
			// (== first: require's reflection on every page is slow.)
			if rd.heat != ld.heat || rd.native != ld.native || rd.entry != ld.entry || rd.used != ld.used ||
				!slices.Equal(rd.code[:rd.used], ld.code[:ld.used]) || rd.slots != ld.slots {
				require.Equal(t, rd.heat, ld.heat, "page %d heat %s", i, when)
				require.Equal(t, rd.native, ld.native, "page %d translations %s", i, when)
				require.Equal(t, rd.entry, ld.entry, "page %d blocks %s", i, when)
				require.Equal(t, rd.used, ld.used, "page %d block arena %s", i, when)
				require.Equal(t, rd.code[:rd.used], ld.code[:ld.used], "page %d block copies %s", i, when)
				require.Equal(t, rd.slots, ld.slots, "page %d slots %s", i, when)
			}
		}
	}
}

// runProbedTwins runs lean and ref in the same Runs of chunk instructions,
// a probe forced at the start of most Runs where none is under way, until
// ref has run steps instructions or runs Runs, comparing them after
// every Run (and their decoded code now and then). each, if not nil, is called with both before each Run (to do
// what a board or another hart would). A cycle found is forgotten now and
// then, so the guest goes on. It returns how many instructions lean's probes stepped through
// probeStep and how many through execute(1).
func runProbedTwins(t *testing.T, lean, ref *Hart, chunk, steps uint64, runs int, each func(i int, h *Hart)) (fast, slow uint64) {
	t.Helper()
	ref.cyc.slowProbes = true
	for i := 0; i < runs && ref.steps < steps; i++ {
		if each != nil {
			each(i, lean)
			each(i, ref)
		}
		if i%7 == 6 && ref.cyc.found {
			lean.forgetCycle()
			ref.forgetCycle()
		}
		if i%3 != 2 {
			// Two Runs in three start with a probe, which gives up some
			// 1.3K instructions after it last saw its anchor's state.
			forceProbe(lean, 64)
			forceProbe(ref, 64)
		}
		lean.Run(chunk)
		ref.Run(chunk)
		when := fmt.Sprintf("after Run %d", i)
		requireTwins(t, lean, ref, when)
		if i%16 == 15 {
			requireSameCode(t, lean, ref, when)
		}
		if ref.Waiting() && !ref.cycleInterruptible() {
			// A WFI with nothing to wake it: the guest is done.
			break
		}
	}
	requireSameCode(t, lean, ref, "at the end")
	require.Equal(t, ref.cyc.stepped, lean.cyc.stepped, "probe steps")
	require.Zero(t, ref.cyc.lean, "the reference twin's probes stepped through execute(1) only")
	return lean.cyc.lean, lean.cyc.stepped - lean.cyc.lean
}

// encR encodes an R-type instruction.
func encR(opcode, f3, f7 uint32, rd, rs1, rs2 int) uint32 {
	return f7<<25 | uint32(rs2)<<20 | uint32(rs1)<<15 | f3<<12 | uint32(rd)<<7 | opcode
}

// probeOpsLoop goes round every op probeStep runs itself, and some it
// leaves to execute(1): loads and stores of every size (one across a
// page's end), branches of every kind taken and not, calls and returns,
// sstatus reads and writes, amoswap.w, a countdown loop whose back edge
// spin detection looks at, a fill loop (a loop idiom) and a CSR write of
// mie that makes checkInt set. t1 points at data on a page of its own.
func probeOpsLoop() []uint32 {
	const (
		ra, a2, a3, a4, a5, a6, a7, s2, s3, t4, t5, t6 = 1, 12, 13, 14, 15, 16, 17, 18, 19, 29, 30, 31
	)
	p := []uint32{
		0x12345<<12 | a2<<7 | 0x37, // lui a2, 0x12345
		asmAUIPC(a3),
		asmADDI(a4, a4, 3),
		encI(0x13, 2, a5, a4, -5),      // slti
		encI(0x13, 3, a5, a4, 7),       // sltiu
		encI(0x13, 4, a6, a2, 0x55),    // xori
		encI(0x13, 6, a6, a6, 0x70),    // ori
		encI(0x13, 7, a7, a6, 0x3f),    // andi
		encI(0x13, 1, a7, a7, 3),       // slli
		encI(0x13, 5, a7, a7, 1),       // srli
		encI(0x13, 5, s2, a2, 0x400|7), // srai
		encI(0x1b, 0, s3, a2, 9),       // addiw
		encI(0x1b, 1, s3, s3, 5),       // slliw
		encI(0x1b, 5, s3, s3, 2),       // srliw
		encI(0x1b, 5, s3, s3, 0x400|1), // sraiw
	}
	for _, f := range [][2]uint32{{0, 0}, {0, 0x20}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {5, 0x20}, {6, 0}, {7, 0},
		{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}} {
		p = append(p, encR(0x33, f[0], f[1], a5, a2, a4))
	}
	for _, f := range [][2]uint32{{0, 0}, {0, 0x20}, {1, 0}, {5, 0}, {5, 0x20}, {0, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}} {
		p = append(p, encR(0x3b, f[0], f[1], a6, a2, a4))
	}
	p = append(p, encR(0x33, 4, 1, a6, a2, 0)) // div by zero
	for f3 := range uint32(4) {
		p = append(p, asmStore(f3, a2, t1, 16+8*int32(f3)))
	}
	for f3 := range uint32(7) {
		p = append(p, encI(0x03, f3, a7, t1, 16+int32(f3)*3&^int32(1<<f3%4-1)))
	}
	p = append(p,
		asmLD(a7, t1, 0xffc), // across the page's end: the slow path
		asmSW(a7, t1, 0xffe), // misaligned, across too
		asmCSRRS(a5, csrSstatus, 0),
		asmCSRRW(0, csrSstatus, a5),
		asmCSRRS(a6, csrMie, 0), // not sstatus: the slow path
		asmCSRRW(0, csrMie, a6), // a write of mie sets checkInt
		asmADDI(t0, 0, 1),
		asmAMOW(1, t2, t0, t1),
		asmAMOW(1, t2, 0, t1),
		asmFENCE(),
		asmJAL(ra, 8), // a call over the next instruction
		asmJAL(0, 12), // the return comes here: on
		asmADDI(a4, a4, 1),
		asmJALR(0, ra, 0),
		asmBranch(0, a4, a4, 8), // beq taken
		asmADDI(0, 0, 0),
		asmBranch(0, a4, a2, 8), // beq not taken
		asmBNE(a4, a2, 8),
		asmADDI(0, 0, 0),
		asmBranch(4, a2, a4, 8), // blt
		asmADDI(0, 0, 0),
		asmBranch(5, a2, a4, 8), // bge
		asmADDI(0, 0, 0),
		asmBLTU(a2, a4, 8),
		asmADDI(0, 0, 0),
		asmBGEU(a2, a4, 8),
		asmADDI(0, 0, 0),
		asmADDI(t4, 0, 40), // a countdown loop: pure back edges
		asmADDI(t4, t4, -1),
		asmBNE(t4, 0, -4),
		asmADDI(t5, t1, 64), // a fill loop: sw, addi, bne (idiom.go)
		asmADDI(t6, t1, 96),
		asmSW(a2, t5, 0),
		asmADDI(t5, t5, 4),
		asmBNE(t5, t6, -8),
		asmBGEU(t5, t6, 8), // taken forward
		asmADDI(0, 0, 0),
		asmBranch(4, t4, a2, 8),
		asmADDI(0, 0, 0),
		asmJAL(ra, 8),         // a call to a return entered on its own:
		asmJAL(0, 12),         // a block of one instruction, which
		asmBranch(0, 0, 0, 4), // execute(1) runs translated once hot
		asmJALR(0, ra, 0),
	)
	return append(p, asmJAL(0, -4*int32(len(p))))
}

// twinCycleHarts returns two harts as newCycleHart makes them.
func twinCycleHarts(t *testing.T, prog ...uint32) (lean, ref *Hart) {
	return newCycleHart(t, prog...), newCycleHart(t, prog...)
}

// disturb does to a hart what the board and other harts would: an
// interrupt line goes up (not enabled in mie, then enabled, with mtvec at
// the program's start), the state word the scans read becomes nonzero
// (the idle scan leaves for its `j .`, where spin detection stops it),
// the lock is found taken for a while.
func disturb(i int, h *Hart) {
	switch i {
	case 30:
		h.SetInterrupt(IntMTI, true)
	case 45:
		h.csr.mie = 1 << IntMTI
		h.csr.mtvec = testBase
		h.checkInt = true
	case 46:
		h.SetInterrupt(IntMTI, false)
	case 60:
		binary.LittleEndian.PutUint32(h.ram[dataOff:], 1)
	case 64:
		binary.LittleEndian.PutUint32(h.ram[dataOff:], 0)
	case 90:
		binary.LittleEndian.PutUint32(h.ram[dataOff+4:], 1)
	}
}

func TestProbeStepMatchesExecute(t *testing.T) {
	progs := map[string][]uint32{
		"idle scan":     mIdleScan,
		"counting scan": countingScan,
		"ops":           probeOpsLoop(),
	}
	for name, prog := range progs {
		for _, chunk := range []uint64{1, 7, 500, 20_000} {
			lean, ref := twinCycleHarts(t, prog...)
			fast, slow := runProbedTwins(t, lean, ref, chunk, 200_000, 2000, disturb)
			t.Logf("%s in Runs of %d: %d probe steps through probeStep, %d through execute(1)", name, chunk, fast, slow)
			require.Greater(t, fast, 3*slow, "%s in Runs of %d: probeStep ran most probe steps", name, chunk)
			if name == "ops" && chunk > 1 {
				// Every round has instructions for the general path.
				require.Greater(t, slow, 4*ref.Reg(a4)/1000, "ops in Runs of %d: execute(1) ran the rest", chunk)
			}
		}
	}
}

// The translator's state changes what interpret's entry does at a block:
// with every block translated on its first entry, with none, and with
// translation at the default heat, probes must still match.
func TestProbeStepMatchesExecuteWithTranslation(t *testing.T) {
	for _, heat := range []uint8{1, 0, 3} {
		for _, prog := range [][]uint32{mIdleScan, probeOpsLoop()} {
			lean, ref := twinCycleHarts(t, prog...)
			lean.setJITHeat(heat)
			ref.setJITHeat(heat)
			fast, _ := runProbedTwins(t, lean, ref, 300, 100_000, 2000, disturb)
			require.NotZero(t, fast, "heat %d", heat)
		}
	}
}

// Random programs of every op the translator writes (jit_test.go), with
// loads, stores and AMOs that miss, cross pages, fault and write code,
// in S-mode and M-mode: probed, they must match too.
func TestProbeStepMatchesExecuteRandom(t *testing.T) {
	var fast, slow uint64
	for seed := range uint64(60) {
		for _, data := range [][]byte{jitProgram(seed), jitCallsProgram(seed)} {
			for _, chunk := range []uint64{1 + seed%5, 97, 3000} {
				f, s := runProbedTwins(t, fuzzHart(data), fuzzHart(data), chunk, 6000, 400, nil)
				fast, slow = fast+f, slow+s
			}
		}
	}
	t.Logf("%d probe steps through probeStep, %d through execute(1)", fast, slow)
	require.Greater(t, fast, slow, "probeStep ran most probe steps")
}

// FuzzProbeStepMatchesExecute runs any guest (as FuzzExecute builds it)
// probed both ways.
func FuzzProbeStepMatchesExecute(f *testing.F) {
	f.Add([]byte{0x13, 0x05, 0x10, 0x00, 0x6f, 0x00, 0x00, 0x00}, uint8(0))
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 0x80, 0x73, 0x10, 0x00, 0x18, 0x73, 0x00, 0x20, 0x30}, uint8(1))
	f.Add(mProg(asmADDI(a0, a0, 1), asmSW(a0, t1, 0), asmLW(a1, t1, 0), asmBNE(a0, t3, -12)), uint8(2))
	f.Add(mProg(probeOpsLoop()...), uint8(3))
	for seed := range uint64(4) {
		f.Add(jitProgram(seed), uint8(seed*7))
		f.Add(jitCallsProgram(seed), uint8(seed*5))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		runProbedTwins(t, fuzzHart(data), fuzzHart(data), 1+uint64(chunk)*23, 4000, 300, nil)
	})
}

// stepsClock is a clock that moves with the hart: a timer can come due
// in the middle of a Run, without the hart being told (no checkInt).
type stepsClock struct{ h *Hart }

func (c *stepsClock) Now() uint64 { return c.h.steps }

// A probe at `j .` with an Sstc timer that comes due mid-Run: spin
// detection at the back edge sees the interrupt pending and takes it
// after the jump, as interpret's retiredSlow does. (In S-mode with SIE
// off, the probe cannot anchor, so it finds no cycle there; the timer
// interrupt goes to M-mode, which S-mode always takes.)
func TestProbeStepTakesATimerAtASpin(t *testing.T) {
	const handler = 0x100
	newHart := func() *Hart {
		b := bus.New(testBase, 1<<20)
		binary.LittleEndian.PutUint32(b.RAM, asmJAL(0, 0))
		binary.LittleEndian.PutUint32(b.RAM[handler:], asmCSRRW(0, csrMie, 0))
		binary.LittleEndian.PutUint32(b.RAM[handler+4:], asmJAL(0, 0))
		clock := &stepsClock{}
		h := New(0, b, clock)
		clock.h = h
		h.Reset(testBase)
		for _, w := range []struct{ csr, v uint64 }{
			{csrMtvec, testBase + handler}, {csrMie, 1 << IntSTI},
			{csrMenvcfg, menvcfgSTCE}, {csrStimecmp, 1000},
		} {
			require.True(t, h.writeCSR(w.csr, w.v))
		}
		h.setPriv(PrivS)
		return h
	}
	lean, ref := newHart(), newHart()
	runProbedTwins(t, lean, ref, 50, 3000, 200, nil)
	require.Equal(t, uint64(testBase+handler+4), lean.pc, "the timer was taken")
	require.NotZero(t, lean.cyc.lean, "probeStep ran")
}

// A bne (forward: no loop idiom) in two blocks, one entered at the bne
// itself: when the other block's run of it has classified the slot, the
// first block's copy of the idiom is still unknown, and interpret makes
// it none at the bne's next taken run there. probeStep must too.
func TestProbeStepCatchesUpABlocksIdiom(t *testing.T) {
	lean, ref := twinCycleHarts(t,
		asmJAL(0, 24),            // 0: to 24
		asmADDI(a0, a0, 1),       // 4
		asmBNE(a0, a1, 8),        // 8
		asmADDI(a0, a0, 1),       // 12
		asmBranch(0, 0, 0, 8),    // 16: to 24
		asmADDI(0, 0, 0),         // 20
		encI(0x13, 7, 12, a0, 1), // 24: andi a2, a0, 1
		asmBranch(0, 12, 0, -20), // 28: a0 even: to 8
		asmJAL(0, -28),           // 32: to 4
	)
	for _, h := range []*Hart{lean, ref} {
		h.cyc.off = true
		h.Run(7) // 0, 24, 28, 8 (a block at 8, bne not taken), 12, 16, 24
		h.Run(6) // 28, 32, 4, 8 (in the block at 28: taken), 16, 24
		require.Equal(t, uint64(testBase+28), h.pc)
		d := h.icache.fetchPage
		require.Equal(t, idiomNone, d.slots[8/2].idiom, "the slot is classified")
		e := d.entry[8/2]
		require.NotZero(t, e, "a block at 8")
		require.Equal(t, idiomUnknown, d.code[e>>8].idiom, "its copy is not")
		h.cyc.off = false
	}
	ref.cyc.slowProbes = true
	forceProbe(lean, 64)
	forceProbe(ref, 64)
	lean.Run(2) // 28, 8: taken
	ref.Run(2)
	require.Equal(t, uint64(testBase+16), lean.pc)
	require.NotZero(t, lean.cyc.lean)
	requireTwins(t, lean, ref, "after the probe")
	requireSameCode(t, lean, ref, "after the probe")
}
