package grade_test

// End-to-end tests: the kthread lab graded on real kernels, ours and
// deliberately broken variants of it. They need the embedded images, and
// the mutants need the RISC-V cross compiler; without them the tests skip,
// except under CI, where a missing tool is a failure.

import (
	"context"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/grade/qemu"
	"github.com/xv6emu/xv6emu/internal/kbuild"
	"github.com/xv6emu/xv6emu/kernel"
)

func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("boots xv6: skipped in -short mode")
	}
}

// embedded returns the embedded kernel and fs image.
func embedded(t *testing.T) (elf, img []byte) {
	t.Helper()
	elf, err := kernel.RISCVKernel()
	if err == nil {
		img, err = kernel.RISCVFS()
	}
	if err != nil {
		kbuild.Unavailable(t, "embedded images missing (%v); run 'make images'", err)
	}
	return elf, img
}

// gradeLab grades the kthread lab (or the tests matching only) and
// returns the report and the printed output.
func gradeLab(t *testing.T, b grade.Backend, only ...string) (*grade.Report, string) {
	t.Helper()
	var out strings.Builder
	rep, err := grade.Grade(context.Background(), labs.Kthread(), grade.Options{
		Backend: b,
		Jobs:    2,
		Only:    only,
		Results: t.TempDir(),
		Out:     &out,
	})
	require.NoError(t, err)
	return rep, out.String()
}

// failedTests lists the tests that did not pass.
func failedTests(rep *grade.Report) []string {
	var failed []string
	for _, r := range rep.Tests {
		if !r.Passed {
			failed = append(failed, r.Name)
		}
	}
	sort.Strings(failed)
	return failed
}

func extraCredit(rep *grade.Report) grade.GroupScore {
	for _, g := range rep.Groups {
		if g.Name == "locks" {
			return g
		}
	}
	return grade.GroupScore{}
}

// resultLine matches every line gradelib's format allows in a passing
// grade.
var resultLine = regexp.MustCompile(`^(== Test .+ == (\(\d+\.\ds\) |.+: OK (\(\d+\.\ds\) )?)?|  .+: OK (\(\d+\.\ds\) )?|Extra credit \(locks\): 11/11|Score: 100/100)$`)

func TestKthreadFullMarksInProcess(t *testing.T) {
	slow(t)
	elf, img := embedded(t)
	b, err := inproc.New(inproc.Config{Kernel: elf, FS: img})
	require.NoError(t, err)
	rep, out := gradeLab(t, b)
	require.True(t, rep.FullMarks(), "output:\n%s", out)
	assert.Equal(t, 100, rep.Score)
	assert.Equal(t, 100, rep.Possible)
	assert.Equal(t, grade.GroupScore{Name: "locks", Score: 11, Possible: 11}, extraCredit(rep))
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.Regexp(t, resultLine, line)
	}
	assert.Contains(t, out, "== Test   threadtest: test3 == \n  threadtest: test3: OK \n")
	assert.True(t, strings.HasSuffix(out, "Score: 100/100\n"))
}

func TestKthreadThreadtestOnQEMU(t *testing.T) {
	slow(t)
	kbuild.Need(t, qemu.DefaultBinary)
	elf, img := embedded(t)
	b, err := qemu.New(qemu.Config{Kernel: elf, FS: img})
	require.NoError(t, err)
	rep, out := gradeLab(t, b, "threadtest", "locks")
	require.True(t, rep.FullMarks(), "output:\n%s", out)
	assert.Equal(t, 90, rep.Possible)
	assert.Equal(t, grade.GroupScore{Name: "locks", Score: 11, Possible: 11}, extraCredit(rep))
}

// buildMutant builds the kernel and fs image in a scratch copy of
// kernel/src with testdata/<patch> applied.
func buildMutant(t *testing.T, patch string) (elf, img []byte) {
	t.Helper()
	kbuild.Need(t, "make", "patch", kbuild.RISCVCompiler)
	tr := kbuild.New(t, kbuild.Root(t))
	tr.Patch(t, filepath.Join("testdata", patch))
	tr.Make(t, "kernel", "fsimg")
	return tr.Read(t, "riscv/kernel"), tr.Read(t, "riscv/fs.img")
}

// Broken kernels lose exactly the points their bug is worth. Only the
// threadtest run is graded (usertests does not exercise these paths).
func TestKthreadMutantsLoseTheRightPoints(t *testing.T) {
	slow(t)
	cases := []struct {
		patch  string
		failed []string
		score  int // of the 90 threadtest points
		extra  int // of the 11 extra-credit points
		reason string
	}{
		{
			patch:  "clone-ignores-arg2.patch",
			failed: []string{"threadtest: test2"},
			score:  80, extra: 11,
		},
		{
			// join sleeps for a child process that will never wake it:
			// threadtest hangs in TEST11 and loses every test from there.
			// The course's TEST1-8 do not notice.
			patch: "join-reaps-processes.patch",
			failed: []string{
				"locks: exec from a thread", "locks: kill a thread", "locks: malloc from threads",
				"locks: pthread-like layer", "locks: sbrk seen by all", "locks: spin lock",
				"locks: thread file descriptors", "locks: thread returns", "locks: wait and join",
				"running threadtest", // its run timed out (no points)
			},
			score: 90, extra: 2,
			reason: `run ended early: timeout (3m0s of guest time): still waiting for the shell prompt after "threadtest"`,
		},
		{
			patch: "clone-panics.patch",
			failed: []string{
				"locks: bad clone stacks", "locks: bad join pointer", "locks: exec from a thread",
				"locks: kill a thread", "locks: malloc from threads", "locks: pthread-like layer",
				"locks: sbrk seen by all", "locks: spin lock", "locks: thread file descriptors",
				"locks: thread returns", "locks: wait and join", "running threadtest",
				"threadtest: test1", "threadtest: test2", "threadtest: test3", "threadtest: test4",
				"threadtest: test5", "threadtest: test6", "threadtest: test7", "threadtest: test8",
			},
			score: 0, extra: 0,
			reason: `run ended early: kernel panic: "panic: clone: mutant"`,
		},
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.patch, ".patch"), func(t *testing.T) {
			elf, img := buildMutant(t, c.patch)
			b, err := inproc.New(inproc.Config{Kernel: elf, FS: img})
			require.NoError(t, err)
			rep, out := gradeLab(t, b, "threadtest", "locks")
			assert.Equal(t, c.failed, failedTests(rep), "output:\n%s", out)
			assert.Equal(t, c.score, rep.Score)
			assert.Equal(t, 90, rep.Possible)
			assert.Equal(t, c.extra, extraCredit(rep).Score)
			assert.Contains(t, out, c.reason)
		})
	}
}

// usertests' leak check (free pages counted with sbrk before and after the
// tests) catches a kernel that leaks a page per getpid: the usertests case
// fails, and only it.
func TestUsertestsCatchesALeak(t *testing.T) {
	slow(t)
	elf, img := buildMutant(t, "getpid-leaks-a-page.patch")
	b, err := inproc.New(inproc.Config{Kernel: elf, FS: img})
	require.NoError(t, err)
	rep, out := gradeLab(t, b, "usertests")
	assert.Equal(t, []string{"usertests"}, failedTests(rep), "output:\n%s", out)
	assert.Regexp(t, `FAILED: \d+ free pages at the start, \d+ at the end: memory leaks`, out)
}
