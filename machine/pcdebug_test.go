package machine

import (
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/kernel"
)

// pcDebugMachine boots our x86 kernel with a debugger attached and returns
// the kernel's symbol table and text too.
func pcDebugMachine(t *testing.T, cpus int) (*Machine, *PCDebugger, map[string]uint64, *elf.File) {
	t.Helper()
	k, d := embeddedKernel(t, kernel.X86Kernel, kernel.X86FS)
	m, err := NewPC(PCConfig{Config: Config{Kernel: k, CPUs: cpus, MaxTicks: 60 * Timebase}, Slave: d})
	require.NoError(t, err)
	t.Cleanup(m.Close)
	addr, f := kernelSymbols(t, k)
	return m, m.PCDebugger(), addr, f
}

func TestPCDebuggerBreakpointRegistersMemoryStep(t *testing.T) {
	m, d, sym, f := pcDebugMachine(t, 2)
	assert.Nil(t, m.debug)
	clone := sym["sys_clone"]
	require.NotZero(t, clone)
	assert.Equal(t, 2, d.Threads())

	require.NoError(t, d.AddBreak(gdbstub.BreakSoftware, clone, 1))
	require.NotNil(t, m.debug)
	ev := d.Continue(nil, typeAtPrompt(m, "threadtest"))
	require.Equal(t, gdbstub.StopBreak, ev.Kind, "console:\n%s", m.Output())
	c := m.X86(ev.Thread)
	assert.Equal(t, uint32(clone), c.EIP(), "stopped before the breakpoint's instruction")
	eip, _ := d.ReadReg(ev.Thread, gdbstub.I386EIP)
	assert.Equal(t, clone, eip)
	cs, _ := d.ReadReg(ev.Thread, gdbstub.I386CS)
	assert.Equal(t, uint64(8), cs&^3, "kernel code segment")
	_, ok := d.ReadReg(ev.Thread, gdbstub.I386FirstX87)
	assert.False(t, ok, "no FPU")
	cr3, _ := d.ReadReg(ev.Thread, gdbstub.I386FirstCR+2)
	assert.Equal(t, uint64(c.CR3()), cr3)

	// The return address on the stack is in the kernel (syscall).
	esp, _ := d.ReadReg(ev.Thread, gdbstub.I386ESP)
	var ret [4]byte
	require.NoError(t, d.ReadMem(ev.Thread, esp, ret[:]))
	ra := uint64(binary.LittleEndian.Uint32(ret[:]))
	assert.True(t, ra > sym["syscall"] && ra < sym["syscall"]+0x200, "return address %#x is in syscall (%#x)", ra, sym["syscall"])

	// Memory through the page table is the kernel's text.
	requireText(t, d, ev.Thread, f, clone)
	got := make([]byte, 16)
	assert.Error(t, d.ReadMem(ev.Thread, 0xFEE00000, got), "device registers are not read")
	assert.Error(t, d.ReadMem(ev.Thread, 0x7FFFF000, got), "unmapped")
	assert.Error(t, d.ReadMem(ev.Thread, 1<<64-8, got), "beyond 4 GiB, wrapping")
	assert.Error(t, d.AddBreak(gdbstub.WatchWrite, 1<<64-2, 4))

	// A step moves one instruction (sys_clone begins with push %ebp, one
	// byte, in an unoptimised prologue or not) and nothing else runs.
	other := 1 - ev.Thread
	otherEIP := m.X86(other).EIP()
	ev = d.Step(ev.Thread)
	assert.Equal(t, gdbstub.StopStep, ev.Kind)
	assert.NotEqual(t, uint32(clone), c.EIP())
	assert.Less(t, c.EIP()-uint32(clone), uint32(16))
	assert.Equal(t, otherEIP, m.X86(other).EIP())

	require.True(t, d.WriteReg(ev.Thread, gdbstub.I386EAX+3, 0x1234))
	assert.Equal(t, uint32(0x1234), c.Reg(3))
	assert.True(t, d.WriteReg(ev.Thread, gdbstub.I386CS, cs), "rewriting the same selector")
	assert.False(t, d.WriteReg(ev.Thread, gdbstub.I386FirstX87, 0))

	require.NoError(t, d.RemoveBreak(gdbstub.BreakSoftware, clone, 1))
	assert.Nil(t, m.debug, "no breakpoints: the normal run loop")
}

func TestPCDebuggerWatchpoint(t *testing.T) {
	m, d, sym, _ := pcDebugMachine(t, 2)
	ticks := sym["ticks"]
	require.NotZero(t, ticks)
	ev := continueToWrite(t, m, d, ticks)
	var b [4]byte
	require.NoError(t, d.ReadMem(ev.Thread, ticks, b[:]))
	assert.Equal(t, uint32(1), binary.LittleEndian.Uint32(b[:]), "stopped after the store, as x86 data breakpoints do")

	ev = d.Continue(nil, func() bool { return false })
	require.Equal(t, gdbstub.StopWatch, ev.Kind)
	require.NoError(t, d.ReadMem(ev.Thread, ticks, b[:]))
	assert.Equal(t, uint32(2), binary.LittleEndian.Uint32(b[:]))

	// A read watchpoint on the lock word fires on acquire's xchg (a read
	// and a write): an access watchpoint sees it.
	d.RemoveAllBreaks()
	lock := sym["tickslock"]
	require.NoError(t, d.AddBreak(gdbstub.WatchAccess, lock, 4))
	ev = d.Continue(nil, func() bool { return false })
	require.Equal(t, gdbstub.StopWatch, ev.Kind)
	assert.Equal(t, lock, ev.Addr)
	d.RemoveAllBreaks()
	assert.Nil(t, m.debug)
}

// Kill ends the machine: Continue and Step report it exited.
func TestPCDebuggerKill(t *testing.T) {
	_, d, _, _ := pcDebugMachine(t, 1)
	d.Kill()
	assert.Equal(t, gdbstub.StopExited, d.Continue(nil, func() bool { return false }).Kind)
	assert.Equal(t, gdbstub.StopExited, d.Step(0).Kind)
	stop, ended := d.End()
	assert.True(t, ended)
	assert.Equal(t, StopInterrupted, stop.Reason)
}
