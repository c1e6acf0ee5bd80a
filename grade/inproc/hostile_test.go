package inproc_test

// Hostile kernels: deliberately broken variants of our own kernel (and a
// fork-bombing user program), built from this repository's sources with
// the cross compiler. Each must end with the right verdict inside its
// bound. Without the tools the test skips, except under CI, where a
// missing tool is a failure.

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// hostileTree is a scratch copy of kernel/src built once; each variant is
// patched into it, built (only what the patch touched is recompiled) and
// patched back out.
type hostileTree struct {
	root string // this repository
	src  string // the scratch kernel/src
}

func newHostileTree(t *testing.T) *hostileTree {
	t.Helper()
	if testing.Short() {
		t.Skip("builds kernels and boots them: skipped in -short mode")
	}
	for _, tool := range []string{"riscv64-unknown-elf-gcc", "make", "patch"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI: %s is not installed; it is needed for this test", tool)
			}
			t.Skipf("%s is not installed; skipping", tool)
		}
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	tr := &hostileTree{root: root, src: filepath.Join(t.TempDir(), "src")}
	copySources(t, filepath.Join(root, "kernel", "src"), tr.src)
	tr.make(t, "all")
	return tr
}

func (tr *hostileTree) make(t *testing.T, args ...string) string {
	t.Helper()
	return tr.run(t, "make", append([]string{"-s", "-j2", "-C", tr.src, "ROOT=" + tr.root}, args...)...)
}

func (tr *hostileTree) run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command("nice", append([]string{name}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

func (tr *hostileTree) read(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tr.src, "build", "riscv", rel))
	require.NoError(t, err)
	return data
}

// variant builds the kernel with testdata/<patch> applied.
func (tr *hostileTree) variant(t *testing.T, patch string) []byte {
	t.Helper()
	file, err := filepath.Abs(filepath.Join("testdata", patch))
	require.NoError(t, err)
	args := []string{"-p1", "--batch", "--no-backup-if-mismatch", "-d", tr.src, "-i", file}
	tr.run(t, "patch", args...)
	defer tr.run(t, "patch", append([]string{"-R"}, args...)...)
	tr.make(t, "kernel")
	return tr.read(t, "kernel")
}

// program builds testdata/<name>.c as a user program and returns its ELF.
func (tr *hostileTree) program(t *testing.T, name string) []byte {
	t.Helper()
	file, err := filepath.Abs(filepath.Join("testdata", name+".c"))
	require.NoError(t, err)
	tr.make(t, "user", "PROG="+file)
	return tr.read(t, filepath.Join("user", "extra", "_"+name))
}

// copySources copies the kernel sources, leaving out build outputs.
func copySources(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if rel == "build" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	require.NoError(t, err)
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
