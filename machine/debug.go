package machine

import (
	"slices"

	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/rv64"
)

// This file owns the debugger's view of a virt machine: with debugger.go's
// board-independent half, a gdbstub.Target that stops, steps and resumes
// harts (all-stop), reads and writes registers and memory through a hart's
// MMU, and checks breakpoints and watchpoints.
//
// The run loop pays for none of it while no breakpoint or watchpoint is
// set: m.debug is nil and harts run whole slices. With one set, runHart
// hands its slices to debugRun, which runs the hart one instruction at a
// time and checks each pc (and, with watchpoints, each data access) first.
// Breakpoints are the emulator's own, as on QEMU: guest memory is never
// patched with ebreak.

// debugRun runs hart i for up to budget instructions, stopping before an
// instruction at a breakpoint and before one that would touch a watched
// address. Like Hart.Run it returns the instructions executed and returns
// early when the hart waits or spins.
//
// With breakpoints only, the hart runs at full speed with guards on the
// breakpoints' pages (rv64 SetGuards) until it is about to fetch from one;
// from there the rest of the slice runs with its Trace hook looking at
// each next pc (fast mode). Where an exception could land on a breakpoint
// without a retired instruction to report first (a breakpoint on stvec or
// mtvec), and with watchpoints, it takes precise mode, one instruction at
// a time with the checks in between.
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
		// Full speed until the hart is about to fetch from a page with a
		// breakpoint; from there on Trace checks each pc.
		var guarded bool
		n, guarded = d.runGuarded(h, budget)
		if !guarded {
			return n // budget spent, waiting or spinning
		}
		if d.breakAt(h.PC()) {
			d.stopAt(gdbstub.Event{Kind: gdbstub.StopBreak, Thread: i})
			return n
		}
		d.fast[i], d.stop[i] = true, stopNone
		n += h.Run(budget - n)
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

// runGuarded runs h at full speed, without its Trace hook, until the
// budget is spent, it waits or spins, or it is about to fetch from a page
// that holds a breakpoint (then it also reports true).
func (d *debugState) runGuarded(h *rv64.Hart, budget uint64) (uint64, bool) {
	trace := h.Trace
	h.Trace = nil
	h.SetGuards(d.pages)
	n := h.Run(budget)
	guarded := h.Guarded()
	h.SetGuards(nil)
	h.Trace = trace
	return n, guarded
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

// Debugger is a virt machine as a gdbstub.Target: debugger's shared half
// (breakpoints, Continue, memory, Kill, End) plus the harts' registers,
// translation through a hart's MMU and stepping. It is not safe for
// concurrent use: the goroutine that serves the debugger runs the machine.
type Debugger struct {
	debugger
	traced bool // the harts' Trace hooks are ours
}

// Debugger returns the machine's debugger interface.
func (m *Machine) Debugger() *Debugger {
	d := &Debugger{}
	d.debugger = debugger{m: m, board: d, state: newDebugState(len(m.harts))}
	return d
}

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

// translate maps va as hart t sees it: physical in M-mode or with satp
// Bare, through the page tables otherwise.
func (d *Debugger) translate(t int, va uint64) (uint64, bool) {
	return d.m.harts[t].DebugTranslate(va)
}

// sync installs the per-hart Trace hooks debugRun relies on while the run
// loop takes the debug path, and removes them after.
func (d *Debugger) sync() {
	s := &d.state
	s.pages = s.pages[:0]
	for _, b := range s.breaks {
		if !slices.Contains(s.pages, b>>12) {
			s.pages = append(s.pages, b>>12)
		}
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

// step executes one instruction of hart t. One that would touch a
// watched address is not executed: the watchpoint is reported instead,
// as Continue does.
func (d *Debugger) step(t int) gdbstub.Event {
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
