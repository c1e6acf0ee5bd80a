package inproc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
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

func TestWallClockSafetyNet(t *testing.T) {
	b := backend(t, spinGuest("boot\n"), func(c *Config) {
		c.WallLimit = func(time.Duration) time.Duration { return 50 * time.Millisecond }
	})
	start := time.Now()
	o := b.Run(context.Background(), spec(time.Hour, "threadtest"))
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, grade.Aborted, o.Ending)
	assert.Equal(t, "wall-clock safety net: still running after 50ms of real time", o.Reason)
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
