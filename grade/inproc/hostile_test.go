package inproc_test

// Hostile kernels: deliberately broken variants of our own kernel (and a
// fork-bombing user program), built from this repository's sources with
// the cross compiler. Each must end with the right verdict inside its
// bound. Without the tools the test skips, except under CI, where a
// missing tool is a failure.

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/internal/kbuild"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// hostileTree is a scratch copy of kernel/src built once; each variant is
// patched into it, built (only what the patch touched is recompiled) and
// patched back out.
type hostileTree struct{ *kbuild.Tree }

func newHostileTree(t *testing.T) hostileTree {
	t.Helper()
	if testing.Short() {
		t.Skip("builds kernels and boots them: skipped in -short mode")
	}
	kbuild.Need(t, "make", "patch", kbuild.RISCVCompiler)
	tr := hostileTree{kbuild.New(t, kbuild.Root(t))}
	tr.Make(t, "kernel", "fsimg")
	return tr
}

func (tr hostileTree) read(t *testing.T, rel string) []byte {
	t.Helper()
	return tr.Read(t, "riscv/"+rel)
}

// variant builds the kernel with testdata/<patch> applied.
func (tr hostileTree) variant(t *testing.T, patch string) []byte {
	t.Helper()
	file := filepath.Join("testdata", patch)
	tr.Patch(t, file)
	defer tr.Unpatch(t, file)
	tr.Make(t, "kernel")
	return tr.read(t, "kernel")
}

// program builds testdata/<name>.c as a user program and returns its ELF.
func (tr hostileTree) program(t *testing.T, name string) []byte {
	t.Helper()
	file, err := filepath.Abs(filepath.Join("testdata", name+".c"))
	require.NoError(t, err)
	tr.Make(t, "user", "PROG="+file)
	return tr.read(t, "user/extra/_"+name)
}

// Each broken kernel ends with its verdict inside its bound: the run's
// timeout, which is also its wall-clock limit. A livelock or a fork bomb
// keeps every CPU busy, so whether the guest reaches its timeout before
// the wall-clock limit depends on the host; either way it ends in time,
// saying which.
func TestHostileKernelsEndWithTheirVerdictInTime(t *testing.T) {
	tr := newHostileTree(t)
	stock, img := tr.read(t, "kernel"), tr.read(t, "fs.img")
	bomb, err := mkfs.Add(img, []mkfs.File{{Name: "forkbomb", Data: tr.program(t, "forkbomb")}})
	require.NoError(t, err)

	busy := []grade.Ending{grade.TimedOut, grade.WallClock}
	cases := []struct {
		name     string
		patch    string // "" runs the stock kernel
		fs       []byte
		commands []string
		timeout  time.Duration
		endings  []grade.Ending
		reason   string // in the verdict's reason
		console  string // in the console
	}{
		{
			// join sleeps where no exiting thread wakes it: every CPU
			// waits, the timer ticks on, guest time runs out fast.
			name: "deadlock in join", patch: "join-deadlock.patch", fs: img,
			commands: []string{"threadtest 1"}, timeout: 10 * time.Second,
			endings: []grade.Ending{grade.TimedOut},
			reason:  `timeout (10s of guest time): still waiting for the shell prompt after "threadtest 1"`,
		},
		{
			name: "livelock in join", patch: "join-livelock.patch", fs: img,
			commands: []string{"threadtest 1"}, timeout: 3 * time.Second,
			endings: busy, reason: `the shell prompt after "threadtest 1"`,
		},
		{
			name: "kernel floods the console", patch: "clone-floods.patch", fs: img,
			commands: []string{"threadtest 1"}, timeout: 30 * time.Second,
			endings: []grade.Ending{grade.Flooded},
			reason:  "the guest printed more than 1048576 bytes", console: "\nclone: pid ",
		},
		{
			name: "fork bomb in a user program", fs: bomb,
			commands: []string{"forkbomb"}, timeout: 3 * time.Second,
			endings: busy, reason: `the shell prompt after "forkbomb"`, console: "forkbomb: starting\n",
		},
		{
			// MIT's scheduler idles without WFI; spin detection makes
			// its idle scans free, so the test passes as with WFI.
			name: "scheduler without WFI", patch: "scheduler-no-wfi.patch", fs: img,
			commands: []string{"threadtest 1", "threadtest 3"}, timeout: 30 * time.Second,
			endings: []grade.Ending{grade.Finished}, console: "TEST3 PASSED\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := stock
			if c.patch != "" {
				k = tr.variant(t, c.patch)
			}
			b, err := inproc.New(inproc.Config{Kernel: k, FS: c.fs, OutputLimit: 1 << 20})
			require.NoError(t, err)
			o := b.Run(context.Background(), grade.RunSpec{Commands: c.commands, Timeout: c.timeout})
			tail := string(o.Console[max(0, len(o.Console)-300):])
			assert.Contains(t, c.endings, o.Ending, "%s: %s\n...%s", o.Ending, o.Reason, tail)
			assert.Contains(t, o.Reason, c.reason)
			assert.Contains(t, string(o.Console), c.console)
			// The wall-clock limit is the timeout; allow a little for
			// the machine to be built and torn down.
			assert.Less(t, o.Wall, c.timeout+2*time.Second, "wall time")
			t.Logf("%s: %v (%s) in %.1f s of wall time, %.2f s of guest time", c.name, o.Ending, o.Reason, o.Wall.Seconds(), o.Guest.Seconds())
		})
	}
}
