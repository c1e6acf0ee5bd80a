package machine_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine"
)

// These tests check that a hostile guest ends with a clear verdict,
// promptly and in bounded memory.

func jalr(rd, rs1 uint32, imm int32) uint32 { return encI(0x67, 0, rd, rs1, imm) }
func sb(rs2, rs1 uint32, imm int32) uint32  { return encS(0, rs1, rs2, imm) }
func csrr(rd, csr uint32) uint32            { return encI(0x73, 2, rd, 0, int32(csr)) }

// A kernel that jumps to 0 with its trap vector at 0 traps there forever
// without retiring anything. The board says so at once instead of running
// the storm for the whole guest-time budget, one costly trap at a time.
func TestTrapStormStopsAtOnce(t *testing.T) {
	image := guestELF(0x100, map[int][]uint32{
		0x00: {csrw(0x305, regZero), jalr(regZero, regZero, 0)}, // mtvec = 0; jump to 0
	})
	start := time.Now()
	m, stop := runGuest(t, 3, 0, image)
	require.Equal(t, machine.StopTrapStorm, stop.Reason, "%v", stop)
	assert.Contains(t, stop.String(), "instruction-access-fault exceptions in a row at pc 0x0")
	assert.Less(t, m.Time(), uint64(machine.Timebase/1000), "stopped within a millisecond of guest time")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// A handler that runs between faults is not a storm: the guest retires
// instructions, and only its time budget ends it.
func TestFaultLoopWithAHandlerIsNotAStorm(t *testing.T) {
	image := guestELF(0x100, map[int][]uint32{
		0x00: {
			auipc(regT0, 0), addi(regT0, regT0, 0x40), csrw(0x305, regT0), // mtvec = 0x40
			jalr(regZero, regZero, 0), // jump to 0
		},
		0x40: {addi(regT1, regT1, 1), csrw(0x341, regZero), 0x30200073}, // count; mepc = 0; mret
	})
	m, err := machine.NewVirt(machine.Config{Kernel: image, CPUs: 1, MaxTicks: machine.Timebase / 100})
	require.NoError(t, err)
	defer m.Close()
	stop := m.Run(nil)
	assert.Equal(t, machine.StopTimeBudget, stop.Reason, "%v", stop)
	assert.Greater(t, m.Hart(0).Reg(int(regT1)), uint64(10000))
}

// Memory outside RAM and the devices raises an access fault, as on QEMU:
// the handler powers off with mcause as the failure code.
func TestAccessOutsideRAMFaults(t *testing.T) {
	handler := []uint32{
		csrr(regT0, 0x342), slli(regT0, regT0, 16), // t0 = mcause << 16
		lui(regT3, 3), addi(regT3, regT3, 0x333), add(regT0, regT0, regT3), // | 0x3333: fail
		lui(regT2, testDev>>12), sw(regT0, regT2, 0),
		encJAL(regZero, 0),
	}
	const hole = 0x40000000 // nothing is mapped there on virt
	cases := []struct {
		name   string
		access uint32
		cause  int
	}{
		{"load", lw(regT0, regT1, 0), 5},
		{"store", sw(regT0, regT1, 0), 7},
		{"fetch", jalr(regZero, regT1, 0), 1},
	}
	for _, c := range cases {
		image := guestELF(0x100, map[int][]uint32{
			0x00: {
				auipc(regT0, 0), addi(regT0, regT0, 0x40), csrw(0x305, regT0), // mtvec = 0x40
				lui(regT1, hole>>12), c.access,
				encJAL(regZero, 0),
			},
			0x40: handler,
		})
		_, stop := runGuest(t, 1, 0, image)
		assert.Equal(t, machine.StopPowerFail, stop.Reason, "%s: %v", c.name, stop)
		assert.Equal(t, c.cause, stop.Code, "%s: mcause", c.name)
	}
}

// A guest that needs more guest time than the host can give it within the
// wall-clock limit stops with a verdict that says how far it got.
func TestWallLimitStopsAGuestTheHostCannotKeepUpWith(t *testing.T) {
	image := guestELF(0x2000, map[int][]uint32{
		0x00: {
			auipc(regT1, 1),                                                 // a counter at 0x80001000
			lw(regT0, regT1, 0), addi(regT0, regT0, 1), sw(regT0, regT1, 0), // count for ever
			encJAL(regZero, -12),
		},
	})
	m, err := machine.NewVirt(machine.Config{Kernel: image, CPUs: 2, MaxTicks: 1000 * machine.Timebase, WallLimit: 50 * time.Millisecond})
	require.NoError(t, err)
	defer m.Close()
	start := time.Now()
	stop := m.Run(nil)
	wall := time.Since(start)
	require.Equal(t, machine.StopWallClock, stop.Reason, "%v", stop)
	assert.Regexp(t, `^wall-clock limit: the guest was still running at \d+\.\d\d s of guest time after 0\.\d s of wall time \(the host could not reach the guest-time limit of 1000\.00 s in time\)$`, stop.String())
	assert.Less(t, wall, 2*time.Second)
	assert.Greater(t, m.Time(), uint64(0))
}

type countingWriter struct {
	n      int64
	writes int
	last   byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.writes++
	if len(p) > 0 {
		w.last = p[len(p)-1]
	}
	return len(p), nil
}

// A guest that prints without end is stopped at the output limit, and
// meanwhile the machine keeps only a tail of the console in memory while
// everything reaches the console writer, in batches rather than a write per
// byte.
func TestConsoleFloodKeepsOnlyATail(t *testing.T) {
	image := guestELF(0x100, map[int][]uint32{
		0x00: {
			lui(regT2, machine.UARTBase>>12), addi(regT0, regZero, 'x'),
			sb(regT0, regT2, 0), encJAL(regZero, -4), // print 'x' for ever
		},
	})
	const limit, tail = 3 << 20, 64 << 10
	var out countingWriter
	m, err := machine.NewVirt(machine.Config{Kernel: image, CPUs: 1, Console: &out, OutputLimit: limit, ConsoleTail: tail, MaxTicks: 100 * machine.Timebase})
	require.NoError(t, err)
	defer m.Close()
	stop := m.Run(nil)
	require.Equal(t, machine.StopOutputLimit, stop.Reason, "%v", stop)
	assert.Greater(t, m.OutputTotal(), int64(limit))
	assert.Equal(t, m.OutputTotal(), out.n, "every byte reached the console writer")
	assert.LessOrEqual(t, len(m.Output()), 2*tail)
	assert.GreaterOrEqual(t, len(m.Output()), tail)
	assert.Equal(t, bytes.Repeat([]byte("x"), len(m.Output())), m.Output())
	assert.Less(t, out.writes, int(out.n/100), "writes are batched")

	p, next := m.OutputSince(m.OutputTotal() - 5)
	assert.Equal(t, "xxxxx", string(p))
	assert.Equal(t, m.OutputTotal(), next)
	p, _ = m.OutputSince(0)
	assert.Equal(t, len(m.Output()), len(p), "what is gone is gone; the tail is what is left")
}

// A session on xv6 sees and prints the same console whether the machine
// keeps a large tail or a tiny one: prompts are found in each round's new
// output, and everything reaches the console writer.
func TestScriptWithATinyConsoleTail(t *testing.T) {
	elf, err := kernel.RISCVKernel()
	require.NoError(t, err)
	img, err := kernel.RISCVFS()
	require.NoError(t, err)
	session := func(tail int) (string, machine.Stop, int) {
		d, err := disk.FromBytes(img)
		require.NoError(t, err)
		defer d.Close()
		var out bytes.Buffer
		m, err := machine.NewVirt(machine.Config{Kernel: elf, Disk: d, CPUs: 2, Console: &out,
			ConsoleTail: tail, MaxTicks: 30 * machine.Timebase})
		require.NoError(t, err)
		defer m.Close()
		stop, typed := m.RunScript([]string{"ls", "echo hi", "cat README"}, machine.DefaultPrompt)
		assert.LessOrEqual(t, len(m.Output()), 2*tail)
		return out.String(), stop, typed
	}
	big, stop, typed := session(1 << 20)
	require.Equal(t, machine.StopCondition, stop.Reason, "%v", stop)
	require.Equal(t, 3, typed)
	small, stop, typed := session(64)
	assert.Equal(t, machine.StopCondition, stop.Reason, "%v", stop)
	assert.Equal(t, 3, typed)
	assert.Equal(t, big, small)
	assert.Contains(t, small, "$ echo hi\nhi\n$ ")
}

func TestPanicLines(t *testing.T) {
	for line, want := range map[string]bool{
		"panic: sched locks":                  true, // xv6-riscv
		"lapicid 1: panic: acquire":           true, // classic xv6
		"cpu0: panic: init exiting":           true, // older classic xv6
		"cpu: panic: x":                       false,
		"lapicid x: panic: x":                 false,
		"usertrap(): panic: no":               false,
		"test panic: OK":                      false,
		"  panic: indented is not the kernel": false,
	} {
		if got := machine.IsPanicLine([]byte(line)); got != want {
			t.Errorf("IsPanicLine(%q) = %v, want %v", line, got, want)
		}
	}
}
