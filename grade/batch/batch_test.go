package batch

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
)

// miniLab has one run and two scored children.
func miniLab() *grade.Lab {
	run := &grade.Test{Name: "running t", Run: &grade.Run{Commands: []string{"t"}}}
	return &grade.Lab{Name: "mini", Tests: []*grade.Test{
		run,
		{Name: "t: one", Points: 40, Parent: run, Want: []string{`^ONE OK$`}},
		{Name: "t: two", Points: 60, Parent: run, Want: []string{`^TWO OK$`}},
	}}
}

// fake "boots" a prebuilt kernel file holding the console to print; a
// kernel reading "cancel" stops the batch instead, as a Ctrl-C would.
type fake struct {
	console string
	cancel  context.CancelFunc
	runs    *atomic.Int32
}

func (f fake) Name() string { return "fake" }

func (f fake) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	f.runs.Add(1)
	if f.console == "cancel" {
		f.cancel()
		<-ctx.Done()
		return grade.Outcome{Ending: grade.Aborted, Reason: "cancelled"}
	}
	return grade.Outcome{Console: []byte("$ t\n" + f.console + "$ "), Ending: grade.Finished}
}

// prebuiltSub writes a folder submission with a prebuilt "kernel".
func prebuiltSub(t *testing.T, dir, name, console string) {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Join(p, "kernel"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(p, "kernel", "kernel"), []byte(console), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(p, "fs.img"), []byte("img"), 0o644))
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}

func TestRunSummariesResumeAndInterrupt(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	prebuiltSub(t, dir, "alice", "ONE OK\nTWO OK\n")
	prebuiltSub(t, dir, "bob", "ONE OK\n")
	prebuiltSub(t, dir, "carol", "cancel")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dave.zip"), []byte("not a zip"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o644))

	var runs atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := Options{
		Lab:  miniLab(),
		Jobs: 1,
		Out:  out,
		HTML: true,
		Backend: func(kernel, fs []byte) grade.Backend {
			return fake{console: string(kernel), cancel: cancel, runs: &runs}
		},
	}
	var progress strings.Builder
	opt.Progress = &progress

	// carol's run stops the batch: alice and bob are done, carol and the
	// ones after her are left for --resume.
	sum, err := Run(ctx, dir, opt)
	require.NoError(t, err)
	assert.True(t, sum.Interrupted)
	assert.Equal(t, 5, sum.Submissions)
	assert.Equal(t, 2, sum.Graded, "progress:\n%s", progress.String())
	assert.NoFileExists(t, filepath.Join(out, SubmissionsDir, "carol", ResultFile))
	assert.Equal(t, int32(3), runs.Load())

	// Resumed, only the rest is graded.
	runs.Store(0)
	opt.Resume = true
	opt.Backend = func(kernel, fs []byte) grade.Backend {
		if string(kernel) == "cancel" {
			kernel = []byte("TWO OK\n")
		}
		return fake{console: string(kernel), runs: &runs}
	}
	progress.Reset()
	sum, err = Run(context.Background(), dir, opt)
	require.NoError(t, err)
	assert.False(t, sum.Interrupted)
	assert.Equal(t, 5, sum.Graded)
	assert.Equal(t, int32(1), runs.Load(), "only carol runs again")
	assert.Contains(t, progress.String(), "[5/5] notes.txt: 0/100 bad submission")

	res := map[string]Result{}
	for _, r := range sum.Results {
		res[r.Submission] = r
	}
	assert.Equal(t, FullMarks, res["alice"].Verdict)
	assert.Equal(t, 100, res["alice"].Score)
	assert.Equal(t, PointsLost, res["bob"].Verdict)
	assert.Equal(t, 40, res["bob"].Score)
	assert.Equal(t, "failed: t: two", res["bob"].Detail)
	assert.Equal(t, 60, res["carol"].Score)
	assert.Equal(t, BadSubmission, res["dave.zip"].Verdict)
	assert.Contains(t, res["dave.zip"].Detail, "not a valid zip")
	assert.Equal(t, BadSubmission, res["notes.txt"].Verdict)
	assert.Equal(t, 100, res["notes.txt"].Possible)

	rows := readCSV(t, filepath.Join(out, SummaryCSV))
	require.Len(t, rows, 6)
	assert.Equal(t, []string{"submission", "lab", "verdict", "score", "possible", "running t", "t: one", "t: two",
		"extra_credit", "wall_seconds", "build_seconds", "runs", "detail"}, rows[0])
	assert.Equal(t, []string{"bob", "mini", "points lost", "40", "100", "0", "40", "0"}, rows[2][:8])
	assert.Equal(t, "running t: finished", rows[2][11])

	data, err := os.ReadFile(filepath.Join(out, SummaryJSON))
	require.NoError(t, err)
	var js Summary
	require.NoError(t, json.Unmarshal(data, &js))
	assert.Equal(t, sum.Results, js.Results)

	html, err := os.ReadFile(filepath.Join(out, SummaryHTML))
	require.NoError(t, err)
	page := string(html)
	a, b, c := strings.Index(page, ">alice<"), strings.Index(page, ">carol<"), strings.Index(page, ">bob<")
	assert.True(t, a > 0 && a < b && b < c, "sorted by score: alice 100, carol 60, bob 40")
	assert.Contains(t, page, `href="submissions/bob/transcript.txt"`)
	assert.Contains(t, page, `href="submissions/bob/report.json"`)
	for _, r := range sum.Results {
		for _, f := range r.Files {
			assert.FileExists(t, filepath.Join(out, filepath.FromSlash(r.Dir), f))
		}
	}
	transcript, err := os.ReadFile(filepath.Join(out, SubmissionsDir, "bob", TranscriptFile))
	require.NoError(t, err)
	assert.Contains(t, string(transcript), "Score: 40/100")
	assert.FileExists(t, filepath.Join(out, SubmissionsDir, "bob", "mini", "running_t.out"))
}

func TestHTMLEscapesSubmissionNames(t *testing.T) {
	s := &Summary{Lab: "mini", Results: []Result{{Submission: `<script>x</script>.zip`, ID: "_script_x__script_.zip", Verdict: PointsLost, Files: []string{TranscriptFile}}}}
	var b strings.Builder
	require.NoError(t, s.WriteHTML(&b))
	assert.NotContains(t, b.String(), "<script>")
	assert.Contains(t, b.String(), "&lt;script&gt;")
}

func TestBuildVerdicts(t *testing.T) {
	mk := func(body string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Makefile"), []byte(body), 0o644))
		return dir
	}
	// A compiler error: the verdict carries its last lines.
	_, err := Build(context.Background(), mk("kernel/kernel:\n\t@echo 'proc.c:3:1: error: expected ;'; exit 1\n"), BuildConfig{})
	var be *BuildError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Reason, "make failed")
	assert.Contains(t, be.Tail, "proc.c:3:1: error: expected ;")
	assert.Equal(t, "proc.c:3:1: error: expected ;", firstError(be.Tail))

	// make succeeds but makes nothing.
	_, err = Build(context.Background(), mk("kernel/kernel fs.img:\n\t@true\n"), BuildConfig{})
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Reason, "made no kernel/kernel")

	// A build that never ends is killed, children and all.
	start := time.Now()
	_, err = Build(context.Background(), mk("kernel/kernel:\n\tsleep 60 & sleep 60\n"), BuildConfig{Timeout: 500 * time.Millisecond})
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Reason, "still building after 500ms")
	assert.Less(t, time.Since(start), 10*time.Second)

	// TOOLPREFIX reaches the tree's Makefile.
	log, err := Build(context.Background(), mk("kernel/kernel fs.img:\n\t@echo cc=$(TOOLPREFIX)gcc; mkdir -p kernel; touch kernel/kernel fs.img\n"), BuildConfig{})
	require.NoError(t, err)
	assert.Contains(t, string(log), "cc=riscv64-unknown-elf-gcc")

	// Prebuilt products and no Makefile: nothing to build.
	dir := t.TempDir()
	prebuiltSub(t, dir, "p", "x")
	log, err = Build(context.Background(), filepath.Join(dir, "p"), BuildConfig{})
	assert.NoError(t, err)
	assert.Nil(t, log)
}

func TestLastLines(t *testing.T) {
	assert.Equal(t, "c\nd", lastLines([]byte("a\nb\nc\nd\n"), 2))
	assert.Equal(t, "a\nb", lastLines([]byte("a\nb"), 5))
	tb := &tailBuffer{max: 4}
	tb.Write([]byte("abcdef"))
	assert.Equal(t, "[... earlier build output left out ...]\ncdef", string(tb.bytes()))
}

func TestProgressBarOnATerminal(t *testing.T) {
	var b strings.Builder
	p := newProgress(&b, true, 4, time.Now().Add(-10*time.Second))
	p.resumed(&Result{Verdict: FullMarks})
	p.started("bob.zip")
	p.finished(&Result{Submission: "bob.zip", Verdict: NoBuild, Possible: 100, Detail: "does not build: x.c:1: error: y"})
	p.close()
	out := b.String()
	assert.Contains(t, out, "\r\033[K[2/4] bob.zip: 0/100 does not build (0.0s): does not build: x.c:1: error: y\n")
	assert.Contains(t, out, "[###############...............] 2/4 done, 1 failed, 10s elapsed, ~20s left")
	assert.Contains(t, out, "(bob.zip)", "the bar names the submissions being graded")

	b.Reset()
	p = newProgress(&b, false, 1, time.Now())
	p.started("a")
	p.finished(&Result{Submission: "a", Verdict: FullMarks, Score: 1, Possible: 1})
	p.close()
	assert.Equal(t, "[1/1] a: 1/1 full marks (0.0s)\n", b.String(), "plain lines off a terminal")
}
