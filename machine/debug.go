package machine

import (
	"fmt"
	"slices"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/rv64"
)

// This file owns the debugger's view of a virt machine: a gdbstub.Target
// that stops, steps and resumes harts (all-stop), reads and writes
// registers and memory through a hart's MMU, and checks breakpoints and
// watchpoints.
//
// The run loop pays for none of it while no breakpoint or watchpoint is
// set: m.debug is nil and harts run whole slices. With one set, runHart
// hands its slices to debugRun, which runs the hart one instruction at a
// time and checks each pc (and, with watchpoints, each data access) first.
// Breakpoints are the emulator's own, as on QEMU: guest memory is never
// patched with ebreak.

// debugState is what debugRun checks. Lists are short (a few entries), so
// a scan beats a map.
type debugState struct {
	breaks   []uint64
	pcBreaks []uint32 // breaks as the pc board's CPUs take them (pcdebug.go)
	watches  []watchpoint
	hit      bool          // a hart stopped; the round ends
	event    gdbstub.Event // what it hit

	frozen []bool // hart i does not run (gdb resumed only some threads)
	fast   []bool // hart i runs in fast mode (see debugRun)
	stop   []int  // why hart i's fast-mode Run stopped
}

type watchpoint struct {
	addr, length uint64
	kind         int // gdbstub.WatchWrite, WatchRead or WatchAccess
}

func (m *Machine) debugHit() bool { return m.debug != nil && m.debug.hit }

// debugRun runs hart i for up to budget instructions, stopping before an
// instruction at a breakpoint and after one that touches a watched
// address. Like Hart.Run it returns the instructions executed and returns
// early when the hart waits or spins.
//
// With breakpoints only, the hart runs a whole Run with its Trace hook
// looking at each next pc (fast mode), except where an exception could
// land on a breakpoint without a retired instruction to report first (a
// breakpoint on stvec or mtvec): that, and watchpoints, take precise mode,
// one instruction at a time with the checks in between.
func (m *Machine) debugRun(i int, budget uint64) uint64 {
	if m.pc != nil {
		return m.pcDebugRun(i, budget)
	}
	d := m.debug
	h := m.harts[i]
	if d.frozen[i] {
		// Report the slice as done without running it: runHart would
		// retry a hart that neither ran nor waits. The hart's clock stays
		// put; only the retired count needs putting right.
		m.retired -= budget
		return budget
	}
	if !h.Wake() {
		return 0
	}
	h.TakeInterrupt()
	if d.breakAt(h.PC()) {
		d.stopAt(gdbstub.Event{Kind: gdbstub.StopBreak, Thread: i})
		return 0
	}
	var n, k uint64
	if len(d.watches) == 0 && !d.vectorBreak(h) {
		d.fast[i], d.stop[i] = true, stopNone
		n = h.Run(budget)
		d.fast[i] = false
		switch d.stop[i] {
		case stopNone:
			return n // as Run: budget spent, waiting or spinning
		case stopBreak:
			h.ClearStop()
			d.stopAt(gdbstub.Event{Kind: gdbstub.StopBreak, Thread: i})
			return n
		}
		h.ClearStop() // a breakpoint on a trap vector: go on precisely
		k = 1
	}
	for ; n < budget && k < budget; k++ {
		if !h.Wake() {
			return n
		}
		h.TakeInterrupt()
		pc := h.PC()
		if k > 0 && d.breakAt(pc) {
			d.stopAt(gdbstub.Event{Kind: gdbstub.StopBreak, Thread: i})
			return n
		}
		if len(d.watches) > 0 {
			// Like QEMU, stop before the access: gdb then steps over it
			// with the watchpoint removed and compares the values.
			if va, size, kind, ok := h.NextAccess(); ok {
				if ev, hit := d.watchHit(i, va, size, kind); hit {
					d.stopAt(ev)
					return n
				}
			}
		}
		r := h.RunOne(k == 0)
		n += r
		if r == 0 && (h.Waiting() || h.Spinning()) {
			return n
		}
	}
	return n
}

// Why a fast-mode Run stopped.
const (
	stopNone    = iota
	stopBreak   // the next pc has a breakpoint
	stopPrecise // the hart's trap vector has one: continue precisely
)

func (d *debugState) breakAt(pc uint64) bool {
	for _, b := range d.breaks {
		if b == pc {
			return true
		}
	}
	return false
}

// vectorBreak reports whether an exception would land h on a breakpoint.
func (d *debugState) vectorBreak(h *rv64.Hart) bool {
	s, m := h.TrapVectors()
	return d.breakAt(s&^3) || d.breakAt(m&^3)
}

func (d *debugState) stopAt(ev gdbstub.Event) {
	d.hit = true
	d.event = ev
}

// traced is hart i's Trace hook while a debugger has set anything: in
// fast mode it stops the Run before an instruction at a breakpoint.
func (d *debugState) traced(i int, h *rv64.Hart) {
	if !d.fast[i] {
		return
	}
	switch {
	case d.breakAt(h.PC()):
		d.stop[i] = stopBreak
		h.StopRun()
	case d.vectorBreak(h):
		d.stop[i] = stopPrecise
		h.StopRun()
	}
}

// watchHit reports the first watchpoint that an access of kind to
// [va, va+size) triggers.
func (d *debugState) watchHit(hart int, va, size uint64, kind int) (gdbstub.Event, bool) {
	for _, w := range d.watches {
		if va >= w.addr+w.length || w.addr >= va+size {
			continue
		}
		switch {
		case w.kind == gdbstub.WatchWrite && kind&rv64.AccessWrite == 0,
			w.kind == gdbstub.WatchRead && kind&rv64.AccessRead == 0:
			continue
		}
		return gdbstub.Event{Kind: gdbstub.StopWatch, Thread: hart, Addr: max(va, w.addr), Watch: w.kind}, true
	}
	return gdbstub.Event{}, false
}

// Debugger is the machine as a gdbstub.Target. It is not safe for
// concurrent use: the goroutine that serves the debugger runs the machine.
type Debugger struct {
	m      *Machine
	state  debugState
	ended  bool
	end    Stop // how Run stopped when the machine ended
	traced bool // the harts' Trace hooks are ours
}

// Debugger returns the machine's debugger interface.
func (m *Machine) Debugger() *Debugger {
	n := len(m.harts)
	return &Debugger{m: m, state: debugState{
		frozen: make([]bool, n), fast: make([]bool, n), stop: make([]int, n),
	}}
}

// End reports how the machine ended, once Continue has reported
// StopExited.
func (d *Debugger) End() (Stop, bool) { return d.end, d.ended }

// Arch describes the registers: RV64 with F and D and a set of CSRs.
func (d *Debugger) Arch() *gdbstub.Arch { return gdbstub.RV64 }

// Threads is the number of harts.
func (d *Debugger) Threads() int { return len(d.m.harts) }

// ReadReg reads register reg (numbered as in gdbstub.RV64) of hart t.
func (d *Debugger) ReadReg(t, reg int) (uint64, bool) {
	h := d.m.harts[t]
	switch {
	case reg < rv64PC:
		return h.Reg(reg), true
	case reg == rv64PC:
		return h.PC(), true
	case reg < gdbstub.RV64FirstCS:
		return h.FReg(reg - gdbstub.RV64FirstFP), true
	case reg < gdbstub.RV64Priv:
		return h.DebugReadCSR(uint64(gdbstub.RV64CSRs[reg-gdbstub.RV64FirstCS]))
	case reg == gdbstub.RV64Priv:
		return uint64(h.Priv()), true
	}
	return 0, false
}

const rv64PC = gdbstub.RV64PC

// WriteReg writes register reg of hart t.
func (d *Debugger) WriteReg(t, reg int, v uint64) bool {
	h := d.m.harts[t]
	switch {
	case reg < rv64PC:
		h.SetReg(reg, v)
	case reg == rv64PC:
		h.SetPC(v)
	case reg < gdbstub.RV64FirstCS:
		h.SetFReg(reg-gdbstub.RV64FirstFP, v)
	case reg < gdbstub.RV64Priv:
		return h.DebugWriteCSR(uint64(gdbstub.RV64CSRs[reg-gdbstub.RV64FirstCS]), v)
	case reg == gdbstub.RV64Priv:
		h.SetPriv(int(v))
	default:
		return false
	}
	return true
}

// ReadMem reads guest memory at virtual address addr as hart t sees it
// (physical in M-mode or with satp Bare). Only RAM is readable: reading a
// device register could change the device.
func (d *Debugger) ReadMem(t int, addr uint64, p []byte) error {
	return d.eachPage(t, addr, len(p), func(pa uint64, off, n int) error {
		return d.m.bus.ReadRAM(pa, p[off:off+n])
	})
}

// WriteMem writes guest memory at virtual address addr as hart t sees it,
// dropping any decoded instructions there.
func (d *Debugger) WriteMem(t int, addr uint64, p []byte) error {
	return d.eachPage(t, addr, len(p), func(pa uint64, off, n int) error {
		return d.m.bus.WriteRAM(pa, p[off:off+n])
	})
}

// eachPage translates [addr, addr+n) a page at a time.
func (d *Debugger) eachPage(t int, addr uint64, n int, f func(pa uint64, off, n int) error) error {
	h := d.m.harts[t]
	for off := 0; off < n; {
		va := addr + uint64(off)
		chunk := min(n-off, int(bus.PageSize-va%bus.PageSize))
		pa, ok := h.DebugTranslate(va)
		if !ok {
			return fmt.Errorf("machine: %#x is not mapped", va)
		}
		if err := f(pa, off, chunk); err != nil {
			return err
		}
		off += chunk
	}
	return nil
}

// AddBreak sets a breakpoint (software and hardware ones are the same
// here) or a watchpoint.
func (d *Debugger) AddBreak(kind int, addr, length uint64) error {
	switch kind {
	case gdbstub.BreakSoftware, gdbstub.BreakHardware:
		d.state.breaks = append(d.state.breaks, addr)
	case gdbstub.WatchWrite, gdbstub.WatchRead, gdbstub.WatchAccess:
		if length == 0 {
			return fmt.Errorf("machine: empty watchpoint")
		}
		d.state.watches = append(d.state.watches, watchpoint{addr, length, kind})
	default:
		return gdbstub.ErrUnsupported
	}
	d.update()
	return nil
}

// RemoveBreak removes one breakpoint or watchpoint set by AddBreak.
func (d *Debugger) RemoveBreak(kind int, addr, length uint64) error {
	s := &d.state
	switch kind {
	case gdbstub.BreakSoftware, gdbstub.BreakHardware:
		for i, b := range s.breaks {
			if b == addr {
				s.breaks = append(s.breaks[:i], s.breaks[i+1:]...)
				d.update()
				return nil
			}
		}
	case gdbstub.WatchWrite, gdbstub.WatchRead, gdbstub.WatchAccess:
		for i, w := range s.watches {
			if w == (watchpoint{addr, length, kind}) {
				s.watches = append(s.watches[:i], s.watches[i+1:]...)
				d.update()
				return nil
			}
		}
	default:
		return gdbstub.ErrUnsupported
	}
	return fmt.Errorf("machine: no such breakpoint")
}

// RemoveAllBreaks clears every breakpoint and watchpoint.
func (d *Debugger) RemoveAllBreaks() {
	d.state.breaks = d.state.breaks[:0]
	d.state.watches = d.state.watches[:0]
	d.update()
}

// update switches the run loop between its normal path and debugRun, and
// installs the per-hart Trace hooks debugRun relies on.
func (d *Debugger) update() {
	s := &d.state
	if len(s.breaks)+len(s.watches) == 0 && !slices.Contains(s.frozen, true) {
		d.m.debug = nil
	} else {
		d.m.debug = s
	}
	if want := d.m.debug != nil; want != d.traced {
		d.traced = want
		for i, h := range d.m.harts {
			h.Trace = nil
			if want {
				h.Trace = func(uint64, uint32, int, uint64) { s.traced(i, h) }
			}
		}
	}
}

// Step executes one instruction of hart t; the others do not run and no
// interrupt is taken first (QEMU's single-step default). An instruction
// that would touch a watched address is not executed: the watchpoint is
// reported instead, as Continue does.
func (d *Debugger) Step(t int) gdbstub.Event {
	if d.ended {
		return d.exited()
	}
	m := d.m
	h := m.harts[t]
	if va, size, kind, ok := h.NextAccess(); ok && len(d.state.watches) > 0 {
		if ev, hit := d.state.watchHit(t, va, size, kind); hit {
			return ev
		}
	}
	m.cur = t
	m.retired += h.Step()
	return gdbstub.Event{Kind: gdbstub.StopStep, Thread: t}
}

// Continue runs the harts run selects (all when nil) until a breakpoint or
// watchpoint hits, the machine ends (StopExited; End says how), or pause
// reports true.
func (d *Debugger) Continue(run []bool, pause func() bool) gdbstub.Event {
	if d.ended {
		return d.exited()
	}
	s := &d.state
	for i := range s.frozen {
		s.frozen[i] = run != nil && !run[i]
	}
	d.update()
	defer func() {
		clear(s.frozen)
		d.update()
	}()
	s.hit = false
	stop := d.m.Run(func() bool { return s.hit || pause() })
	if stop.Reason != StopCondition {
		d.ended, d.end = true, stop
		return d.exited()
	}
	if s.hit {
		s.hit = false
		return s.event
	}
	return gdbstub.Event{Kind: gdbstub.StopInterrupt, Thread: d.m.cur}
}

func (d *Debugger) exited() gdbstub.Event {
	code := 0
	if d.end.Reason == StopPowerFail {
		code = d.end.Code
	}
	return gdbstub.Event{Kind: gdbstub.StopExited, Code: code}
}

// Kill ends the machine: it will not run again.
func (d *Debugger) Kill() {
	d.ended = true
	d.end = Stop{Reason: StopInterrupted, Detail: "killed by the debugger"}
}
