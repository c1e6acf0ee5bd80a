package x86

import "github.com/xv6emu/xv6emu/bus"

// This file owns cycle detection, the big brother of spin detection (see
// spin.go): noticing that the CPU goes round a loop that writes memory but
// puts everything back, so that it is a fixed point all the same. The case
// it is for is classic xv6's idle scheduler, which never halts: with
// interrupts on, it takes and releases the process-table lock, finds
// nothing to run and starts again, until an interrupt or another CPU
// changes something. (rv64/cycle.go does the same for RISC-V kernels.)
//
// A probe runs the CPU one instruction at a time for a while with the TLB
// off, so that every memory access takes the slow paths, which log what it
// reads and writes in RAM (and page-table entries it walks). It snapshots
// the state at its first EIP (the anchor) and, each time the CPU is at the
// anchor again with the same registers and flags, checks the iteration
// since:
//   - every effect in it was a logged RAM store (nothing else: no
//     interrupt or exception, port or device access, segment or system
//     register load);
//   - every location it read (before writing it, if it did) still holds
//     what was read, so a location it reads and writes ends as it began;
//   - no interrupt is deliverable.
// Then the next iteration reads the same values, takes the same path and
// writes the same values: Run stops at the anchor and reports Spinning.
// A location the iteration writes but never reads need not end as it
// began: the next iteration would write the same value again, and the CPU
// itself never looks at it. (Classic xv6 writes the lock holder's call
// chain into lk->pcs on every acquire; with two idle CPUs the chain left
// there alternates, and only this rule lets both stop.) Another CPU that
// reads such a location sees what it would see if this CPU were merely
// slow to come round again. Reads of the local APIC's ID and version registers
// are side-effect free and constant, so they count as logged reads (xv6's
// mycpu() reads the ID on every lock operation).
//
// Anchors are only taken at CPL 0 with IF set, where a kernel holds no
// spinlock: a CPU stopped there keeps no other CPU out. An interrupt
// always ends the stop. A found cycle outlives the Run: the next Run
// re-checks the logs against memory (other CPUs may have run) and stops
// at once if they still hold; a mismatch gets one Run's grace, as in
// rv64, and then a probe as long as a few of the cycle's iterations. Probing is slow, so it backs off on busy CPUs, and does not start
// soon after a hlt (a kernel that halts has no idle scan to find).
//
// When to probe: an idle scan executes sti at the same EIP with the same
// registers every time round (classic xv6's scheduler does, and so does
// the popcli in its release), the same number of steps and effects apart,
// while busy code seldom does. So an sti state seen three times at equal
// distances starts a probe at once (noteSTI), and probes on a timer are
// only the fallback for kernels whose idle loop has no sti: they back off
// far, since on a busy CPU a probe is wasted work at several times the
// cost of running. A probe that fails for any reason, including a spin on
// a lock the other CPU holds, backs its trigger off.

const (
	cycleProbeLen   = 16 << 10
	cycleMinBackoff = 1 << 20
	cycleMaxBackoff = 64 << 20
	stiMinBackoff   = 4 << 10
	stiMaxBackoff   = 4 << 20
	cycleArmWait    = 4096 // classic xv6 has IF set for a few of every ~700 idle-loop instructions
	cycleAfterHLT   = 256 << 20
	cycleMaxReads   = 1024
	cycleMaxWrites  = 256
)

type memRecord struct {
	idx       uint64 // RAM index, or physical address for an APIC read
	size      uint8
	apic      bool
	value     uint32
	lastWrite uint32
}

type cycleWatch struct {
	off     bool
	found   bool
	stale   bool
	probing bool
	started uint64

	armed       bool
	spoiled     bool
	anchor      uint32
	anchorCS    uint16
	anchorSteps uint64
	snap        spinState
	effects     uint64
	logged      uint64
	reads       [cycleMaxReads]memRecord
	writes      [cycleMaxWrites]memRecord
	nreads      int
	nwrites     int

	nextProbe uint64
	backoff   uint64
	probeLen  uint64 // the running probe gives up after this many steps
	period    uint64 // the found cycle's length in steps

	// The sti trigger: the state after the last sti at a few EIPs (by
	// EIP hash), whether the running probe came from it, when it may fire
	// again, and its backoff.
	sti         [4]stiSeen
	byTrigger   bool
	now         bool // a probe is due now (Run starts it)
	stiNext     uint64
	stiBackoff  uint64
	stiProbeLen uint64

	// Filters that spare most log lookups a scan of the records: slot
	// h(word) holds gen when the iteration may have read (written) that
	// 4-byte word. anchorCycle clears them by bumping gen.
	gen       uint32
	readSeen  [1024]uint32
	writeSeen [1024]uint32
	writeSlot [1024]uint16 // the write record last made for that first word
	readSlot  [1024]uint16 // the read record last made for that first word

	// The probe's own translations, [write][user], valid for one
	// iteration (gen) and TLB generation: the page walk behind each is in
	// the iteration's log already, so later accesses to the page need not
	// walk (and log) it again, as a TLB would not.
	ptlb [2][2][64]probeXlate
}

type probeXlate struct {
	tag  uint64 // the TLB's tag | linear page number
	gen  uint32
	page uint64 // physical address of the page
}

type stiSeen struct {
	eip     uint32
	snap    spinState
	steps   uint64
	effects uint64
	// The steps and effects between the last two times this state was
	// seen here (0: not seen twice yet).
	period, effPeriod uint64
}

// An idle scan's iteration is short and stores little (classic xv6's: some
// 1150 instructions, 150 stores counting pushes); a repeated sti state
// further apart is more likely a busy loop that happens to look the same
// at its sti.
const (
	stiMaxSteps   = 8192
	stiMaxEffects = 512
)

// words returns the filter slots of the (one or two) words an access
// touches.
func words(idx uint64, size int) (uint32, uint32) {
	return uint32(idx>>2) & 1023, uint32((idx+uint64(size)-1)>>2) & 1023
}

// forgetCycle drops a found cycle and any probe: the CPU's state was
// changed from outside.
func (c *CPU) forgetCycle() {
	w := &c.cyc
	w.found, w.stale, w.backoff = false, false, 0
	c.endProbe()
	w.nextProbe = c.steps
	w.sti = [4]stiSeen{}
	w.stiNext, w.stiBackoff = 0, 0
}

func (c *CPU) endProbe() {
	c.cyc.probing = false
	c.tlb.noInsert = false
}

// watchForCycle is Run's part: it stops the Run at once if a cycle found
// earlier still holds, and otherwise probes when a probe is due, up to
// step count end.
func (c *CPU) watchForCycle(end uint64) {
	w := &c.cyc
	if w.found {
		switch {
		case c.cycleStillHolds():
			w.stale = false
			c.spinning = true
			return
		case !w.stale && c.effects == w.effects && !c.interruptible():
			// Only memory changed, maybe for a moment (another CPU inside
			// a critical section the scan waits for): stay stopped for
			// this Run, and look again next time. An effect, so the
			// board does not take it for idleness.
			w.stale = true
			c.effects++
			w.effects = c.effects
			c.spinning = true
			return
		}
		w.found, w.stale = false, false
		// Probe again at once: most likely the scan goes on idle, and
		// comes round within a few of its iterations if it does.
		w.now = true
		w.stiProbeLen = min(3*w.period+256, cycleProbeLen)
	}
	if !w.probing {
		if w.off || c.steps < w.nextProbe && !w.now {
			w.now = false
			return
		}
		w.byTrigger = w.now
		w.now = false
		w.probeLen = cycleProbeLen
		if w.byTrigger {
			// The loop is known to be short: a few times round is
			// enough to anchor and check an iteration.
			w.probeLen = w.stiProbeLen
		}
		w.probing = true
		w.started = c.steps
		c.tlb.noInsert = true
		c.tlb.flush()
		c.anchorCycle()
	}
	c.probeCycle(end)
}

func (c *CPU) interruptible() bool { return c.intr && c.flags&FlagIF != 0 }

func (c *CPU) cycleStillHolds() bool {
	w := &c.cyc
	return c.effects == w.effects && c.eip == w.anchor && c.seg[CS].sel == w.anchorCS &&
		c.cycleMemoryHolds() && !c.interruptible()
}

func (c *CPU) cycleMemoryHolds() bool {
	w := &c.cyc
	for i := range w.nreads {
		r := &w.reads[i]
		if c.recordValue(r) != r.value {
			return false
		}
	}
	return true
}

func (c *CPU) recordValue(r *memRecord) uint32 {
	if r.apic {
		v, _ := c.bus.Load(r.idx, int(r.size))
		return uint32(v)
	}
	return readRAM(c.ram[r.idx:], int(r.size))
}

// probeCycle runs the CPU one instruction at a time until it finds a
// cycle, gives up, stops, or reaches step end.
func (c *CPU) probeCycle(end uint64) {
	w := &c.cyc
	unarmed := 0
	for c.steps < end && !c.halted && !c.spinning && !c.shut {
		if w.armed {
			unarmed = 0
		} else {
			unarmed++
		}
		if c.steps-w.started >= w.probeLen || c.cpl == 3 || unarmed > cycleArmWait {
			c.probeFailed(true)
			return
		}
		effects, logged := c.effects, w.logged
		c.step()
		if c.spinning || c.halted || c.shut {
			// A spin on a lock another CPU holds says nothing of the
			// loop: try again soon, without a longer backoff.
			c.probeFailed(false)
			return
		}
		if c.effects-effects != w.logged-logged {
			c.anchorCycle() // something the logs cannot account for
			continue
		}
		if !w.armed {
			c.anchorCycle()
		} else if c.eip == w.anchor && c.steps != w.anchorSteps && c.atAnchorAgain() {
			w.found = true
			w.period = c.steps - w.anchorSteps
			w.effects = c.effects
			if w.byTrigger {
				w.stiBackoff = 0
			} else {
				w.backoff = 0
			}
			c.endProbe()
			c.spinning = true
			return
		}
	}
}

// probeFailed ends a probe that found nothing and backs off whatever
// started it, further each time if longer.
func (c *CPU) probeFailed(longer bool) {
	w := &c.cyc
	c.endProbe()
	if w.byTrigger {
		if longer {
			w.stiBackoff = min(max(2*w.stiBackoff, stiMinBackoff), stiMaxBackoff)
		}
		w.stiNext = c.steps + max(w.stiBackoff, stiMinBackoff)
		return
	}
	if longer {
		w.backoff = min(max(2*w.backoff, cycleMinBackoff), cycleMaxBackoff)
	}
	w.nextProbe = c.steps + max(w.backoff, cycleMinBackoff)
}

// noteSTI is called after an sti at eip in ring 0 has set IF. It reports
// true when the state is the one the last sti at this EIP left, the sign
// of an idle loop: then a probe is due now.
func (c *CPU) noteSTI(eip uint32) bool {
	w := &c.cyc
	if w.off || w.probing || w.found || c.steps < w.stiNext {
		return false
	}
	seen := &w.sti[(eip^eip>>4)&3]
	snap := c.snapshot()
	if seen.eip == eip && seen.snap == snap && c.steps-seen.steps <= stiMaxSteps && c.effects-seen.effects <= stiMaxEffects {
		period, effPeriod := c.steps-seen.steps, c.effects-seen.effects
		if period == seen.period && effPeriod == seen.effPeriod {
			w.now = true
			w.stiProbeLen = 3*period + 256
			seen.period = 0
			return true
		}
		// An idle scan goes round the same way each time: wait for a
		// second period just as long, with as many effects, before
		// paying for a probe.
		seen.period, seen.effPeriod = period, effPeriod
		seen.steps, seen.effects = c.steps, c.effects
		return false
	}
	*seen = stiSeen{eip: eip, snap: snap, steps: c.steps, effects: c.effects}
	return false
}

// step executes one instruction (or delivers the fault it raises).
func (c *CPU) step() {
	if c.runSafe(c.steps + 1) {
		c.restoreAfterFault()
		c.steps++
		c.Stats.Exceptions[c.exc.vec&31]++
		c.deliverSafe(c.exc.vec, c.exc.err, c.exc.hasErr, false, c.eip)
	}
}

func (c *CPU) snapshot() spinState {
	s := spinState{flags: c.flags, lz: c.lz}
	copy(s.r[:], c.r[:8])
	return s
}

// anchorCycle starts an iteration here if the kernel could take an
// interrupt here; otherwise the probe goes on unarmed.
func (c *CPU) anchorCycle() {
	w := &c.cyc
	w.found = false
	w.armed = c.cpl == 0 && c.flags&FlagIF != 0 && c.protected()
	w.anchor = c.eip
	w.anchorCS = c.seg[CS].sel
	w.anchorSteps = c.steps
	w.snap = c.snapshot()
	w.effects = c.effects
	w.logged = 0
	w.spoiled = false
	w.nreads, w.nwrites = 0, 0
	w.gen++
}

func (c *CPU) atAnchorAgain() bool {
	w := &c.cyc
	if c.snapshot() != w.snap || c.seg[CS].sel != w.anchorCS {
		return false
	}
	if !w.spoiled && c.effects-w.effects == w.logged && c.cycleMemoryHolds() && !c.interruptible() {
		return true
	}
	c.anchorCycle()
	return false
}

// logRead records a RAM read during a probe, unless the iteration wrote
// that location first.
func (c *CPU) logRead(idx uint64, size int) {
	w := &c.cyc
	h1, h2 := words(idx, size)
	if w.writeSeen[h1] == w.gen || w.writeSeen[h2] == w.gen {
		if r, overlap := w.findWrite(idx, size); r != nil || overlap {
			if overlap {
				w.spoiled = true
			}
			return
		}
	}
	if w.readSeen[h1] == w.gen && w.readSeen[h2] == w.gen {
		if i := int(w.readSlot[h1]); i < w.nreads {
			if r := &w.reads[i]; r.idx == idx && int(r.size) == size && !r.apic {
				return // the usual case: the same location again
			}
		}
		for i := range w.nreads {
			if r := &w.reads[i]; r.idx == idx && int(r.size) == size && !r.apic {
				return // read before; nothing else has written it since
			}
		}
	}
	w.readSeen[h1], w.readSeen[h2] = w.gen, w.gen
	if w.nreads == cycleMaxReads {
		w.spoiled = true
		return
	}
	w.readSlot[h1] = uint16(w.nreads)
	w.reads[w.nreads] = memRecord{idx: idx, size: uint8(size), value: readRAM(c.ram[idx:], size)}
	w.nreads++
}

// logAPICRead records a read of a constant local-APIC register.
func (c *CPU) logAPICRead(pa uint64, size int, v uint32) {
	w := &c.cyc
	for i := range w.nreads {
		if r := &w.reads[i]; r.idx == pa && r.apic {
			return
		}
	}
	if w.nreads == cycleMaxReads {
		w.spoiled = true
		return
	}
	w.reads[w.nreads] = memRecord{idx: pa, size: uint8(size), apic: true, value: v}
	w.nreads++
}

// logWrite is called before a RAM write of v during a probe; it accounts
// for the write's effect.
func (c *CPU) logWrite(idx uint64, size int, v uint32) {
	w := &c.cyc
	w.logged++
	var r *memRecord
	var overlap bool
	h1, h2 := words(idx, size)
	if w.writeSeen[h1] == w.gen || w.writeSeen[h2] == w.gen {
		r, overlap = w.findWrite(idx, size)
	}
	w.writeSeen[h1], w.writeSeen[h2] = w.gen, w.gen
	if r == nil && !overlap && w.nwrites < cycleMaxWrites {
		w.writeSlot[h1] = uint16(w.nwrites) // the record made below
	}
	if overlap || r == nil && w.nwrites == cycleMaxWrites {
		w.spoiled = true
		return
	}
	if r == nil {
		old := readRAM(c.ram[idx:], size)
		r = &w.writes[w.nwrites]
		*r = memRecord{idx: idx, size: uint8(size), value: old}
		w.nwrites++
	}
	r.lastWrite = v & sizeMask[size&7]
}

func (w *cycleWatch) findWrite(idx uint64, size int) (*memRecord, bool) {
	if h1, _ := words(idx, size); w.writeSeen[h1] == w.gen && int(w.writeSlot[h1]) < w.nwrites {
		if r := &w.writes[w.writeSlot[h1]]; r.idx == idx && int(r.size) == size {
			return r, false // the usual case: the same location again
		}
	}
	for i := range w.nwrites {
		r := &w.writes[i]
		if r.idx == idx && int(r.size) == size {
			return r, false
		}
		if r.idx < idx+uint64(size) && idx < r.idx+uint64(r.size) {
			return nil, true
		}
	}
	return nil, false
}

// xlate is translate, through the probe's own translations while a probe
// runs.
func (c *CPU) xlate(lin uint32, write, user bool) uint64 {
	w := &c.cyc
	if !w.probing {
		return c.translate(lin, write, user)
	}
	vpn := lin >> 12
	e := &w.ptlb[b2u(write)][b2u(user)][vpn&63]
	if e.tag == c.tlb.tag|uint64(vpn) && e.gen == w.gen {
		return e.page | uint64(lin&pageMask)
	}
	pa := c.translate(lin, write, user)
	*e = probeXlate{tag: c.tlb.tag | uint64(vpn), gen: w.gen, page: pa &^ pageMask}
	return pa
}

// pureAPICRead reports whether a device read at pa is of the local APIC's
// ID or version register: constant, and without side effects.
func (c *CPU) pureAPICRead(pa uint64) bool {
	base := c.apicBase &^ (bus.PageSize - 1) & 0xFFFFFFFF
	return pa == base+0x20 || pa == base+0x30
}
