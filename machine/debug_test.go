package machine

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/kernel"
)

// debugMachine boots our kernel with a debugger attached and returns the
// kernel's symbol table too.
func debugMachine(t *testing.T, cpus int) (*Machine, *Debugger, map[string]uint64, *elf.File) {
	t.Helper()
	k, d := embeddedKernel(t, kernel.RISCVKernel, kernel.RISCVFS)
	m, err := NewVirt(Config{Kernel: k, Disk: d, CPUs: cpus, MaxTicks: 60 * Timebase})
	require.NoError(t, err)
	t.Cleanup(m.Close)
	addr, f := kernelSymbols(t, k)
	return m, m.Debugger(), addr, f
}

// embeddedKernel returns one of the kernels this repository builds and
// its file system image as a disk.
func embeddedKernel(t *testing.T, kern, fs func() ([]byte, error)) ([]byte, *disk.Disk) {
	t.Helper()
	k, err := kern()
	require.NoError(t, err)
	img, err := fs()
	require.NoError(t, err)
	d, err := disk.FromBytes(img)
	require.NoError(t, err)
	return k, d
}

// kernelSymbols parses kernel k and returns its symbols' addresses.
func kernelSymbols(t *testing.T, k []byte) (map[string]uint64, *elf.File) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(k))
	require.NoError(t, err)
	syms, err := f.Symbols()
	require.NoError(t, err)
	addr := map[string]uint64{}
	for _, s := range syms {
		addr[s.Name] = s.Value
	}
	return addr, f
}

// requireText checks that the debugger reads the kernel's text at addr
// (so translation works) and returns its first 16 bytes.
func requireText(t *testing.T, d gdbstub.Target, thread int, f *elf.File, addr uint64) []byte {
	t.Helper()
	text := f.Section(".text")
	want := make([]byte, 16)
	_, err := text.ReadAt(want, int64(addr-text.Addr))
	require.NoError(t, err)
	got := make([]byte, 16)
	require.NoError(t, d.ReadMem(thread, addr, got))
	require.Equal(t, want, got)
	return want
}

// typeAtPrompt is a Continue pause function that never pauses but types
// cmd at the first shell prompt.
func typeAtPrompt(m *Machine, cmd string) func() bool {
	typed := false
	return func() bool {
		if !typed && strings.HasSuffix(string(m.Output()), "$ ") {
			m.Type(cmd + "\n")
			typed = true
		}
		return false
	}
}

// continueToWrite sets a write watchpoint on the word at addr and
// continues until it fires.
func continueToWrite(t *testing.T, m *Machine, d gdbstub.Target, addr uint64) gdbstub.Event {
	t.Helper()
	require.NoError(t, d.AddBreak(gdbstub.WatchWrite, addr, 4))
	ev := d.Continue(nil, func() bool { return false })
	require.Equal(t, gdbstub.StopWatch, ev.Kind, "console:\n%s", m.Output())
	assert.Equal(t, addr, ev.Addr)
	assert.Equal(t, gdbstub.WatchWrite, ev.Watch)
	return ev
}

func csrReg(num uint16) int {
	return gdbstub.RV64FirstCS + slices.Index(gdbstub.RV64CSRs[:], num)
}

func TestDebuggerBreakpointRegistersMemoryStep(t *testing.T) {
	m, d, sym, f := debugMachine(t, 3)
	clone := sym["sys_clone"]
	require.NotZero(t, clone)

	require.NoError(t, d.AddBreak(gdbstub.BreakSoftware, clone, 2))
	require.NotNil(t, m.debug, "a breakpoint switches the run loop to debugRun")
	ev := d.Continue(nil, typeAtPrompt(m, "threadtest"))
	require.Equal(t, gdbstub.StopBreak, ev.Kind, "console:\n%s", m.Output())
	h := m.Hart(ev.Thread)
	assert.Equal(t, clone, h.PC(), "stopped before the breakpoint's instruction")
	pc, _ := d.ReadReg(ev.Thread, gdbstub.RV64PC)
	assert.Equal(t, clone, pc)

	// The trap came from user mode: sepc is a user address, priv is S.
	sepc, ok := d.ReadReg(ev.Thread, csrReg(0x141))
	require.True(t, ok)
	assert.Less(t, sepc, uint64(0x80000000))
	priv, _ := d.ReadReg(ev.Thread, gdbstub.RV64Priv)
	assert.Equal(t, uint64(1), priv)
	hartid, _ := d.ReadReg(ev.Thread, csrReg(0xF14))
	assert.Equal(t, uint64(ev.Thread), hartid)

	// Memory through the kernel page table is the kernel's text.
	want := requireText(t, d, ev.Thread, f, clone)
	got := make([]byte, 16)
	assert.Error(t, d.ReadMem(ev.Thread, 0x10000000, got), "device registers are not read")

	// A step moves exactly one instruction and nothing else runs.
	other := (ev.Thread + 1) % 3
	otherPC := m.Hart(other).PC()
	insn := binary.LittleEndian.Uint16(want)
	size := uint64(4)
	if insn&3 != 3 {
		size = 2
	}
	ev = d.Step(ev.Thread)
	assert.Equal(t, gdbstub.StopStep, ev.Kind)
	assert.Equal(t, clone+size, h.PC())
	assert.Equal(t, otherPC, m.Hart(other).PC())

	// Writing a register and memory is seen by the hart.
	require.True(t, d.WriteReg(ev.Thread, 9, 0x1234))
	assert.Equal(t, uint64(0x1234), h.Reg(9))

	require.NoError(t, d.RemoveBreak(gdbstub.BreakSoftware, clone, 2))
	assert.Nil(t, m.debug, "no breakpoints: the normal run loop")
}

func TestDebuggerWatchpoint(t *testing.T) {
	m, d, sym, _ := debugMachine(t, 2)
	ticks := sym["ticks"]
	require.NotZero(t, ticks)
	ev := continueToWrite(t, m, d, ticks)
	h := m.Hart(ev.Thread)
	va, _, _, ok := h.NextAccess()
	require.True(t, ok)
	assert.Equal(t, ticks, va, "stopped before the store to ticks, as QEMU does")
	var b [4]byte
	require.NoError(t, d.ReadMem(ev.Thread, ticks, b[:]))
	assert.Equal(t, uint32(0), binary.LittleEndian.Uint32(b[:]))

	// A step with the watchpoint still set reports it again, without
	// executing the store; gdb removes it first, and then the step stores.
	pc := h.PC()
	assert.Equal(t, gdbstub.StopWatch, d.Step(ev.Thread).Kind)
	assert.Equal(t, pc, h.PC())
	require.NoError(t, d.RemoveBreak(gdbstub.WatchWrite, ticks, 4))
	assert.Equal(t, gdbstub.StopStep, d.Step(ev.Thread).Kind)
	require.NoError(t, d.ReadMem(ev.Thread, ticks, b[:]))
	assert.Equal(t, uint32(1), binary.LittleEndian.Uint32(b[:]))

	// The next hit is the next tick's store.
	ev = continueToWrite(t, m, d, ticks)
	d.RemoveAllBreaks()
	d.Step(ev.Thread)
	require.NoError(t, d.ReadMem(ev.Thread, ticks, b[:]))
	assert.Equal(t, uint32(2), binary.LittleEndian.Uint32(b[:]))

	d.RemoveAllBreaks()
	assert.Nil(t, m.debug)
	for i := 0; i < m.Harts(); i++ {
		assert.Nil(t, m.Hart(i).Trace, "watch traces removed")
	}
}

// Interrupting and resuming under the debugger does not change what the
// guest does: the console matches a run without a debugger.
func TestDebuggerPauseResumeKeepsConsole(t *testing.T) {
	m, d, _, _ := debugMachine(t, 2)
	n := 0
	for {
		ev := d.Continue(nil, func() bool {
			n++
			return n%50 == 0 || strings.HasSuffix(string(m.Output()), "$ ")
		})
		if strings.HasSuffix(string(m.Output()), "$ ") {
			break
		}
		require.Equal(t, gdbstub.StopInterrupt, ev.Kind)
	}
	assert.Contains(t, string(m.Output()), "init: starting sh")

	plain, _, _, _ := debugMachine(t, 2)
	stop := plain.Run(func() bool { return strings.HasSuffix(string(plain.Output()), "$ ") })
	require.Equal(t, StopCondition, stop.Reason)
	assert.Equal(t, string(plain.Output()), string(m.Output()))
	assert.Greater(t, n, 100, "it was paused many times")

	d.Kill()
	ev := d.Continue(nil, func() bool { return false })
	assert.Equal(t, gdbstub.StopExited, ev.Kind, "a killed machine does not run")
}

// Resuming some harts only (gdb's vCont;c:N, used for function calls)
// leaves the others exactly where they were.
func TestDebuggerContinueSomeHarts(t *testing.T) {
	m, d, _, _ := debugMachine(t, 2)
	n := 0
	d.Continue(nil, func() bool { n++; return n > 200 })
	pc, steps := m.Hart(1).PC(), m.Hart(1).Instret()
	before := m.Hart(0).Instret()
	n = 0
	ev := d.Continue([]bool{true, false}, func() bool { n++; return n > 200 })
	require.Equal(t, gdbstub.StopInterrupt, ev.Kind)
	assert.Equal(t, pc, m.Hart(1).PC())
	assert.Equal(t, steps, m.Hart(1).Instret())
	assert.Greater(t, m.Hart(0).Instret(), before)
	assert.Nil(t, m.debug, "nothing frozen or set: the normal run loop again")
}
