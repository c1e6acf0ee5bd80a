package machine

import (
	"fmt"
	"slices"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/x86"
)

// This file owns the debugger's view of a pc machine, as debug.go does for
// virt: a gdbstub.Target that stops, steps and resumes the CPUs
// (all-stop), reads and writes registers, and reads and writes memory
// through a CPU's current page tables.
//
// While no breakpoint or watchpoint is set, m.debug is nil and the CPUs
// run whole slices. With one set, runHart hands its slices to
// pcDebugRun, which lets x86.CPU.DebugRun execute them one instruction at
// a time with the checks in between. Watchpoints stop after the access,
// as x86 debug registers do and as gdb expects of this architecture.
// Addresses are linear (QEMU's "virtual" for gdb): segment bases are 0 in
// an xv6 kernel.

// pcDebugRun is debugRun for the pc board.
func (m *Machine) pcDebugRun(i int, budget uint64) uint64 {
	d := m.debug
	if d.frozen[i] {
		// As on virt: report the slice as done without running it.
		m.retired -= budget
		return budget
	}
	c := m.pc.cpus[i]
	n, stop := c.DebugRun(budget)
	switch stop {
	case x86.DebugBreak:
		d.stopAt(gdbstub.Event{Kind: gdbstub.StopBreak, Thread: i})
	case x86.DebugWatch:
		if w, addr, _, ok := c.WatchHit(); ok && w < len(d.watches) {
			d.stopAt(gdbstub.Event{Kind: gdbstub.StopWatch, Thread: i, Addr: uint64(addr), Watch: d.watches[w].kind})
		}
	}
	return n
}

// PCDebugger is a pc machine as a gdbstub.Target. Like Debugger it is
// not safe for concurrent use: the goroutine serving the debugger runs
// the machine.
type PCDebugger struct {
	m     *Machine
	state debugState
	ended bool
	end   Stop
}

// PCDebugger returns the debugger interface of a pc machine (nil on
// virt).
func (m *Machine) PCDebugger() *PCDebugger {
	if m.pc == nil {
		return nil
	}
	n := len(m.pc.cpus)
	return &PCDebugger{m: m, state: debugState{
		frozen: make([]bool, n), fast: make([]bool, n), stop: make([]int, n),
	}}
}

// End reports how the machine ended, once Continue has reported
// StopExited.
func (d *PCDebugger) End() (Stop, bool) { return d.end, d.ended }

// Arch describes the registers: gdb's i386 core set and CR0-CR4.
func (d *PCDebugger) Arch() *gdbstub.Arch { return gdbstub.I386 }

// Threads is the number of CPUs.
func (d *PCDebugger) Threads() int { return len(d.m.pc.cpus) }

// ReadReg reads register reg (numbered as in gdbstub.I386) of CPU t. The
// x87 registers are unavailable: the CPU has no FPU.
func (d *PCDebugger) ReadReg(t, reg int) (uint64, bool) {
	c := d.m.pc.cpus[t]
	switch {
	case reg < gdbstub.I386EIP:
		return uint64(c.Reg(reg)), true
	case reg == gdbstub.I386EIP:
		return uint64(c.EIP()), true
	case reg == gdbstub.I386EFLAGS:
		return uint64(c.EFLAGS()), true
	case reg < gdbstub.I386FirstX87:
		return uint64(c.Seg(gdbstub.I386SegOrder[reg-gdbstub.I386CS])), true
	case reg < gdbstub.I386FirstCR:
		return 0, false
	}
	switch reg - gdbstub.I386FirstCR {
	case 0:
		return uint64(c.CR0()), true
	case 1:
		return uint64(c.CR2()), true
	case 2:
		return uint64(c.CR3()), true
	case 3:
		return uint64(c.CR4()), true
	}
	return 0, false
}

// pcCRs maps the description's control registers to their numbers.
var pcCRs = [...]int{0, 2, 3, 4}

// WriteReg writes register reg of CPU t. A segment register is loaded as
// a mov to it would load it (through the GDT in protected mode); writing
// the selector it already holds changes nothing, so a G packet that
// repeats the segments keeps the descriptor caches a multiboot loader set.
func (d *PCDebugger) WriteReg(t, reg int, v uint64) bool {
	c := d.m.pc.cpus[t]
	switch {
	case reg < gdbstub.I386EIP:
		c.SetReg(reg, uint32(v))
	case reg == gdbstub.I386EIP:
		c.SetEIP(uint32(v))
	case reg == gdbstub.I386EFLAGS:
		c.SetEFLAGS(uint32(v))
	case reg < gdbstub.I386FirstX87:
		s := gdbstub.I386SegOrder[reg-gdbstub.I386CS]
		return uint16(v) == c.Seg(s) || c.SetSeg(s, uint16(v))
	case reg < gdbstub.I386FirstCR:
		return false
	case reg-gdbstub.I386FirstCR < len(pcCRs):
		return c.SetCR(pcCRs[reg-gdbstub.I386FirstCR], uint32(v))
	default:
		return false
	}
	return true
}

// ReadMem reads guest memory at linear address addr as CPU t sees it.
// Only RAM is readable: reading a device register could change the
// device.
func (d *PCDebugger) ReadMem(t int, addr uint64, p []byte) error {
	return d.eachPage(t, addr, len(p), func(pa uint64, off, n int) error {
		return d.m.bus.ReadRAM(pa, p[off:off+n])
	})
}

// WriteMem writes guest memory at linear address addr as CPU t sees it,
// dropping any decoded instructions there.
func (d *PCDebugger) WriteMem(t int, addr uint64, p []byte) error {
	return d.eachPage(t, addr, len(p), func(pa uint64, off, n int) error {
		return d.m.bus.WriteRAM(pa, p[off:off+n])
	})
}

func (d *PCDebugger) eachPage(t int, addr uint64, n int, f func(pa uint64, off, n int) error) error {
	c := d.m.pc.cpus[t]
	if addr >= 1<<32 || uint64(n) > 1<<32-addr {
		return fmt.Errorf("machine: %#x is beyond 4 GiB", addr)
	}
	for off := 0; off < n; {
		va := addr + uint64(off)
		chunk := min(n-off, int(bus.PageSize-va%bus.PageSize))
		pa, ok := c.DebugTranslate(uint32(va))
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
func (d *PCDebugger) AddBreak(kind int, addr, length uint64) error {
	if addr >= 1<<32 || length > 1<<32-addr {
		return fmt.Errorf("machine: %#x is beyond 4 GiB", addr)
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
func (d *PCDebugger) RemoveBreak(kind int, addr, length uint64) error {
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
func (d *PCDebugger) RemoveAllBreaks() {
	d.state.breaks = d.state.breaks[:0]
	d.state.watches = d.state.watches[:0]
	d.update()
}

// update switches the run loop between its normal path and pcDebugRun and
// gives the CPUs the breakpoints and watchpoints in their own terms.
func (d *PCDebugger) update() {
	s := &d.state
	s.pcBreaks = s.pcBreaks[:0]
	for _, b := range s.breaks {
		s.pcBreaks = append(s.pcBreaks, uint32(b))
	}
	var ws []x86.Watch
	for _, w := range s.watches {
		ws = append(ws, x86.Watch{
			Addr: uint32(w.addr), Len: uint32(w.length),
			Read:  w.kind != gdbstub.WatchWrite,
			Write: w.kind != gdbstub.WatchRead,
		})
	}
	for _, c := range d.m.pc.cpus {
		c.SetBreaks(s.pcBreaks)
		c.SetWatches(ws)
	}
	if len(s.breaks)+len(s.watches) == 0 && !slices.Contains(s.frozen, true) {
		d.m.debug = nil
	} else {
		d.m.debug = s
	}
}

// Step executes one instruction of CPU t; the others do not run and no
// interrupt is taken first (QEMU's single-step default). An instruction
// that touches a watched address is reported as the watchpoint, after it
// has executed.
func (d *PCDebugger) Step(t int) gdbstub.Event {
	if d.ended {
		return d.exited()
	}
	m := d.m
	c := m.pc.cpus[t]
	m.cur = t
	m.retired += c.Step()
	if w, addr, _, ok := c.WatchHit(); ok && w < len(d.state.watches) {
		return gdbstub.Event{Kind: gdbstub.StopWatch, Thread: t, Addr: uint64(addr), Watch: d.state.watches[w].kind}
	}
	return gdbstub.Event{Kind: gdbstub.StopStep, Thread: t}
}

// Continue runs the CPUs run selects (all when nil) until a breakpoint or
// watchpoint hits, the machine ends (StopExited; End says how), or pause
// reports true.
func (d *PCDebugger) Continue(run []bool, pause func() bool) gdbstub.Event {
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

func (d *PCDebugger) exited() gdbstub.Event {
	code := 0
	if d.end.Reason == StopPowerFail {
		code = d.end.Code
	}
	return gdbstub.Event{Kind: gdbstub.StopExited, Code: code}
}

// Kill ends the machine: it will not run again.
func (d *PCDebugger) Kill() {
	d.ended = true
	d.end = Stop{Reason: StopInterrupted, Detail: "killed by the debugger"}
}
