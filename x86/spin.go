package x86

// This file owns spin detection: noticing, at a loop's back edge, that the
// loop can no longer change anything, so Run can stop early instead of
// repeating it until its budget runs out.
//
// Why it is sound: during one Run nothing but this CPU touches memory (the
// board runs CPUs one at a time, and devices change only when the CPU
// accesses them). Everything that could make one iteration differ from the
// next bumps c.effects: stores that change memory, page walks (A/D bits),
// port and MMIO accesses, segment and system-register loads, interrupts
// and exceptions. So if a short backward jump is reached again with
// c.effects unchanged and the registers and flags equal to those of the
// previous visit, the CPU is at a fixed point and would go round the same
// way until the Run ends. An xchg, cmpxchg or locked operation that writes
// back the value already in memory is no effect: that is how a test-and-set
// spin on a held lock ("while(xchg(&lk->locked, 1)) ;") is recognised.

const (
	spinReach   = 256 // how far back a jump may go and still be watched
	spinCheckAt = 16  // pure visits before the registers are compared
	noBranch    = ^uint32(0)
)

type spinState struct {
	r     [8]uint32
	flags uint32
	lz    lazyFlags
}

type spinWatch struct {
	eip     uint32
	effects uint64
	visits  uint32
	snap    spinState
}

// Spinning reports whether the last Run returned early because the CPU is
// in a loop that cannot change anything until an interrupt arrives or
// another CPU stores to memory. EIP is then at the loop's back edge, not
// yet executed. The skipped iterations were never executed and do not
// count in Run's result or Instret.
func (c *CPU) Spinning() bool { return c.spinning }

// Effects returns a counter that moves whenever the CPU may have changed
// memory, a device or its own state in a way a loop could notice.
func (c *CPU) Effects() uint64 { return c.effects }

func (c *CPU) restartSpinWatch() {
	c.spinning = false
	c.spin.eip = noBranch
}

// backEdge is called before a taken jump at eip to target. It reports
// true (and sets spinning) when the loop it closes is a fixed point.
func (c *CPU) backEdge(eip, target uint32) bool {
	return eip-target <= spinReach && c.watchBackEdge(eip)
}

// watchBackEdge is backEdge for a short backward jump.
func (c *CPU) watchBackEdge(eip uint32) bool {
	w := &c.spin
	if w.eip != eip || w.effects != c.effects {
		w.eip, w.effects, w.visits = eip, c.effects, 0
		return false
	}
	w.visits++
	if w.visits < spinCheckAt {
		return false
	}
	s := spinState{flags: c.flags, lz: c.lz}
	copy(s.r[:], c.r[:8])
	if w.visits == spinCheckAt {
		w.snap = s
		return false
	}
	w.visits = 0
	if s != w.snap {
		return false
	}
	if c.intr && c.flags&FlagIF != 0 {
		return false // an interrupt is about to be taken
	}
	c.spinning = true
	return true
}
