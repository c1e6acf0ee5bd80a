package qemu

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine/elfload"
)

// The test binary doubles as a fake QEMU: with XV6EMU_FAKE_QEMU set it
// plays an xv6 console on stdin/stdout in the mode named by the variable.
// That exercises process handling (pipes, timeouts, killing) without QEMU.
func TestMain(m *testing.M) {
	if mode := os.Getenv("XV6EMU_FAKE_QEMU"); mode != "" {
		fakeQEMU(mode)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func fakeQEMU(mode string) {
	out := bufio.NewWriter(os.Stdout)
	say := func(s string) { out.WriteString(s); out.Flush() }
	fmt.Fprintf(os.Stderr, "args: %s\n", strings.Join(os.Args[1:], " "))
	say(fmt.Sprintf("pid %d\n", os.Getpid()))
	switch mode {
	case "exit":
		fmt.Fprintln(os.Stderr, "qemu-system-riscv64: -drive file=x: Could not open 'x'")
		os.Exit(1)
	case "hang":
		select {}
	case "orphan":
		// A helper holding our stdout open must not keep the run alive.
		cmd := exec.Command("sleep", "1000")
		cmd.Stdout = os.Stdout
		_ = cmd.Start()
		say(fmt.Sprintf("child %d\n", cmd.Process.Pid))
		select {}
	case "panic":
		say("xv6 kernel is booting\npanic: virtio_disk_intr status\n")
		select {}
	case "flood":
		for {
			say(strings.Repeat("x", 1000) + "\n")
		}
	}
	say("xv6 kernel is booting\n\ninit: starting sh\n$ ")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd := in.Text()
		say(cmd + "\n")
		switch cmd {
		case "threadtest":
			say("TEST1 PASSED\nTEST2 PASSED\n")
		case "args":
			say(strings.Join(os.Args[1:], " ") + "\n")
		default:
			say("exec " + cmd + " failed\n")
		}
		say("$ ")
	}
}

// riscvELF is a tiny kernel CheckKernel accepts.
func riscvELF() []byte {
	return elfload.Executable(elf.EM_RISCV, elf.ET_EXEC, 0x80000000, make([]byte, 8))
}

func fsImage() []byte {
	img := make([]byte, 4*1024)
	binary.LittleEndian.PutUint32(img[1024:], 0x10203040)
	binary.LittleEndian.PutUint32(img[1028:], 4)
	return img
}

func fake(t *testing.T, mode string) *Backend {
	t.Helper()
	t.Setenv("XV6EMU_FAKE_QEMU", mode)
	b, err := New(Config{Binary: os.Args[0], Kernel: riscvELF(), FS: fsImage()})
	require.NoError(t, err)
	return b
}

func spec(timeout time.Duration, cmds ...string) grade.RunSpec {
	return grade.RunSpec{Commands: cmds, Prompt: "$ ", Timeout: timeout}
}

func TestArgsAreMITsQEMUOPTS(t *testing.T) {
	b, err := New(Config{Binary: os.Args[0], Kernel: riscvELF()})
	require.NoError(t, err)
	assert.Equal(t, "-machine virt -bios none -kernel K -m 128M -smp 3 -nographic "+
		"-global virtio-mmio.force-legacy=false "+
		"-drive file=F,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
		strings.Join(b.Args("K", "F"), " "))
	assert.NotContains(t, strings.Join(b.Args("K", ""), " "), "-drive")
	b, err = New(Config{Binary: os.Args[0], Kernel: riscvELF(), LegacyVirtio: true, CPUs: 1, MemMB: 256})
	require.NoError(t, err)
	assert.Equal(t, "-machine virt -bios none -kernel K -m 256M -smp 1 -nographic", strings.Join(b.Args("K", ""), " "))
	assert.Equal(t, "qemu", b.Name())
}

func TestNewRejectsBadInput(t *testing.T) {
	_, err := New(Config{Binary: os.Args[0], Kernel: []byte("not elf")})
	assert.ErrorContains(t, err, "kernel: not an ELF file")
	_, err = New(Config{Binary: os.Args[0], Kernel: riscvELF(), FS: make([]byte, 1000)})
	assert.ErrorContains(t, err, "fs image: 1000 bytes")
	_, err = New(Config{Binary: "no-such-qemu-here", Kernel: riscvELF()})
	assert.ErrorContains(t, err, "qemu: no-such-qemu-here not found")
}

func TestRunPlaysSessionOnStdio(t *testing.T) {
	b := fake(t, "shell")
	o := b.Run(context.Background(), spec(10*time.Second, "threadtest", "args"))
	require.Equal(t, grade.Finished, o.Ending, "%s: %s", o.Reason, o.Console)
	console := string(o.Console)
	assert.Contains(t, console, "$ threadtest\nTEST1 PASSED\nTEST2 PASSED\n$ args\n")
	assert.Regexp(t, `-kernel \S+/kernel -m 128M -smp 3 .*-drive file=\S+/fs.img,if=none`, console)
	assert.True(t, strings.HasSuffix(console, "$ "))
	assert.Greater(t, o.Wall, time.Duration(0))
}

// pidOf returns the pid the fake printed on its line "name N".
func pidOf(t *testing.T, console []byte, name string) int {
	t.Helper()
	for _, l := range strings.Split(string(console), "\n") {
		var pid int
		if n, _ := fmt.Sscanf(l, name+" %d", &pid); n == 1 {
			return pid
		}
	}
	t.Fatalf("no %q line in %q", name, console)
	return 0
}

func assertGone(t *testing.T, pid int) {
	t.Helper()
	// The orphan may take a moment to be reaped by init.
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.Error(t, syscall.Kill(pid, 0), "process %d still alive", pid)
}

func TestRunTimesOutAndKillsQEMU(t *testing.T) {
	b := fake(t, "hang")
	start := time.Now()
	o := b.Run(context.Background(), spec(2*time.Second, "threadtest"))
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, grade.TimedOut, o.Ending)
	assert.Equal(t, `timeout (2s): still waiting for the first shell prompt "$ "`, o.Reason)
	assertGone(t, pidOf(t, o.Console, "pid"))
}

func TestRunKillsTheWholeProcessGroup(t *testing.T) {
	b := fake(t, "orphan")
	o := b.Run(context.Background(), spec(2*time.Second, "threadtest"))
	assert.Equal(t, grade.TimedOut, o.Ending)
	assertGone(t, pidOf(t, o.Console, "child"))
}

func TestRunStopsAtKernelPanic(t *testing.T) {
	b := fake(t, "panic")
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Panicked, o.Ending)
	assert.Equal(t, `kernel panic: "panic: virtio_disk_intr status"`, o.Reason)
	assertGone(t, pidOf(t, o.Console, "pid"))
}

func TestRunStopsFlood(t *testing.T) {
	t.Setenv("XV6EMU_FAKE_QEMU", "flood")
	b, err := New(Config{Binary: os.Args[0], Kernel: riscvELF(), OutputLimit: 100_000})
	require.NoError(t, err)
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Flooded, o.Ending)
	assert.Equal(t, "the guest printed more than 100000 bytes", o.Reason)
	assert.Less(t, len(o.Console), 200_000)
}

func TestRunReportsQEMUExit(t *testing.T) {
	b := fake(t, "exit")
	o := b.Run(context.Background(), spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Exited, o.Ending)
	assert.Contains(t, o.Reason, "QEMU exited (exit status 1): args: -machine virt")
}

func TestRunCancelled(t *testing.T) {
	b := fake(t, "hang")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	o := b.Run(ctx, spec(time.Minute, "threadtest"))
	assert.Equal(t, grade.Aborted, o.Ending)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestPanicWatchNeedsACompleteLineAtLineStart(t *testing.T) {
	var w panicWatch
	_, ok := w.scan([]byte("xpanic: no\npanic: half"))
	assert.False(t, ok)
	line, ok := w.scan([]byte("xpanic: no\npanic: half done\r\n"))
	assert.True(t, ok)
	assert.Equal(t, "panic: half done", line)
}
