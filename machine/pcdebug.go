package machine

import (
	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/x86"
)

// This file owns the debugger's view of a pc machine, as debug.go does for
// virt: with debugger.go's board-independent half, a gdbstub.Target that
// stops, steps and resumes the CPUs (all-stop), reads and writes
// registers, and reads and writes memory through a CPU's current page
// tables.
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
		if ev, ok := d.pcWatchHit(c, i); ok {
			d.stopAt(ev)
		}
	}
	return n
}

// pcWatchHit reports the watchpoint that the last instruction CPU c (gdb's
// thread t) executed triggered.
func (d *debugState) pcWatchHit(c *x86.CPU, t int) (gdbstub.Event, bool) {
	w, addr, _, ok := c.WatchHit()
	if !ok || w >= len(d.watches) {
		return gdbstub.Event{}, false
	}
	return gdbstub.Event{Kind: gdbstub.StopWatch, Thread: t, Addr: uint64(addr), Watch: d.watches[w].kind}, true
}

// PCDebugger is a pc machine as a gdbstub.Target: debugger's shared half
// plus the CPUs' registers, translation through a CPU's page tables and
// stepping. Like Debugger it is not safe for concurrent use: the
// goroutine serving the debugger runs the machine.
type PCDebugger struct {
	debugger
	breaks []uint32 // scratch for sync; the CPUs keep copies
}

// PCDebugger returns the debugger interface of a pc machine (nil on
// virt).
func (m *Machine) PCDebugger() *PCDebugger {
	if m.pc == nil {
		return nil
	}
	d := &PCDebugger{}
	d.debugger = debugger{m: m, board: d, space: 1 << 32, state: newDebugState(len(m.pc.cpus))}
	return d
}

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

// translate maps linear address va as CPU t sees it (debugger checks
// that va is below 4 GiB).
func (d *PCDebugger) translate(t int, va uint64) (uint64, bool) {
	return d.m.pc.cpus[t].DebugTranslate(uint32(va))
}

// sync gives the CPUs the breakpoints and watchpoints in their own terms.
func (d *PCDebugger) sync() {
	s := &d.state
	d.breaks = d.breaks[:0]
	for _, b := range s.breaks {
		d.breaks = append(d.breaks, uint32(b))
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
		c.SetBreaks(d.breaks)
		c.SetWatches(ws)
	}
}

// step executes one instruction of CPU t. One that touches a watched
// address is reported as the watchpoint, after it has executed.
func (d *PCDebugger) step(t int) gdbstub.Event {
	m := d.m
	c := m.pc.cpus[t]
	m.cur = t
	m.retired += c.Step()
	if ev, ok := d.state.pcWatchHit(c, t); ok {
		return ev
	}
	return gdbstub.Event{Kind: gdbstub.StopStep, Thread: t}
}
