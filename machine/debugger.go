package machine

import (
	"fmt"
	"slices"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/gdbstub"
)

// This file owns the half of a gdbstub.Target that is the same on both
// boards: the breakpoint and watchpoint lists, switching the run loop to
// its debug path, Continue with some threads frozen, memory a page at a
// time, and how the machine ended. Debugger (debug.go) and PCDebugger
// (pcdebug.go) embed it and add their registers, address translation
// and stepping.

// debugState is what the run loop's debug path checks (debugRun and
// pcDebugRun). Lists are short (a few entries), so a scan beats a map.
type debugState struct {
	breaks  []uint64
	pages   []uint64 // breaks' virtual page numbers, for rv64 guards (kept by sync)
	watches []watchpoint
	hit     bool          // a CPU stopped; the round ends
	event   gdbstub.Event // what it hit

	frozen []bool // CPU i does not run (gdb resumed only some threads)
	fast   []bool // virt: hart i runs in fast mode (see debugRun)
	stop   []int  // virt: why hart i's fast-mode Run stopped
}

func newDebugState(n int) debugState {
	return debugState{frozen: make([]bool, n), fast: make([]bool, n), stop: make([]int, n)}
}

type watchpoint struct {
	addr, length uint64
	kind         int // gdbstub.WatchWrite, WatchRead or WatchAccess
}

func (m *Machine) debugHit() bool { return m.debug != nil && m.debug.hit }

func (d *debugState) stopAt(ev gdbstub.Event) {
	d.hit = true
	d.event = ev
}

// debugBoard is what a board's debugger adds to debugger.
type debugBoard interface {
	// translate maps address va as CPU t sees it to a physical address.
	translate(t int, va uint64) (pa uint64, ok bool)
	// sync gives the CPUs what they need of the breakpoints, watchpoints
	// and frozen CPUs after a change (m.debug is already set or cleared).
	sync()
	// step executes one instruction of CPU t.
	step(t int) gdbstub.Event
}

// debugger is the board-independent half of Debugger and PCDebugger. Like
// them it is not safe for concurrent use: the goroutine that serves the
// debugger runs the machine.
type debugger struct {
	m     *Machine
	board debugBoard
	space uint64 // size of the board's address space; 0 for all 64 bits
	state debugState
	ended bool
	end   Stop // how Run stopped when the machine ended
}

// End reports how the machine ended, once Continue has reported
// StopExited.
func (d *debugger) End() (Stop, bool) { return d.end, d.ended }

// inSpace checks that [addr, addr+n) lies in the board's address space.
func (d *debugger) inSpace(addr, n uint64) error {
	if d.space != 0 && (addr >= d.space || n > d.space-addr) {
		return fmt.Errorf("machine: %#x is beyond %d GiB", addr, d.space>>30)
	}
	return nil
}

// ReadMem reads guest memory at virtual address addr as thread t sees it
// (through its page tables when paging is on). Only RAM is readable:
// reading a device register could change the device.
func (d *debugger) ReadMem(t int, addr uint64, p []byte) error {
	return d.eachPage(t, addr, len(p), func(pa uint64, off, n int) error {
		return d.m.bus.ReadRAM(pa, p[off:off+n])
	})
}

// WriteMem writes guest memory at virtual address addr as thread t sees
// it, dropping any decoded instructions there.
func (d *debugger) WriteMem(t int, addr uint64, p []byte) error {
	return d.eachPage(t, addr, len(p), func(pa uint64, off, n int) error {
		return d.m.bus.WriteRAM(pa, p[off:off+n])
	})
}

// eachPage translates [addr, addr+n) a page at a time.
func (d *debugger) eachPage(t int, addr uint64, n int, f func(pa uint64, off, n int) error) error {
	if err := d.inSpace(addr, uint64(n)); err != nil {
		return err
	}
	for off := 0; off < n; {
		va := addr + uint64(off)
		chunk := min(n-off, int(bus.PageSize-va%bus.PageSize))
		pa, ok := d.board.translate(t, va)
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
// here: guest memory is never patched) or a watchpoint.
func (d *debugger) AddBreak(kind int, addr, length uint64) error {
	if err := d.inSpace(addr, length); err != nil {
		return err
	}
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
func (d *debugger) RemoveBreak(kind int, addr, length uint64) error {
	s := &d.state
	switch kind {
	case gdbstub.BreakSoftware, gdbstub.BreakHardware:
		if i := slices.Index(s.breaks, addr); i >= 0 {
			s.breaks = slices.Delete(s.breaks, i, i+1)
			d.update()
			return nil
		}
	case gdbstub.WatchWrite, gdbstub.WatchRead, gdbstub.WatchAccess:
		if i := slices.Index(s.watches, watchpoint{addr, length, kind}); i >= 0 {
			s.watches = slices.Delete(s.watches, i, i+1)
			d.update()
			return nil
		}
	default:
		return gdbstub.ErrUnsupported
	}
	return fmt.Errorf("machine: no such breakpoint")
}

// RemoveAllBreaks clears every breakpoint and watchpoint.
func (d *debugger) RemoveAllBreaks() {
	d.state.breaks = d.state.breaks[:0]
	d.state.watches = d.state.watches[:0]
	d.update()
}

// update switches the run loop between its normal path and the debug one,
// which costs nothing while no breakpoint or watchpoint is set and no CPU
// is frozen, and lets the board bring its CPUs up to date.
func (d *debugger) update() {
	s := &d.state
	if len(s.breaks)+len(s.watches) == 0 && !slices.Contains(s.frozen, true) {
		d.m.debug = nil
	} else {
		d.m.debug = s
	}
	d.board.sync()
}

// Step executes one instruction of thread t; the others do not run and no
// interrupt is taken first (QEMU's single-step default). How it reports
// a watched access depends on the board: see its step.
func (d *debugger) Step(t int) gdbstub.Event {
	if d.ended {
		return d.exited()
	}
	return d.board.step(t)
}

// Continue runs the threads run selects (all when nil) until a breakpoint
// or watchpoint hits, the machine ends (StopExited; End says how), or
// pause reports true.
func (d *debugger) Continue(run []bool, pause func() bool) gdbstub.Event {
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

func (d *debugger) exited() gdbstub.Event {
	code := 0
	if d.end.Reason == StopPowerFail {
		code = d.end.Code
	}
	return gdbstub.Event{Kind: gdbstub.StopExited, Code: code}
}

// Kill ends the machine: it will not run again.
func (d *debugger) Kill() {
	d.ended = true
	d.end = Stop{Reason: StopInterrupted, Detail: "killed by the debugger"}
}
