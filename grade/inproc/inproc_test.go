package inproc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine"
)

func backend(t *testing.T, kernel []byte, edit func(*Config)) *Backend {
	t.Helper()
	cfg := Config{Kernel: kernel, CPUs: 1, Mem: 16 << 20}
	if edit != nil {
		edit(&cfg)
	}
	b, err := New(cfg)
	require.NoError(t, err)
	return b
}

func spec(timeout time.Duration, cmds ...string) grade.RunSpec {
	return grade.RunSpec{Commands: cmds, Prompt: "$ ", Timeout: timeout}
}

func TestRunPlaysSession(t *testing.T) {
	b := backend(t, shellGuest(), nil)
	assert.Equal(t, "xv6emu", b.Name())
	o := b.Run(context.Background(), spec(time.Second, "threadtest", "ls"))
	require.Equal(t, grade.Finished, o.Ending, "%s\n%s", o.Reason, o.Console)
	assert.Equal(t, "boot\n$ threadtest\nok\n$ ls\nok\n$ ", string(o.Console))
	assert.Empty(t, o.Reason)
	assert.Greater(t, o.Wall, time.Duration(0))
	assert.Greater(t, o.Guest, time.Duration(0))
	assert.Less(t, o.Guest, time.Second)
}

func TestRunIsDeterministic(t *testing.T) {
	b := backend(t, shellGuest(), nil)
	for _, seed := range []uint64{0, 17} {
		s := spec(time.Second, "a", "b", "c")
		s.Seed = seed
		first := b.Run(context.Background(), s)
		again := b.Run(context.Background(), s)
		assert.Equal(t, first.Console, again.Console)
		assert.Equal(t, first.Guest, again.Guest, "seed %d", seed)
	}
}

func TestRunTimesOutInGuestTime(t *testing.T) {
	b := backend(t, spinGuest("boot\n"), nil)
	o := b.Run(context.Background(), spec(20*time.Millisecond, "threadtest"))
	assert.Equal(t, grade.TimedOut, o.Ending)
	assert.Equal(t, `timeout (20ms of guest time): still waiting for the first shell prompt "$ "`, o.Reason)
	assert.Equal(t, "boot\n", string(o.Console))
	assert.InDelta(t, 20*time.Millisecond, o.Guest, float64(time.Millisecond))
}

func TestRunTimeoutAfterACommand(t *testing.T) {
	b := backend(t, spinGuest("boot\n$ "), nil)
	o := b.Run(context.Background(), spec(20*time.Millisecond, "threadtest"))
	assert.Equal(t, grade.TimedOut, o.Ending)
	assert.Equal(t, `timeout (20ms of guest time): still waiting for the shell prompt after "threadtest"`, o.Reason)
}

func TestRunStopsAtPanic(t *testing.T) {
	b := backend(t, spinGuest("boot\npanic: sched locks\n"), nil)
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Panicked, o.Ending)
	assert.Equal(t, `kernel panic: "panic: sched locks"`, o.Reason)
}

func TestRunStopsFlood(t *testing.T) {
	b := backend(t, floodGuest(), func(c *Config) { c.OutputLimit = 10_000 })
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Flooded, o.Ending)
	assert.Equal(t, "the guest printed more than 10000 bytes", o.Reason)
	assert.Less(t, len(o.Console), 20_000)
}

func TestRunReportsDeadlock(t *testing.T) {
	b := backend(t, sleepGuest(), nil)
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Stuck, o.Ending)
	assert.Contains(t, o.Reason, "deadlock: every hart waits")
	assert.Contains(t, o.Reason, "first shell prompt")
}

// A run the host cannot carry to its guest-time timeout within the
// wall-clock limit ends with a verdict that says how far it got.
func TestWallClockLimit(t *testing.T) {
	b := backend(t, spinGuest("boot\n"), func(c *Config) {
		c.WallLimit = func(time.Duration) time.Duration { return 50 * time.Millisecond }
	})
	start := time.Now()
	o := b.Run(context.Background(), spec(time.Hour, "threadtest"))
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, grade.WallClock, o.Ending)
	assert.Equal(t, "wall-timeout", o.Ending.String())
	assert.Regexp(t, `^wall-clock timeout \(1h0m0s\): the guest was still running at \d+\.\d\d s of guest time after 0\.\d s of wall time \(the host could not reach the guest-time limit of 3600\.00 s in time\), while waiting for the first shell prompt "\$ "$`, o.Reason)
}

// By default the wall-clock limit is the timeout itself, as on QEMU.
func TestDefaultWallLimitIsTheTimeout(t *testing.T) {
	assert.Equal(t, 30*time.Second, DefaultWallLimit(30*time.Second))
	assert.Equal(t, 45*time.Second, ScaledWallLimit(1.5)(30*time.Second))
}

// A zero timeout does not mean "no bound": it is the grader's default.
func TestZeroTimeoutIsTheDefault(t *testing.T) {
	b := backend(t, spinGuest("boot\n"), func(c *Config) {
		c.WallLimit = func(d time.Duration) time.Duration {
			assert.Equal(t, grade.DefaultTimeout, d)
			return 20 * time.Millisecond
		}
	})
	o := b.Run(context.Background(), spec(0, "threadtest"))
	assert.Equal(t, grade.WallClock, o.Ending, o.Reason)
}

// A kernel that jumps to 0 with its trap vector there too is stopped at
// once with its own verdict.
func TestRunStopsTrapStorm(t *testing.T) {
	storm := guest("boot\n", func(a *asm) {
		a.emit(0x30501073) // csrw mtvec, zero
		a.emit(0x00000067) // jr zero
	})
	b := backend(t, storm, nil)
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.TrapStorm, o.Ending)
	assert.Contains(t, o.Reason, "trap storm: hart 0 took ")
	assert.Contains(t, o.Reason, "instruction-access-fault exceptions in a row at pc 0x0")
	assert.Less(t, o.Guest, time.Millisecond)
}

// The console a run keeps is everything up to the output limit, from the
// first byte (the machine itself keeps only a tail), and no more.
func TestRunKeepsConsoleUpToTheLimit(t *testing.T) {
	const limit = 300_000 // well past the machine's tail
	b := backend(t, floodGuest(), func(c *Config) { c.OutputLimit = limit })
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Flooded, o.Ending)
	assert.True(t, strings.HasPrefix(string(o.Console), "boot\nxxx"))
	assert.Greater(t, len(o.Console), limit)
	assert.LessOrEqual(t, len(o.Console), limit+consoleSlack)
}

func TestRunCancelled(t *testing.T) {
	b := backend(t, spinGuest("boot\n"), nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	o := b.Run(ctx, spec(time.Hour, "threadtest"))
	assert.Equal(t, grade.Aborted, o.Ending)
	assert.Equal(t, "cancelled", o.Reason)
}

func TestNewRejectsBadKernelAndImage(t *testing.T) {
	_, err := New(Config{Kernel: []byte("\x7fELF garbage")})
	assert.ErrorContains(t, err, "kernel: not an ELF file")
	_, err = New(Config{Kernel: shellGuest(), FS: make([]byte, 513)})
	assert.ErrorContains(t, err, "fs image: 513 bytes")
}

func TestRunWithBadMachineConfigFails(t *testing.T) {
	b := backend(t, shellGuest(), func(c *Config) { c.CPUs = 99 })
	o := b.Run(context.Background(), spec(time.Second, "x"))
	assert.Equal(t, grade.Failed, o.Ending)
	assert.True(t, strings.HasPrefix(o.Reason, "machine: 99 CPUs"), o.Reason)
}

func TestGuestTicks(t *testing.T) {
	assert.Equal(t, uint64(300_000_000), guestTicks(30*time.Second))
	assert.Equal(t, uint64(0), guestTicks(0))
	assert.Equal(t, uint64(10_000), guestTicks(time.Millisecond))
}

// A run streams its console to spec.Console as it prints: the same bytes
// it returns.
func TestRunStreamsConsole(t *testing.T) {
	b := backend(t, shellGuest(), nil)
	var streamed strings.Builder
	s := spec(time.Second, "threadtest", "ls")
	s.Console = &streamed
	o := b.Run(context.Background(), s)
	require.Equal(t, grade.Finished, o.Ending, o.Reason)
	assert.Equal(t, string(o.Console), streamed.String())
}

// countingProbe records what a Probe is shown of a run.
type countingProbe struct {
	rounds, ends  int
	lastRoundTime uint64
	endTime       uint64
	endRetired    uint64
}

func (p *countingProbe) Round(m *machine.Machine) {
	p.rounds++
	p.lastRoundTime = m.Time()
}

func (p *countingProbe) End(m *machine.Machine) {
	p.ends++
	p.endTime, p.endRetired = m.Time(), m.Retired()
}

func TestProbeSeesEveryRoundAndTheEnd(t *testing.T) {
	b := backend(t, shellGuest(), nil)
	var p countingProbe
	o := b.RunProbed(context.Background(), spec(time.Second, "threadtest", "ls"), &p)
	require.Equal(t, grade.Finished, o.Ending, o.Reason)
	assert.Greater(t, p.rounds, 1)
	assert.Equal(t, 1, p.ends)
	assert.Greater(t, p.endRetired, uint64(0))
	// End sees the machine where the run stopped: the outcome's guest
	// time, no earlier than the last round.
	assert.Equal(t, o.Guest, time.Duration(p.endTime)*time.Second/machine.Timebase)
	assert.LessOrEqual(t, p.lastRoundTime, p.endTime)

	// Watching changes nothing.
	plain := b.Run(context.Background(), spec(time.Second, "threadtest", "ls"))
	assert.Equal(t, plain.Console, o.Console)
	assert.Equal(t, plain.Guest, o.Guest)
}

func TestProbeNotCalledWithoutAMachine(t *testing.T) {
	b := backend(t, shellGuest(), func(c *Config) { c.CPUs = 1000 }) // more than a board takes
	var p countingProbe
	o := b.RunProbed(context.Background(), spec(time.Second, "ls"), &p)
	assert.Equal(t, grade.Failed, o.Ending)
	assert.Zero(t, p.rounds+p.ends)
}

func TestX86DefaultsToThePCBoardsCPUs(t *testing.T) {
	boot := make([]byte, 512)
	boot[510], boot[511] = 0x55, 0xAA
	b, err := New(Config{Arch: grade.X86, BootDisk: boot})
	require.NoError(t, err)
	assert.Equal(t, machine.PCDefaultCPUs, b.CPUs())
	assert.Equal(t, machine.DefaultCPUs, backend(t, shellGuest(), func(c *Config) { c.CPUs = 0 }).CPUs())
}
