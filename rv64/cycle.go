package rv64

import (
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/sv39"
)

// This file owns cycle detection, the big brother of spin detection (see
// spin.go): noticing that the hart goes round a loop that writes memory but
// puts everything back, so that it is a fixed point all the same. The case
// it is for is an idle scheduler on a kernel without WFI (xv6-riscv before
// 2023): it takes and releases every process lock, finds nothing to run and
// starts again, until an interrupt or another hart changes something.
//
// A probe runs the hart one instruction at a time for a while, logging what
// it reads and writes in RAM. It snapshots the state at its first pc (the
// anchor) and, each time the hart is at the anchor again with the same
// registers, CSRs, FP registers and privilege, checks the iteration since:
//   - every effect in it was a RAM store, an AMO, a CSR access that
//     depends only on the hart, an xRET, a fence or an ecall's trap
//     (nothing else: no other trap, MMIO, page walk, counter or FP op);
//   - every location it wrote ends as it was before the first write;
//   - every location it read before writing it still holds what was read;
//   - no interrupt is pending and enabled.
// Then running the iteration again from the anchor reads the same values,
// takes the same path and leaves memory and registers as they are: the
// hart is in a fixed point until an interrupt or another agent's store.
// Run stops there and reports Spinning, as for a spin.
//
// The hart is stopped at the anchor, but other harts could have seen the
// values the iteration wrote in between: a lock it takes and releases, say.
// Stopped where it holds that lock, it would keep others out. So anchors
// are only taken where the hart could take an interrupt (S-mode with SIE,
// M-mode with MIE set), where a kernel holds no spinlock; and never in
// U-mode, where a thread may hold a lock of its own with interrupts on.
// An interrupt then always ends the stop, so a wrong guess only delays.
//
// Unlike a spin, a found cycle outlives the Run: the next Run re-checks the
// logged reads and writes against memory (other harts may have run) and,
// if they still hold, stops at once. That is what makes an idle hart free
// while another hart is busy: the busy one writes memory all the time, but
// rarely what the idle scan reads, or not for long. For the "not for long"
// (the busy hart was inside a critical section when the Run began), a
// mismatch gets a few Runs' grace (cycleGraceRuns): the hart stays
// stopped, as a slightly slower hart would have, and only a mismatch that
// lasts ends the stop. A cycle left that way is not forgotten: if the hart
// comes back to its anchor with the same registers and memory as the
// logs say, it stops there again at once (see refindCycle).
//
// Probing costs ten times the normal speed, so a probe does not start
// blindly. When one is due, the hart first sniffs: at full speed, it
// notes the registers at each taken back edge (and xRET) where a probe
// could anchor or in user code (a few edges at a time), and compares them
// with those of the edge's previous visit. Equal registers at the same pc
// are what every cycle shows once per period (an inner loop's edge
// differs each visit, the outer one's does not), and what busy code
// rarely shows. Only then does the probe start, at that edge, expecting
// the hart back there within about the gap between the two visits: a
// probe that stays away four times that long has left the loop and ends.
// (Blind 16K-instruction probes, most of them failing on busy harts, were
// 28% of the wall time of MIT's usertests -q on 3 harts; see sniffBackEdge
// for why edges with interrupts off are not sniffed.) A hart whose sniff
// or probe finds nothing waits twice as long before the next, up to
// cycleMaxBackoff instructions. A kernel that idles with WFI has no idle
// scan to find, so there are none for a while after a WFI. Outside a
// sniff, a taken branch pays one flag test for all this.
//
// Where a loop's registers repeat at the anchor but memory does not (its
// variable lives on the stack, as the scheduler's p does while MIT's
// acquire runs), the probe keeps its anchor after the first return, so
// the iteration it checks grows to the outer loop's.

const (
	cycleProbeLen   = 40 << 10  // instructions one probe may watch (two scans of MIT's 64 processes)
	cycleMinBackoff = 32 << 10  // instructions between probes, at first
	cycleMaxBackoff = 1 << 20   // ... and at most
	cycleArmWait    = 4096      // instructions a probe waits for interrupts to be on (MIT's trap path runs longer than 256 with them off)
	cycleAfterWFI   = 256 << 20 // no probes this soon after a WFI
	cycleMaxReads   = 1024
	cycleMaxWrites  = 256
	cycleSniffLen   = 64 << 10 // instructions one sniff may watch
	cycleSniffReach = 4096     // bytes back a sniffed edge may go
	cycleGapSlack   = 1024     // instructions beyond 4 gaps between anchor visits (see probeCycle)
	cycleGraceRuns  = 8        // Runs a found cycle survives memory that differs
	cycleKnown      = 8        // cycles a hart remembers (see refindCycle)
	cycleRefindWait = 2        // visits a sniff waits at a known anchor before it probes (see sniffBackEdge)
)

// knownCycle is a cycle found earlier: its anchor, the hart's state
// there, and its logs as word checks (see compileWords).
type knownCycle struct {
	ok     bool   // the entry holds a cycle
	state  uint32 // entries with the same state have the same anchor state (see rememberCycle)
	anchor uint64
	priv   uint8
	regs   [32]uint64
	csr    csrState
	f      [32]uint64
	words  []wordCheck
}

// memRecord is one RAM location a probed iteration read or wrote: its RAM
// index and size, the value read (or held before the first write), and
// for a write the last value written.
type memRecord struct {
	idx       uint64
	size      uint8
	next      int16 // the next write record in the same 8-byte word, or -1
	value     uint64
	lastWrite uint64
}

// writtenWord is a slot of the probe's index of its write records, keyed
// by 8-byte word: which bytes of the word the records cover, and the
// first of them. Slots of older iterations are told apart by gen, so that
// starting an iteration does not clear the table.
type writtenWord struct {
	gen   uint32
	mask  uint8
	first int16
	word  uint64
}

// cycleWordSlots is the size of the index: a power of two, well above
// cycleMaxWrites, so that probe sequences stay short.
const cycleWordSlots = 1024

// sniffedEdge is a back edge seen by a sniff, with the registers at its
// last visit.
type sniffedEdge struct {
	pc    uint64
	priv  uint8
	steps uint64 // h.steps at the last visit
	regs  [32]uint64
}

type cycleWatch struct {
	off       bool   // no probing (tests of spin detection alone)
	found     bool   // the last Run stopped in a checked cycle
	stale     bool   // ... and memory no longer matched at the start of this one
	staleRuns int    // Runs in a row that found memory changed (see cycleGraceRuns)
	probing   bool   // a probe is under way (it may span Runs)
	probes    uint64 // probes started, for tests
	sniffing  bool   // a sniff is under way (see sniffBackEdge)
	sniffEnds uint64 // h.steps at which it gives up
	edges     [4]sniffedEdge
	nextEdge  int    // the entry of edges to replace next
	started   uint64 // h.steps when the probe started
	resumed   bool   // the sniff goes on after a spoiled probe (see resumeSniff)

	// The iteration being checked: the anchor state and what happened
	// since it was taken.
	armed       bool   // an anchor has been taken (see anchorCycle)
	returned    bool   // ... and the hart came back to it with the same registers
	lastVisit   uint64 // h.steps when it was last there with them (or anchored)
	maxGap      uint64 // the loop's period: the most instructions between two such visits, or between the sniff's
	spoiled     bool   // something happened that the logs cannot account for
	anchor      uint64
	anchorSteps uint64 // h.steps at the anchor
	regs        [32]uint64
	csr         csrState // all of them: an iteration may trap and return
	f           [32]uint64
	priv        uint8
	effects     uint64 // h.effects at the anchor (at the find, once found)
	logged      uint64 // effects since the anchor that the logs account for
	reads       [cycleMaxReads]memRecord
	writes      [cycleMaxWrites]memRecord
	nreads      int
	nwrites     int
	words       [cycleWordSlots]writtenWord
	gen         uint32 // the iteration's generation in words

	// A found cycle's logs as words to check (see compileWords), and the
	// cycles found so far (see refindCycle). check is the words of the
	// cycle the hart is stopped in, one of known's.
	words8    [cycleMaxReads + cycleMaxWrites]wordCheck
	nwords8   int
	known     [cycleKnown]knownCycle
	nextKnown int    // the entry of known to replace next
	nextState uint32 // the next knownCycle.state to hand out
	waited    int    // visits a sniff has waited at a known anchor
	check     []wordCheck

	nextProbe uint64 // h.steps at which a probe may start
	backoff   uint64

	slowProbes bool   // probes log and step as they did before probeStep, for tests to compare
	stepped    uint64 // instructions probes stepped, for tests and profiles
	lean       uint64 // ... of them through probeStep
}

// forgetCycle drops a found cycle and any probe in progress: the hart's
// state was changed from outside.
func (h *Hart) forgetCycle() {
	h.cyc.found = false
	for i := range h.cyc.known {
		h.cyc.known[i].ok = false
	}
	h.cyc.stale = false
	h.cyc.staleRuns = 0
	h.cyc.probing = false
	h.cyc.sniffing = false
	h.cyc.resumed = false
	h.cyc.backoff = 0
	h.cyc.nextProbe = h.steps
}

// watchForCycle is Run's part: it stops the Run at once if a cycle found
// earlier still holds, and otherwise probes when a probe is due. It
// returns how much of budget is left for the fast interpreter.
func (h *Hart) watchForCycle(budget uint64) uint64 {
	if h.guards != nil {
		return budget // a debugger checks pcs (SetGuards)
	}
	c := &h.cyc
	if c.found {
		switch {
		case h.cycleStillHolds():
			c.stale = false
			c.staleRuns = 0
			h.spinning = true
			return 0
		case h.effects == c.effects && h.pc == c.anchor && h.refindCycle():
			// Memory changed to what another cycle found at this anchor
			// read: an idle scheduler sees a process that was running
			// sleep again, say. The hart is as idle as it was.
			c.stale = false
			return 0
		case c.staleRuns < cycleGraceRuns && h.effects == c.effects && !h.cycleInterruptible():
			// Only memory changed, maybe just for a moment: another hart
			// is inside a critical section the scan would wait for. Stay
			// stopped for this Run, as a hart a little slower would, and
			// look again next time; a change that outlasts the grace ends
			// the stop then. With several busy harts taking locks the
			// scan reads, one Run of grace ended most stops (MIT's 2022
			// kernel, usertests killstatus: 4.62G instructions in 2 s of
			// guest time; 3.26G with 8 Runs).
			// The board must not take this for idleness, hence an effect.
			c.stale = true
			c.staleRuns++
			h.effects++
			c.effects = h.effects
			h.spinning = true
			return 0
		}
		c.found = false
		c.stale = false
		c.nextProbe = h.steps // it was idle a moment ago: look again soon
	}
	if !c.probing {
		switch {
		case c.off || h.steps < c.nextProbe:
		case !c.sniffing:
			c.sniffing = true
			c.resumed = false
			c.sniffEnds = h.steps + cycleSniffLen
			c.edges = [len(c.edges)]sniffedEdge{}
		case h.steps >= c.sniffEnds:
			c.sniffing = false
			h.backOffCycle()
		}
		return budget
	}
	before := h.steps
	h.probeCycle(budget)
	return budget - min(budget, h.steps-before)
}

// cycleStillHolds re-checks, at the start of a Run, a cycle found by an
// earlier one. The hart has not run since; only memory and interrupt lines
// may have changed.
func (h *Hart) cycleStillHolds() bool {
	c := &h.cyc
	return c.found && h.effects == c.effects && h.pc == c.anchor && wordsHold(h.ram, c.check) && !h.cycleInterruptible()
}

// cycleInterruptible reports whether an interrupt is pending and enabled
// in mie, which the loop may take when it turns interrupts on.
func (h *Hart) cycleInterruptible() bool { return h.mip()&h.csr.mie != 0 }

// cycleMemoryHolds reports whether memory holds what the iteration read,
// and what it wrote is back to its value before the iteration.
func (h *Hart) cycleMemoryHolds() bool {
	c := &h.cyc
	for i := range c.nreads {
		r := &c.reads[i]
		if bus.ReadLE(h.ram[r.idx:], int(r.size)) != r.value {
			return false
		}
	}
	for i := range c.nwrites {
		w := &c.writes[i]
		if w.lastWrite != w.value || bus.ReadLE(h.ram[w.idx:], int(w.size)) != w.value {
			return false
		}
	}
	return true
}

// wordCheck is one aligned 8-byte RAM word a found cycle's logs cover:
// the bytes of it they cover (mask) must hold want.
type wordCheck struct {
	idx        uint64
	mask, want uint64
}

// compileWords turns the logs of a cycle just found into wordChecks, one
// per word however many records fall in it, in RAM order. A found cycle's
// memory is checked at the start of every Run it stays stopped (millions
// of times in a long test), and this is what it checks: what the records
// hold came true at the find, so every record now only says "these bytes
// hold what they held then".
func (c *cycleWatch) compileWords() {
	n := 0
	add := func(r *memRecord) {
		shift := (r.idx & 7) * 8
		c.words8[n] = wordCheck{idx: r.idx &^ 7, mask: sizeMask(r.size) << shift, want: r.value << shift}
		n++
	}
	for i := range c.nreads {
		add(&c.reads[i])
	}
	for i := range c.nwrites {
		add(&c.writes[i])
	}
	checks := c.words8[:n]
	slices.SortFunc(checks, func(a, b wordCheck) int { return cmp.Compare(a.idx, b.idx) })
	m := 0
	for _, w := range checks {
		if m > 0 && checks[m-1].idx == w.idx {
			checks[m-1].mask |= w.mask
			checks[m-1].want |= w.want
			continue
		}
		checks[m] = w
		m++
	}
	c.nwords8 = m
}

// sizeMask is the mask of an access of size bytes (1 to 8).
func sizeMask(size uint8) uint64 { return ^uint64(0) >> (64 - 8*uint64(size)) }

// wordsHold reports whether ram still holds what a found cycle's logs say
// (see compileWords). A stopped hart runs it at the start of every Run,
// and it nearly always holds, so it ORs the differences of eight words
// and tests once: a third fewer host cycles per word than a test each
// (BenchmarkWordsHold).
func wordsHold(ram []byte, words []wordCheck) bool {
	for len(words) >= 8 {
		w := words[:8:8]
		d := w[0].diff(ram) | w[1].diff(ram) | w[2].diff(ram) | w[3].diff(ram) |
			w[4].diff(ram) | w[5].diff(ram) | w[6].diff(ram) | w[7].diff(ram)
		if d != 0 {
			return false
		}
		words = words[8:]
	}
	for i := range words {
		if words[i].diff(ram) != 0 {
			return false
		}
	}
	return true
}

// diff is nonzero where the bytes w covers differ from what it wants.
func (w *wordCheck) diff(ram []byte) uint64 {
	return binary.LittleEndian.Uint64(ram[w.idx:])&w.mask ^ w.want
}

// rememberCycle is called when a probe finds a cycle: it becomes the one
// the hart is stopped in, and one of the known cycles, unless it is one
// already (an idle scan found again as memory went back to what it was).
func (h *Hart) rememberCycle() {
	c := &h.cyc
	c.compileWords()
	words := c.words8[:c.nwords8]
	state := uint32(0)
	for i := range c.known {
		k := &c.known[i]
		if !k.ok || k.anchor != c.anchor || k.priv != c.priv || k.regs != c.regs || k.csr != c.csr || k.f != c.f {
			continue
		}
		if slices.Equal(k.words, words) {
			c.check = k.words
			return
		}
		state = k.state
	}
	if state == 0 {
		c.nextState++
		if c.nextState == 0 { // wrapped: 0 is atKnown's "none"
			c.nextState = 1
		}
		state = c.nextState
	}
	k := &c.known[c.nextKnown]
	c.nextKnown = (c.nextKnown + 1) % cycleKnown
	k.ok = true
	k.state = state
	k.anchor, k.priv, k.regs, k.csr, k.f = c.anchor, c.priv, c.regs, c.csr, c.f
	k.words = append(k.words[:0], words...)
	c.check = k.words
}

// probeCycle runs the probe for up to budget instructions, one at a time.
// It returns when it finds a cycle (h.spinning is then set), when the probe
// has watched cycleProbeLen instructions without finding one, when the
// hart waits or spins, or when the budget is spent (the probe goes on in
// the next Run; its checks are against memory as it is then).
func (h *Hart) probeCycle(budget uint64) {
	c := &h.cyc
	unarmed := 0 // instructions in a row where no anchor could be taken
	ends := c.probeEnds()
	for n := uint64(0); n < budget && !h.waiting && !h.spinning; n++ {
		if c.armed {
			unarmed = 0
		} else {
			unarmed++
		}
		if h.steps >= ends || unarmed > cycleArmWait {
			// A whole probe without a cycle, a long stretch where no
			// anchor can be taken (interrupts off, user code), or a hart
			// that stays away from the anchor's state for much longer
			// than the loop's period (it left the loop): the hart is
			// busy.
			c.probing = false
			h.backOffCycle()
			return
		}
		in := h.fetch()
		if in == nil {
			h.anchorCycle() // the fetch trapped: start afresh at the handler
			ends = c.probeEnds()
			continue
		}
		effects := h.effects
		var rec *memRecord
		accountable := uint64(0)
		if c.armed || c.slowProbes {
			rec, accountable = h.logAccess(in)
		}
		// Unarmed, the logs are not read: whatever the step does, the
		// iteration starts afresh after it (below), or the probe stops
		// and starts afresh when it goes on. (Logging anyway was a tenth
		// of a kthread lab's probing, in user code and trap paths.)
		c.stepped++
		if h.probeStep(in) {
			c.lean++
		} else {
			h.execute(1)
		}
		if h.spinning || h.waiting {
			return // a spin or WFI: the board takes it from here
		}
		switch delta := h.effects - effects; {
		case delta == 0:
		case delta == accountable:
			c.logged += delta
		default:
			// Something the logs cannot account for (a trap, a page walk,
			// a device): start afresh from here.
			h.anchorCycle()
			ends = c.probeEnds()
			continue
		}
		if rec != nil {
			rec.lastWrite = bus.ReadLE(h.ram[rec.idx:], int(rec.size))
		}
		if c.spoiled && c.armed && h.resumeSniff() {
			return
		}
		switch {
		case !c.armed:
			h.anchorCycle()
			ends = c.probeEnds()
		case h.pc == c.anchor && h.steps != c.anchorSteps:
			if h.atAnchorAgain() {
				h.rememberCycle()
				c.found = true
				c.staleRuns = 0
				c.probing = false
				c.effects = h.effects
				c.backoff = 0
				h.spinning = true
				return
			}
			ends = c.probeEnds()
		}
	}
}

// resumeSniff is called when the iteration a probe checks is spoiled:
// it cannot be a cycle, and the probe would single-step the rest of it
// only to start afresh at the anchor. If the anchor is a sniffed edge,
// the hart sniffs instead, at full speed, with the edge's registers those
// of the anchor: the sniff starts the probe again when the hart is back
// there as it was, where the probe would have started afresh, and gives
// up when the probe would have. It reports whether the probe ended so.
// A spoil is most often a lock the scan found taken by another hart; in
// MIT 2022's usertests -q on 3 harts, probes single-stepped 25M of their
// 147M instructions in iterations already spoiled.
func (h *Hart) resumeSniff() bool {
	c := &h.cyc
	for i := range c.edges {
		e := &c.edges[i]
		if e.pc != c.anchor {
			continue
		}
		e.priv, e.regs, e.steps = c.priv, c.regs, c.lastVisit
		c.probing = false
		c.sniffing = true
		c.resumed = true
		c.sniffEnds = c.started + cycleProbeLen
		return true
	}
	return false
}

// probeEnds is the step at which the probe gives up: when it has watched
// cycleProbeLen instructions, or when the hart has stayed away from the
// anchor's state for much longer than the loop's period (it left the
// loop). probeCycle keeps it in a local, and asks again whenever the
// anchor or the period may have moved.
func (c *cycleWatch) probeEnds() uint64 {
	return min(c.started+cycleProbeLen, c.lastVisit+4*c.maxGap+cycleGapSlack+1)
}

// backOffCycle waits twice as long as last time before the next sniff.
func (h *Hart) backOffCycle() {
	c := &h.cyc
	c.backoff = min(max(2*c.backoff, cycleMinBackoff), cycleMaxBackoff)
	c.nextProbe = h.steps + c.backoff
}

// sniffBackEdge is called during a sniff at a taken branch or jump back by
// -imm bytes at pc, or at an xRET (imm 0). It reports whether the
// registers are those of the edge's last visit: a probe then starts here,
// before the branch executes.
func (h *Hart) sniffBackEdge(pc uint64, imm int64) bool {
	// Only where the probe can anchor at once, or in user code (a loop of
	// system calls anchors in their handler): elsewhere, as inside MIT's
	// push_off, a kernel's registers can repeat from one call to the next
	// while the loop that makes the calls keeps its variables on the
	// stack, and the gap between visits says nothing of its period.
	if uint64(-imm) > cycleSniffReach || (h.priv != PrivU && !h.anchorable()) {
		return false
	}
	c := &h.cyc
	if h.refindCycle() {
		return true
	}
	for i := range c.edges {
		e := &c.edges[i]
		if e.pc != pc {
			continue
		}
		if e.priv == h.priv && e.regs == [32]uint64(h.x[:32]) {
			if c.waited < cycleRefindWait && h.atKnownAnchor() {
				// Where a known cycle was, as it was, with memory not as
				// it read: most often another hart is inside a critical
				// section the scan reads, and the cycle holds again next
				// time round. Passes at full speed are cheaper than a
				// probe: look again before starting one.
				c.waited++
				e.steps = h.steps
				return false
			}
			c.waited = 0
			c.sniffing = false
			c.probing = true
			if c.resumed {
				// The same probe, afresh at its anchor (see resumeSniff).
				c.resumed = false
				c.maxGap = max(c.maxGap, h.steps-e.steps)
			} else {
				c.probes++
				c.started = h.steps
				c.maxGap = h.steps - e.steps
			}
			h.anchorCycle()
			return true
		}
		e.regs = [32]uint64(h.x[:32])
		e.priv = h.priv
		e.steps = h.steps
		return false
	}
	c.edges[c.nextEdge] = sniffedEdge{pc: pc, priv: h.priv, steps: h.steps, regs: [32]uint64(h.x[:32])}
	c.nextEdge = (c.nextEdge + 1) % len(c.edges)
	return false
}

// refindCycle is called at an edge where a probe could anchor, during a
// sniff, and at the anchor of a found cycle whose memory changed. If one
// of the cycles the hart found earlier (and left since: memory changed,
// or an interrupt came) was anchored here, it checks whether the hart is
// in it again. The iteration its logs describe is a function of the
// registers, CSRs, FP registers and privilege at the anchor and of the
// values it read: if those are all as they were, it would take the same
// path again and end in the same fixed point, so the hart stops as a
// probe would have stopped it, without one. MIT's idle scheduler comes
// back to the same scan after each process it runs, and sees the few
// states its processes go through again and again: in MIT 2022's
// usertests -q on 3 harts, remembering one cycle found 4074 of 11677
// stops without a probe (probes ran 306M instructions one at a time
// instead of 435M), and 16820 of the 21483 cycles probes still found
// were one of the last four found on the same hart. Remembering eight
// instead of four: probes 4236 -> 3662, their single steps 100.6M ->
// 88.5M; sixteen saves a few more steps but costs as much in checks
// here (each stale Run of a stopped hart comes here, and a hart's known
// cycles mostly share one anchor state, so each is a word check).
func (h *Hart) refindCycle() bool {
	c := &h.cyc
	if h.cycleInterruptible() {
		return false
	}
	var at atKnown
	for i := range c.known {
		k := &c.known[i]
		if !at.state(h, k) || !wordsHold(h.ram, k.words) {
			continue
		}
		c.waited = 0
		c.sniffing = false
		c.resumed = false
		c.found = true
		c.anchor = k.anchor
		c.check = k.words
		c.staleRuns = 0
		c.effects = h.effects
		c.backoff = 0
		h.spinning = true
		return true
	}
	return false
}

// atKnownAnchor reports whether the hart is at the anchor of a known
// cycle in the state it had there.
func (h *Hart) atKnownAnchor() bool {
	var at atKnown
	for i := range h.cyc.known {
		if at.state(h, &h.cyc.known[i]) {
			return true
		}
	}
	return false
}

// atKnown compares the hart's state with known cycles' anchor states, one
// after the other, remembering the outcome for the last state compared.
// A hart's known cycles mostly share one anchor state (its idle scan's,
// with memory as it was at different times), and a state is over 1K
// bytes (the CSRs hold the PMP registers): with eight known cycles, the
// comparisons took 0.9% of MIT 2022's usertests -q on 3 harts, most of it
// comparing one state eight times at each Run of a stopped hart whose
// memory changed (see watchForCycle).
type atKnown struct {
	last uint32 // a knownCycle.state compared (0: none)
	at   bool   // ... and whether the hart is in it
}

// state reports whether the hart is at k's anchor in the state it had
// there.
func (a *atKnown) state(h *Hart, k *knownCycle) bool {
	if !k.ok || k.anchor != h.pc {
		return false
	}
	if a.last != k.state {
		a.last = k.state
		a.at = k.priv == h.priv && k.regs == [32]uint64(h.x[:32]) && k.csr == h.csr && k.f == h.f
	}
	return a.at
}

// anchorable reports whether the hart could take an interrupt here (see
// above), where a probe may anchor.
func (h *Hart) anchorable() bool {
	switch h.priv {
	case PrivS:
		return h.csr.mstatus&mstatusSIE != 0
	case PrivM:
		return h.csr.mstatus&mstatusMIE != 0
	}
	return false
}

// anchorCycle starts an iteration at the current pc, if the hart could
// take an interrupt here (see above); otherwise the probe goes on unarmed.
func (h *Hart) anchorCycle() {
	c := &h.cyc
	c.found = false
	c.armed = h.anchorable()
	c.anchor = h.pc
	c.anchorSteps = h.steps
	if c.armed || c.slowProbes {
		// The state to compare at the anchor, over 1.5K bytes with the
		// PMP registers. Unarmed, a probe calls here at every step (MIT's
		// trap path, user code) and nothing reads it: copying it anyway
		// was a fifth of the probes' time in a kthread lab's usertests.
		c.regs = [32]uint64(h.x[:32])
		c.csr = h.csr
		c.f = h.f
	}
	c.priv = h.priv
	c.effects = h.effects
	c.logged = 0
	c.returned = false
	c.lastVisit = h.steps
	c.spoiled = false
	c.nreads = 0
	c.nwrites = 0
	if c.gen++; c.gen == 0 { // wrapped: the slots of generation 0 are not free
		c.words = [cycleWordSlots]writtenWord{}
		c.gen = 1
	}
}

// atAnchorAgain is called each time the probed hart is back at the anchor
// pc. It reports whether the iteration since the anchor is a cycle; if the
// state is the anchor's but the iteration is not a cycle, it starts a new
// one here.
func (h *Hart) atAnchorAgain() bool {
	c := &h.cyc
	if [32]uint64(h.x[:32]) != c.regs || h.priv != c.priv {
		return false // an inner loop's visit, or not a fixed point
	}
	gap := max(c.maxGap, h.steps-c.lastVisit)
	c.lastVisit = h.steps
	c.maxGap = gap
	if h.csr != c.csr || h.f != c.f {
		// The first time round a trap loop, say, leaves scause set.
		// Start again from here.
		h.anchorCycle()
		return false
	}
	if c.spoiled || h.effects-c.effects != c.logged || h.cycleInterruptible() {
		h.anchorCycle()
		return false
	}
	if h.cycleMemoryHolds() {
		return true
	}
	// Memory differs. The first time round may differ from the rest (it
	// sets a flag, say), so start again from here; after that, keep the
	// anchor: the registers of an inner loop's iterations can be equal
	// while their loop variables live on the stack (MIT's acquire saves the
	// scheduler's p there), and only the outer loop comes back to the
	// same memory.
	if !c.returned {
		h.anchorCycle()
		c.returned = true
	}
	return false
}

// logAccess looks at the instruction about to execute. A load or store
// that hits the TLB is logged (a store's record is returned, so its new
// value can be noted after it executes). It returns how many effects the
// instruction may have that the iteration's check accounts for: a logged
// store or AMO (1); a CSR access whose value depends on nothing outside
// the hart (1: the CSRs are compared at the anchor); an xRET or fence (1);
// an ecall or ebreak, the effect and its trap (2). A system call loop
// (U-mode code calling getpid, say, while the test waits on a timer) is
// a fixed point like any other. Anything else (a TLB miss's walk, a
// device, a counter or mip read) starts a new iteration.
func (h *Hart) logAccess(in *insn) (rec *memRecord, accountable uint64) {
	class := logClass[in.op]
	if class == logNone { // most instructions: a test, not a jump through a table
		return nil, 0
	}
	switch class {
	case logLoad:
		h.logRead(&h.tlb.load, h.x[in.rs1]+uint64(in.imm), loadSize[in.op-opLB])
	case logStore:
		if rec = h.logWrite(h.x[in.rs1]+uint64(in.imm), 1<<(in.op-opSB)); rec != nil {
			accountable = 1
		}
	case logLR:
		h.logRead(&h.tlb.load, h.x[in.rs1], uint64(in.size))
	case logAMO:
		h.logRead(&h.tlb.store, h.x[in.rs1], uint64(in.size)) // AMOs use the store TLB
		if rec = h.logWrite(h.x[in.rs1], uint64(in.size)); rec != nil {
			accountable = 1
		}
	case logCSR:
		if csrIsHartState(uint64(in.imm) & 0xfff) {
			accountable = 1
		}
	case logOne:
		accountable = 1
	case logTrap:
		accountable = 2
	}
	return rec, accountable
}

// What logAccess does with an op (logClass).
const (
	logNone  = iota // nothing: no memory, no effect
	logLoad         // a load: log the read
	logStore        // a store: log the write
	logLR           // LR: log the read
	logAMO          // an AMO: log the read and the write
	logCSR          // a CSR access: accountable if it reads hart state only
	logOne          // xRET, SFENCE.VMA: one accountable effect
	logTrap         // ECALL, EBREAK: the effect and its trap
)

// logClass is logAccess's class of each op: one jump instead of a chain
// of range tests for every instruction a probe steps through.
var logClass = func() (t [256]uint8) {
	for o := opLB; o <= opLWU; o++ {
		t[o] = logLoad
	}
	for o := opSB; o <= opSD; o++ {
		t[o] = logStore
	}
	t[opLR] = logLR
	for o := opAMOSWAP; o <= opAMOMAXU; o++ {
		t[o] = logAMO
	}
	for o := opCSRRW; o <= opCSRRCI; o++ {
		t[o] = logCSR
	}
	t[opMRET], t[opSRET], t[opSFENCEVMA] = logOne, logOne, logOne
	t[opECALL], t[opEBREAK] = logTrap, logTrap
	return t
}()

// csrIsHartState reports whether CSR n reads as a function of the hart's
// own registers: not the counters and timers (they move on their own) nor
// mip/sip (devices drive them).
func csrIsHartState(n uint64) bool {
	switch {
	case n >= 0xB00 && n <= 0xB9F, n >= 0xC00 && n <= 0xC9F: // counters
		return false
	case n == csrMip || n == csrSip:
		return false
	}
	return true
}

// loadSize is the access size of opLB..opLWU.
var loadSize = [...]uint64{1, 2, 4, 8, 1, 2, 4}

// logRead records a load of size bytes at va, unless the iteration wrote
// that location first (its value is then the iteration's own).
func (h *Hart) logRead(tlb *sv39.TLB, va, size uint64) {
	c := &h.cyc
	idx, ok := alignedLookup(tlb, va, size)
	if !ok {
		// It may walk, fault or reach a device (effects), or be a RAM
		// access the TLB does not cover (bare mode): not logged either way.
		h.spoilCycle()
		return
	}
	if _, w, overlap := c.findWrite(idx, size); w != nil || overlap {
		// A location the iteration wrote that holds something else now was
		// written by another hart in between (a lock it found taken, and
		// then took itself): the logs miss that store, so this iteration
		// cannot be checked, and the next starts afresh.
		if overlap || bus.ReadLE(h.ram[idx:], int(size)) != w.lastWrite {
			h.spoilCycle()
		}
		return
	}
	if c.nreads == cycleMaxReads {
		h.spoilCycle()
		return
	}
	c.reads[c.nreads] = memRecord{idx: idx, size: uint8(size), value: bus.ReadLE(h.ram[idx:], int(size))}
	c.nreads++
}

// logWrite records the value a location held before the iteration first
// wrote it, and returns its record.
func (h *Hart) logWrite(va, size uint64) *memRecord {
	c := &h.cyc
	idx, ok := alignedLookup(&h.tlb.store, va, size)
	if !ok {
		h.spoilCycle()
		return nil
	}
	slot, w, overlap := c.findWrite(idx, size)
	if overlap || (w == nil && c.nwrites == cycleMaxWrites) {
		h.spoilCycle()
		return nil
	}
	if w == nil {
		v := bus.ReadLE(h.ram[idx:], int(size))
		if slot.gen != c.gen {
			*slot = writtenWord{gen: c.gen, first: -1, word: idx >> 3}
		}
		slot.mask |= byteMask(idx, size)
		w = &c.writes[c.nwrites]
		*w = memRecord{idx: idx, size: uint8(size), next: slot.first, value: v, lastWrite: v}
		slot.first = int16(c.nwrites)
		c.nwrites++
	}
	return w
}

// findWrite returns the write record for exactly idx and size, or reports
// that a record overlaps it partly (which the logs do not model). The
// access is aligned (see alignedLookup), so it lies in one 8-byte word.
// It also returns the word's index slot, where logWrite adds a record
// without looking it up again.
func (c *cycleWatch) findWrite(idx, size uint64) (*writtenWord, *memRecord, bool) {
	slot := c.wordSlot(idx >> 3)
	if slot.gen != c.gen || slot.mask&byteMask(idx, size) == 0 {
		return slot, nil, false
	}
	for i := slot.first; i >= 0; i = c.writes[i].next {
		if w := &c.writes[i]; w.idx == idx && uint64(w.size) == size {
			return slot, w, false
		}
	}
	return slot, nil, true
}

// wordSlot returns the index slot of an 8-byte word: the one that holds
// it in this iteration, or else the free (or stale) slot where it goes.
// There is always one: the slots outnumber the write records four to one
// (and anchorCycle starts every iteration with a fresh generation).
func (c *cycleWatch) wordSlot(word uint64) *writtenWord {
	i := (word * 0x9E3779B97F4A7C15) >> 54 // the top 10 bits: cycleWordSlots
	for {
		slot := &c.words[i]
		if slot.gen != c.gen || slot.word == word {
			return slot
		}
		i = (i + 1) % cycleWordSlots
	}
}

// byteMask is the bytes an aligned access of size at idx covers in its
// 8-byte word.
func byteMask(idx, size uint64) uint8 { return uint8((1<<size)-1) << (idx & 7) }

// alignedLookup is the RAM index of an aligned access that hits the TLB.
// Misaligned accesses are left to fault or split, which are effects.
func alignedLookup(tlb *sv39.TLB, va, size uint64) (uint64, bool) {
	if va&(size-1) != 0 {
		return 0, false
	}
	return tlb.Lookup(va)
}

// spoilCycle makes the current iteration fail its check (the logs no
// longer account for it), so the next anchor visit starts afresh.
func (h *Hart) spoilCycle() { h.cyc.spoiled = true }
