package rv64

// This file owns spin detection: noticing, at a loop's back edge, that the
// loop can no longer change anything, so Run can stop early instead of
// repeating it until its budget runs out.
//
// Why it is sound: during one Run nothing but this hart touches memory (the
// board runs harts one at a time, and devices change only when the hart
// accesses them). Everything the hart does that could make one iteration
// differ from the next bumps h.effects: stores, AMOs that change memory, SC,
// CSR and FP instructions, MMIO, page-table walks (they may set A/D bits),
// xRET, WFI, SFENCE.VMA and every trap. So if a short backward branch is
// reached again with h.effects unchanged and the integer registers equal
// to those of the previous visit, the hart is in a fixed point: pc,
// registers, memory and CSRs are what they were one iteration ago, and it
// would go round the same way until the Run ends. (f registers and fcsr
// cannot have changed, since any FP instruction is an effect; the LR
// reservation can, but only SC reads it, and SC is an effect.)
//
// The streak restarts at every Run, since other harts may have written
// memory in between. FENCE and FENCE.I are not effects: in this hart they
// change nothing (stores are seen in order and already drop decoded code).

// spinReach is how far back, in bytes, a branch may go and still be
// watched. Spin loops are a few instructions; ignoring longer back edges
// (and forward ones) keeps tail jumps from breaking a loop's streak.
const spinReach = 256

// spinCheckAt is the number of consecutive pure visits to a back edge
// after which its registers are snapshotted (and compared at the next
// visit). Waiting a few visits keeps the snapshot's cost off pure counting
// loops, which change registers every iteration.
const spinCheckAt = 16

// noBranch is a back-edge address no instruction can have (it is odd).
const noBranch = ^uint64(0)

// spinWatch follows the back edge the hart took most recently.
type spinWatch struct {
	pc      uint64     // the branch or jump instruction
	effects uint64     // h.effects - h.tallies when its streak began
	visits  uint32     // visits since then with no effect in between
	regs    [32]uint64 // x0..x31 at visit spinCheckAt

	// Tallies (tally.go) do not break a streak; they are checked at the
	// comparison instead.
	tallies uint64 // h.tallies at visit spinCheckAt
	steps   uint64 // h.steps at visit spinCheckAt
	tally   tally  // h.tally at visit spinCheckAt
	ready   bool   // a tallying loop repeated: execute may skip passes
	period  uint64 // steps per pass of that loop
	body    [16]*insn
	skipped uint64 // steps skipped so far (for tests)
}

// Spinning reports whether the last Run returned early because the hart
// was in a loop that cannot change anything until another hart or a device
// acts (or an interrupt arrives). The hart is then at the loop's back edge
// (for a spin) or at the point where a probe anchored it (for a cycle, see
// cycle.go), not yet executed, so the next Run resumes the loop seamlessly.
// The iterations skipped were never executed: they do not count in Run's
// result, Instret, minstret or mcycle. Cleared by the next Run.
func (h *Hart) Spinning() bool { return h.spinning }

// Effects returns a counter that moves whenever the hart may have changed
// memory, a device or its own state in a way a loop could notice: the
// same events that break a spin streak. A board uses it to tell whether a
// hart that reported Spinning is still stuck after other harts have run:
// it is while no hart's counter has moved since.
func (h *Hart) Effects() uint64 { return h.effects }

// restartSpinWatch forgets any streak: memory may have changed.
func (h *Hart) restartSpinWatch() {
	h.spinning = false
	h.spin.pc = noBranch
	h.spin.ready = false
}

// pureBackEdge is called at a taken branch or jump (x0 link) at pc with
// offset imm, before it executes. It reports whether stuckInLoop should
// look at the hart: the loop the edge closes has gone round spinCheckAt
// times without an effect, or a cycle sniff is under way (cycle.go). It is
// small enough to inline: it is all that spin and cycle detection cost a
// taken branch.
func (h *Hart) pureBackEdge(pc uint64, imm int64) bool {
	return h.cyc.sniffing || h.pureStreak(pc, imm)
}

// pureStreak reports whether the loop closed by the back edge at pc has
// gone round spinCheckAt times without an effect.
func (h *Hart) pureStreak(pc uint64, imm int64) bool {
	w := &h.spin
	if uint64(-imm) > spinReach { // forward, or a long way back
		return false
	}
	if e := h.effects - h.tallies; w.pc != pc || w.effects != e {
		w.pc, w.effects, w.visits = pc, e, 0
		return false
	}
	w.visits++
	return w.visits >= spinCheckAt
}

// stuckInLoop runs after pureBackEdge: the first time it snapshots the
// registers, the next time it compares them. It reports true when they
// are equal, and Run then stops with the hart at the back edge; it also
// reports true when a cycle probe is to start there.
func (h *Hart) stuckInLoop(pc uint64, imm int64) bool {
	if h.cyc.sniffing {
		// An edge visited again with no effect in between is the spin
		// watch's; any other may close a cycle.
		w := &h.spin
		if (w.pc != pc || w.effects != h.effects-h.tallies) && h.sniffBackEdge(pc, imm) {
			return true
		}
		if !h.pureStreak(pc, imm) {
			return false
		}
	}
	w := &h.spin
	regs := [32]uint64(h.x[:32])
	if w.visits == spinCheckAt {
		w.regs, w.tallies, w.steps, w.tally = regs, h.tallies, h.steps, h.tally
		return false
	}
	w.visits = 0 // whatever happens below, a new streak starts
	if regs != w.regs {
		return false
	}
	if _, ok := h.pendingInterrupt(); ok {
		// It becomes takeable as time passes (Sstc). Take it after the
		// branch, where the run loop polls when checkInt is set.
		h.checkInt = true
		return false
	}
	switch h.tallies - w.tallies {
	case 0:
	case 1:
		// Not a fixed point, but execute may skip whole passes if this
		// one tallied as the last one did.
		t := h.tally
		w.ready = t.pa == w.tally.pa && t.add == w.tally.add && t.size == w.tally.size
		w.period = h.steps - w.steps
		return false
	default:
		return false
	}
	h.spinning = true
	return true
}
