package x86

import "slices"

// This file owns what a debugger needs from a CPU beyond what the board
// uses: writable registers of every kind, a run that stops before an
// instruction at a breakpoint or after one that touched a watched address,
// a single step that takes no interrupt, and an address translation that
// changes nothing (no A/D bits, no TLB fill, no fault).
//
// None of it costs the normal run loop anything. Breakpoints hook the
// instruction fetch's slow path: while any is set c.brk is not nil, and a
// page holding one is never kept as the fetch page, so every instruction
// fetched from it passes through fetchSlow, which stops the Run before an
// instruction at a breakpoint (breakPanic). Code elsewhere runs at full
// speed. Watchpoints hook the memory slow paths: while any is set c.dbg
// is not nil, the TLBs stay empty and the string fast paths are off, so
// every data access goes through readSlow or writeSlow, which report it
// here; DebugRun then runs one instruction at a time.

// Watch is a data watchpoint on linear addresses [Addr, Addr+Len).
type Watch struct {
	Addr, Len   uint32
	Read, Write bool // the accesses that trigger it
}

// debugHooks is the state the memory slow paths report to.
type debugHooks struct {
	watches []Watch
	hit     bool
	hitAt   int    // index in watches
	hitAddr uint32 // the first watched byte the access touched
	hitW    bool   // the access was a write
}

// note is called by the slow paths for every data access while a
// debugger watches memory. The first access that hits a watchpoint in an
// instruction is the one reported.
func (d *debugHooks) note(lin uint32, size int, write bool) {
	if d.hit {
		return
	}
	lo, hi := uint64(lin), uint64(lin)+uint64(size)
	for i, w := range d.watches {
		if lo >= uint64(w.Addr)+uint64(w.Len) || uint64(w.Addr) >= hi || write && !w.Write || !write && !w.Read {
			continue
		}
		d.hit, d.hitAt, d.hitAddr, d.hitW = true, i, max(lin, w.Addr), write
		return
	}
}

// breakHooks holds the breakpoints, as linear addresses.
type breakHooks struct {
	at  []uint32
	hit bool
}

// breakSignal is the panic value that unwinds the interpreter to runSafe
// before an instruction at a breakpoint, with nothing of it executed.
type breakSignal struct{}

var breakPanic = &breakSignal{}

// check is fetchSlow's hook: lin is the next instruction.
func (b *breakHooks) check(c *CPU, lin uint32) {
	for _, a := range b.at {
		if a>>12 != lin>>12 {
			continue
		}
		// Come back here for the next instruction on this page too.
		c.icache.forgetFetchPage()
		if slices.Contains(b.at, lin) {
			b.hit = true
			panic(breakPanic)
		}
		return
	}
}

// SetBreaks replaces the CPU's breakpoints (linear addresses).
func (c *CPU) SetBreaks(at []uint32) {
	if len(at) == 0 {
		c.brk = nil
	} else {
		c.brk = &breakHooks{at: slices.Clone(at)}
	}
	c.debugChanged()
}

// SetWatches replaces the CPU's watchpoints; with none, memory accesses
// go back to their fast paths.
func (c *CPU) SetWatches(ws []Watch) {
	if len(ws) == 0 {
		c.dbg = nil
	} else {
		c.dbg = &debugHooks{watches: slices.Clone(ws)}
	}
	// Cached translations would let accesses bypass the slow paths.
	c.flushTLB()
	c.forgetCycle()
}

// WatchHit reports the watchpoint (index into the slice given to
// SetWatches) that the last instruction DebugRun or Step executed
// triggered, the watched address it touched, and whether it wrote.
func (c *CPU) WatchHit() (index int, addr uint32, write, ok bool) {
	if c.dbg == nil || !c.dbg.hit {
		return 0, 0, false, false
	}
	d := c.dbg
	return d.hitAt, d.hitAddr, d.hitW, true
}

// DebugStop says why DebugRun returned.
type DebugStop int

const (
	DebugNone  DebugStop = iota // as Run: budget spent, or the CPU halts, waits, spins or shut down
	DebugBreak                  // EIP is at a breakpoint; the instruction there has not run
	DebugWatch                  // the last instruction touched a watched address (see WatchHit)
)

// DebugRun is Run for a debugger: it executes up to budget instructions,
// returning before one at a breakpoint (SetBreaks) and after one that
// triggers a watchpoint (x86 data breakpoints are traps: the access has
// happened, as gdb expects on this architecture). An interrupt is taken
// before the breakpoint check, so a breakpoint on a handler's first
// instruction stops there. With breakpoints only, it is Run with the fetch
// hook; with watchpoints it goes one instruction at a time, where spin
// detection still works but the slower cycle probes do not run.
func (c *CPU) DebugRun(budget uint64) (uint64, DebugStop) {
	if c.dbg == nil {
		c.icache.forgetFetchPage() // the first fetch is checked too
		n := c.Run(budget)
		if c.brk != nil && c.brk.hit {
			c.brk.hit = false
			c.spinning = false
			return n, DebugBreak
		}
		return n, DebugNone
	}
	var breaks []uint32
	if c.brk != nil {
		breaks = c.brk.at
	}
	start := c.steps
	c.restartSpinWatch()
	c.forgetCycle()
	if c.dbg != nil {
		c.dbg.hit = false
	}
	defer func() { c.Stats.Instructions = c.steps }()
	for c.steps-start < budget && !c.shut && !c.waitSIPI && !c.spinning {
		if c.halted {
			if !c.interruptible() {
				break
			}
			c.halted = false
		}
		if c.interruptible() && c.steps != c.noIntAt {
			c.takeInterrupt()
			if c.shut {
				break
			}
		}
		if slices.Contains(breaks, c.seg[CS].base+c.eip) {
			return c.steps - start, DebugBreak
		}
		c.stepOne()
		if c.dbg != nil && c.dbg.hit {
			return c.steps - start, DebugWatch
		}
	}
	return c.steps - start, DebugNone
}

// Step executes exactly the instruction at EIP, taking no interrupt first
// (as QEMU single-steps for a debugger), and returns how many steps it
// took: 0 when the CPU halts, waits for a STARTUP IPI or has shut down.
func (c *CPU) Step() uint64 {
	c.restartSpinWatch()
	c.forgetCycle()
	if c.shut || c.waitSIPI || c.halted {
		return 0
	}
	if c.dbg != nil {
		c.dbg.hit = false
	}
	start := c.steps
	c.stepOne()
	if c.spinning {
		// The step stopped at a loop's back edge without taking it; a
		// debugger wants the jump taken, so take it with spin detection
		// reset (a fresh watch never reports a spin on its first visit).
		c.restartSpinWatch()
		c.stepOne()
		c.restartSpinWatch()
	}
	c.Stats.Instructions = c.steps
	return c.steps - start
}

// stepOne executes one instruction (or one chunk of a rep instruction),
// delivering the exception it raises, with interrupts held off: the
// caller has taken any it wanted first.
func (c *CPU) stepOne() {
	brk := c.brk
	c.brk = nil // the callers check breakpoints themselves
	defer func() { c.brk = brk }()
	c.noIntAt = c.steps
	if c.runSafe(c.steps + 1) {
		c.restoreAfterFault()
		c.steps++
		c.Stats.Exceptions[c.exc.vec&31]++
		c.deliverSafe(c.exc.vec, c.exc.err, c.exc.hasErr, false, c.eip)
	}
}

// DebugTranslate maps linear address lin to a physical address in the
// CPU's current translation, ignoring U/S and R/W protection, without
// setting A or D bits or touching the TLBs. ok is false when lin is not
// mapped. With paging off, linear is physical.
func (c *CPU) DebugTranslate(lin uint32) (pa uint64, ok bool) {
	if c.cr0&cr0PG == 0 {
		return uint64(lin), true
	}
	pde, ok := c.debugPhys32(uint64(c.cr3&^pageMask) + uint64(lin>>22)*4)
	if !ok || pde&pteP == 0 {
		return 0, false
	}
	if pde&ptePS != 0 && c.cr4&cr4PSE != 0 {
		return uint64(pde&0xFFC00000) | uint64(lin&0x3FFFFF), true
	}
	pte, ok := c.debugPhys32(uint64(pde&^pageMask) + uint64(lin>>12&0x3FF)*4)
	if !ok || pte&pteP == 0 {
		return 0, false
	}
	return uint64(pte&^pageMask) | uint64(lin&pageMask), true
}

// debugPhys32 reads a page-table entry from RAM only: reading a device
// could change it.
func (c *CPU) debugPhys32(pa uint64) (uint32, bool) {
	idx, ok := c.ramIdx(pa, 4)
	if !ok {
		return 0, false
	}
	return readRAM(c.ram[idx:], 4), true
}

// SetEFLAGS sets the flags register as a debugger's "set $eflags" does:
// the bits software may change, with bit 1 always set.
func (c *CPU) SetEFLAGS(v uint32) {
	c.settle()
	c.flags = v&(writableFlags|FlagRF) | 2
	c.debugChanged()
}

// SetSeg loads segment register i with selector sel as a mov to it would
// (in protected mode through the GDT), reporting false when the load
// would fault; nothing changes then.
func (c *CPU) SetSeg(i int, sel uint16) (ok bool) {
	if i < ES || i > GS {
		return false
	}
	saved := *c
	defer func() {
		if r := recover(); r != nil {
			if r != faultPanic {
				panic(r)
			}
			*c = saved
			ok = false
		}
	}()
	if i == CS {
		if !c.protected() {
			c.seg[CS] = realSeg(sel)
			c.seg[CS].typ = 0x1B
		} else {
			_, lo, hi := c.readDesc(sel, excGP)
			cs := descSeg(sel, lo, hi)
			if cs.typ&0x18 != 0x18 {
				c.raise(excGP, uint32(sel&^3), true)
			}
			cs.sel = sel&^3 | uint16(c.cpl)
			c.setCS(cs)
		}
	} else {
		c.loadSeg(i, sel)
	}
	c.modeChanged()
	c.debugChanged()
	return true
}

// SetCR writes control register n (0, 2, 3 or 4) as mov to CRn does at
// CPL 0, reporting false for another n.
func (c *CPU) SetCR(n int, v uint32) bool {
	switch n {
	case 0:
		c.cr0 = v | cr0ET
		c.modeChanged()
	case 2:
		c.cr2 = v
	case 3:
		c.cr3 = v
	case 4:
		c.cr4 = v
	default:
		return false
	}
	c.flushTLB()
	c.debugChanged()
	return true
}

// debugChanged drops what the CPU derived from its state: a debugger may
// have changed anything.
func (c *CPU) debugChanged() {
	c.restartSpinWatch()
	c.forgetCycle()
	c.icache.forgetFetchPage()
}
