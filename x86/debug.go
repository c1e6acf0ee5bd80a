package x86

import "slices"

// This file owns what a debugger needs from a CPU beyond what the board
// uses: writable registers of every kind, a run that stops before an
// instruction at a breakpoint or after one that touched a watched address,
// a single step that takes no interrupt, and an address translation that
// changes nothing (no A/D bits, no TLB fill, no fault).
//
// None of it costs the normal run loop anything, and with a debugger the
// CPU still runs whole slices at nearly full speed. Breakpoints hook the
// instruction fetch's slow path: while any is set c.brk is not nil, and a
// page holding one is never kept as the fetch page, so every instruction
// fetched from it passes through fetchSlow, which stops the Run before an
// instruction at a breakpoint (breakPanic). Watchpoints hook the memory
// slow paths: while any is set c.dbg is not nil, watched pages never enter
// the TLBs and the string fast paths are off, so every access to them goes
// through readSlow or writeSlow, which report it here; a hit makes the
// next instruction fetch stop the Run the same way, after the access.

// Watch is a data watchpoint on linear addresses [Addr, Addr+Len).
type Watch struct {
	Addr, Len   uint32
	Read, Write bool // the accesses that trigger it
}

// debugHooks is the state the memory slow paths report to.
type debugHooks struct {
	c       *CPU
	watches []Watch
	hit     bool
	hitAt   int    // index in watches
	hitAddr uint32 // the first watched byte the access touched
	hitW    bool   // the access was a write
}

// note is called by the slow paths for every data access while a
// debugger watches memory. The first access that hits a watchpoint is the
// one reported; the instruction making it completes, and the next fetch
// stops the Run.
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
		if b := d.c.brk; b != nil {
			b.stopNext = true
			d.c.icache.forgetFetchPage()
		}
		return
	}
}

// watched reports whether linear page of lin holds a watched byte; such
// pages stay out of the TLBs.
func (d *debugHooks) watched(lin uint32) bool {
	p := uint64(lin >> 12)
	for _, w := range d.watches {
		if p >= uint64(w.Addr>>12) && p <= (uint64(w.Addr)+uint64(w.Len)-1)>>12 {
			return true
		}
	}
	return false
}

// breakHooks holds the breakpoints, as linear addresses, and is also how
// a watchpoint hit stops the Run (stopNext). It exists while either is set.
type breakHooks struct {
	at       []uint32
	stop     DebugStop // why the last Run stopped, DebugNone if not for us
	stopNext bool      // a watchpoint hit: stop before the next instruction
}

// breakSignal is the panic value that unwinds the interpreter to runSafe
// before an instruction at a breakpoint, with nothing of it executed.
type breakSignal struct{}

var breakPanic = &breakSignal{}

// check is fetchSlow's hook: lin is the next instruction.
func (b *breakHooks) check(c *CPU, lin uint32) {
	if b.stopNext {
		b.stopNext = false
		b.stop = DebugWatch
		panic(breakPanic)
	}
	for _, a := range b.at {
		if a>>12 != lin>>12 {
			continue
		}
		// Come back here for the next instruction on this page too.
		c.icache.forgetFetchPage()
		if slices.Contains(b.at, lin) {
			b.stop = DebugBreak
			panic(breakPanic)
		}
		return
	}
}

// SetBreaks replaces the CPU's breakpoints (linear addresses).
func (c *CPU) SetBreaks(at []uint32) {
	c.setDebug(slices.Clone(at), c.watches())
}

// SetWatches replaces the CPU's watchpoints; with none, memory accesses
// go back to their fast paths.
func (c *CPU) SetWatches(ws []Watch) {
	var at []uint32
	if c.brk != nil {
		at = c.brk.at
	}
	c.setDebug(at, slices.Clone(ws))
}

func (c *CPU) watches() []Watch {
	if c.dbg == nil {
		return nil
	}
	return c.dbg.watches
}

func (c *CPU) setDebug(at []uint32, ws []Watch) {
	c.brk, c.dbg = nil, nil
	if len(at)+len(ws) > 0 {
		c.brk = &breakHooks{at: at}
	}
	if len(ws) > 0 {
		c.dbg = &debugHooks{c: c, watches: ws}
	}
	// Cached translations would let accesses bypass the slow paths.
	c.flushTLB()
	c.debugChanged()
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
// instruction stops there. Spin and cycle detection work as in Run.
func (c *CPU) DebugRun(budget uint64) (uint64, DebugStop) {
	b := c.brk
	if b == nil {
		return c.Run(budget), DebugNone
	}
	b.stop, b.stopNext = DebugNone, false
	if c.dbg != nil {
		c.dbg.hit = false
	}
	c.icache.forgetFetchPage() // the first fetch is checked too
	n := c.Run(budget)
	if b.stopNext {
		// The hit was in the budget's last instruction: no fetch followed.
		b.stopNext, b.stop = false, DebugWatch
	}
	if b.stop == DebugNone {
		return n, DebugNone
	}
	c.spinning = false // how the hook stopped Run, not a spin
	return n, b.stop
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
// delivering the exception it raises, with interrupts held off and no
// breakpoint checked: a step over one must execute it.
func (c *CPU) stepOne() {
	brk := c.brk
	c.brk = nil
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
