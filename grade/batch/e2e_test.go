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

func inprocBackend(kernel, fs []byte) grade.Backend {
	b, err := inproc.New(inproc.Config{Kernel: kernel, FS: fs})
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
	var progress strings.Builder
	sum, err := batch.Run(context.Background(), dir, batch.Options{
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
	for name, r := range res {
		t.Logf("%s: %s %d/%d %v %s", name, r.Verdict, r.Score, r.Possible, r.Runs, r.Detail)
	}
}
