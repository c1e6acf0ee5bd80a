package batch_test

// End to end: the sample submissions (our kernel with a patch each, as a
// course receives them) built with their own Makefiles and graded on the
// in-process machine. They need the RISC-V cross compiler; without it the
// tests skip, except under CI, where a missing tool is a failure.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/batch"
	"github.com/xv6emu/xv6emu/grade/batch/samples"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
)

func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: "+format, args...)
	}
	t.Skipf(format, args...)
}

// The sample set is built once for the package's tests.
var (
	sampleOnce sync.Once
	sampleDir  string
	sampleErr  error
)

// sampleSet returns a folder holding every sample submission.
func sampleSet(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and boots kernels: skipped in -short mode")
	}
	sampleOnce.Do(func() {
		var scratch string
		if scratch, sampleErr = os.MkdirTemp("", "batch-samples-"); sampleErr != nil {
			return
		}
		var b *samples.Builder
		if b, sampleErr = samples.NewBuilder(scratch); sampleErr != nil {
			return
		}
		sampleDir = filepath.Join(scratch, "submissions")
		if sampleErr = os.Mkdir(sampleDir, 0o755); sampleErr != nil {
			return
		}
		for _, s := range samples.All() {
			if _, sampleErr = b.Write(s, sampleDir); sampleErr != nil {
				return
			}
		}
	})
	if sampleErr != nil {
		if strings.Contains(sampleErr.Error(), "not installed") {
			unavailable(t, "%v", sampleErr)
		}
		t.Fatal(sampleErr)
	}
	return sampleDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sampleDir != "" {
		os.RemoveAll(filepath.Dir(sampleDir))
	}
	os.Exit(code)
}

// floodLimit stops a flooding guest early: the default 4 MiB takes
// seconds of printing to reach, and no sample prints 20 KiB otherwise.
const floodLimit = 256 << 10

func inprocBackend(kernel, fs []byte) grade.Backend {
	b, err := inproc.New(inproc.Config{Kernel: kernel, FS: fs, OutputLimit: floodLimit})
	if err != nil {
		return grade.Unrunnable("xv6emu", err)
	}
	return b
}

func byName(sum *batch.Summary) map[string]batch.Result {
	m := make(map[string]batch.Result)
	for _, r := range sum.Results {
		m[r.Submission] = r
	}
	return m
}

func failedTests(r batch.Result) []string {
	var out []string
	for _, t := range r.Tests {
		if !t.Passed {
			out = append(out, t.Name)
		}
	}
	return out
}

// Each sample gets the verdict its bug deserves. Only threadtest's run is
// graded (one machine per submission): usertests exercises none of the
// bugs.
func TestSampleSetVerdicts(t *testing.T) {
	dir := sampleSet(t)
	out := t.TempDir()
	scratch := t.TempDir()
	var progress strings.Builder
	sum, err := batch.Run(context.Background(), dir, batch.Options{
		Scratch:  scratch,
		Lab:      labs.Kthread(),
		Only:     []string{"threadtest", "locks"},
		Backend:  inprocBackend,
		Jobs:     2,
		Out:      out,
		HTML:     true,
		Progress: &progress,
	})
	require.NoError(t, err)
	t.Logf("batch of %d in %.1fs\n%s", sum.Submissions, sum.Elapsed, progress.String())
	require.Equal(t, 5, sum.Graded)
	res := byName(sum)

	ok := res["correct.zip"]
	assert.Equal(t, batch.FullMarks, ok.Verdict, ok.Detail)
	assert.Equal(t, 90, ok.Score)
	assert.Equal(t, []grade.GroupScore{{Name: "locks", Score: 11, Possible: 11}}, ok.ExtraCredit)

	nb := res["does-not-build.zip"]
	assert.Equal(t, batch.NoBuild, nb.Verdict)
	assert.Equal(t, 0, nb.Score)
	assert.Equal(t, 90, nb.Possible)
	assert.Regexp(t, `src/core/thread.c:\d+:\d+: error: 'stak' undeclared`, nb.Detail)
	assert.Contains(t, nb.BuildTail, "np->ustack = stak;")
	// (The sample's Makefile names the repository by its absolute path,
	// which may itself be in the temp folder; the tree's own must not show.)
	assert.NotContains(t, nb.BuildTail, scratch, "paths are shown relative to the tree")

	dl := res["join-deadlock.tar.gz"]
	assert.Equal(t, batch.PointsLost, dl.Verdict)
	assert.Equal(t, 0, dl.Score)
	require.Len(t, dl.Runs, 1)
	assert.Equal(t, "timeout", dl.Runs[0].Ending)
	assert.Contains(t, dl.Detail, `still waiting for the shell prompt after "threadtest"`)

	// The course's tests never let a thread return; only the extra
	// credit from "thread returns" on is lost.
	tr := res["thread-return.zip"]
	assert.Equal(t, batch.FullMarks, tr.Verdict)
	assert.Equal(t, 90, tr.Score)
	assert.Equal(t, []grade.GroupScore{{Name: "locks", Score: 3, Possible: 11}}, tr.ExtraCredit)
	assert.Equal(t, "locks: thread returns", failedTests(tr)[0])
	console, err := os.ReadFile(filepath.Join(out, tr.Dir, "kthread", "running_threadtest.out"))
	require.NoError(t, err)
	assert.Contains(t, string(console), "sepc=0x00000000fffffffe", "the thread returned into 0xffffffff")

	fl := res["console-flood"]
	assert.Equal(t, batch.PointsLost, fl.Verdict)
	assert.Equal(t, 0, fl.Score)
	require.Len(t, fl.Runs, 1)
	assert.Equal(t, "output-limit", fl.Runs[0].Ending)

	for _, name := range []string{"correct.zip", "join-deadlock.tar.gz", "thread-return.zip", "console-flood"} {
		assert.Contains(t, res[name].Files, batch.ReportFile, name)
		assert.Greater(t, res[name].BuildSeconds, 0.0, "%s was built with its own Makefile", name)
	}
	for _, f := range []string{batch.SummaryCSV, batch.SummaryJSON, batch.SummaryHTML} {
		assert.FileExists(t, filepath.Join(out, f))
	}

	// Run again with --resume: nothing is graded twice.
	again, err := batch.Run(context.Background(), dir, batch.Options{
		Lab: labs.Kthread(), Only: []string{"threadtest", "locks"}, Backend: inprocBackend,
		Jobs: 2, Out: out, Resume: true,
	})
	require.NoError(t, err)
	assert.Equal(t, sum.Results, again.Results)
	assert.Less(t, again.Elapsed, 5.0)
}
