// Package batch grades a folder of submissions, as an instructor does for
// a whole course: each submission (a tree as a folder, a .zip or .tar.gz
// of one, or a folder holding a prebuilt kernel/kernel and fs.img) is
// unpacked safely into a scratch folder, built with its own Makefile,
// graded, and summed up in summary.csv, summary.json and an HTML page.
//
// Submissions run in parallel, each bounded in wall time (its build and
// its grading) and in memory (the build's address space; machines have a
// fixed RAM size and a bounded console), so one hostile submission cannot
// stall or sink the batch. A batch that is interrupted can be resumed: a
// submission whose result.json exists is not graded again.
package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// Verdict sums up one submission.
type Verdict string

const (
	FullMarks     Verdict = "full marks"
	PointsLost    Verdict = "points lost"
	NoBuild       Verdict = "does not build"
	BadSubmission Verdict = "bad submission" // cannot be unpacked, or holds no tree
	WallLimit     Verdict = "wall limit"     // grading ran past its wall-clock bound
	Failed        Verdict = "error"          // the batch could not grade it (see Detail)
)

// DefaultTimeout bounds grading one submission in wall time, after its
// build. Guest time ends each machine run well before (the kthread lab
// needs at most 8 minutes of guest time for all its runs); this catches
// the host that cannot keep up.
const DefaultTimeout = 20 * time.Minute

// Options control a batch.
type Options struct {
	Lab *grade.Lab // the lab, unless LabFor says otherwise
	// LabFor picks the lab version a submission's tree is written for;
	// nil grades every submission with Lab.
	LabFor func(tree string) (*grade.Lab, error)
	Only   []string // grade only these tests (and their parents), as grade.Options.Only
	// Backend makes the backend that boots a submission's kernel and image.
	// It should return grade.Unrunnable for images that cannot boot, so
	// the submission still gets a complete report.
	Backend func(kernel, fs []byte) grade.Backend
	Jobs    int // submissions at once, and machine runs at once; 0 means one per CPU
	Seed    uint64
	Repeat  int
	Out     string // results folder
	Resume  bool   // skip submissions with a result.json in Out
	HTML    bool   // also write index.html
	Build   BuildConfig
	Limits  Limits        // zero means DefaultLimits
	Timeout time.Duration // 0 means DefaultTimeout
	Scratch string        // where trees are unpacked and built; "" means the system's temp folder
	// Progress receives a line per finished submission, or a progress bar
	// when Terminal is set; nil prints nothing.
	Progress io.Writer
	Terminal bool
}

// Result is one submission's outcome, saved as result.json in its folder.
type Result struct {
	Submission   string             `json:"submission"`
	ID           string             `json:"id"`
	Kind         Kind               `json:"kind"`
	Lab          string             `json:"lab,omitempty"`
	Verdict      Verdict            `json:"verdict"`
	Detail       string             `json:"detail,omitempty"`
	Score        int                `json:"score"`
	Possible     int                `json:"possible"`
	ExtraCredit  []grade.GroupScore `json:"extra_credit,omitempty"`
	Tests        []TestScore        `json:"tests"`
	Runs         []RunEnding        `json:"runs,omitempty"`
	BuildTail    string             `json:"build_tail,omitempty"`
	BuildSeconds float64            `json:"build_seconds"`
	GradeSeconds float64            `json:"grade_seconds"`
	WallSeconds  float64            `json:"wall_seconds"`
	Dir          string             `json:"dir"`   // its results, relative to Out
	Files        []string           `json:"files"` // in Dir: transcript, report, build log
}

func (r *Result) has(file string) bool {
	for _, f := range r.Files {
		if f == file {
			return true
		}
	}
	return false
}

// TestScore is one test's points.
type TestScore struct {
	Name   string `json:"name"`
	Group  string `json:"group,omitempty"`
	Points int    `json:"points"`
	Score  int    `json:"score"`
	Passed bool   `json:"passed"`
}

// RunEnding says how one machine run of a top-level test ended.
type RunEnding struct {
	Test   string `json:"test"`
	Seed   uint64 `json:"seed"`
	Ending string `json:"ending"`
	Reason string `json:"reason,omitempty"`
}

// Summary is the whole batch, saved as summary.json.
type Summary struct {
	Lab         string   `json:"lab"`
	Started     string   `json:"started"`
	Elapsed     float64  `json:"elapsed_seconds"`
	Submissions int      `json:"submissions"`
	Graded      int      `json:"graded"` // results present, resumed ones included
	Interrupted bool     `json:"interrupted,omitempty"`
	Results     []Result `json:"results"`
}

// File names in Out and in each submission's folder.
const (
	SubmissionsDir = "submissions"
	ResultFile     = "result.json"
	ReportFile     = "report.json"
	TranscriptFile = "transcript.txt"
	BuildLogFile   = "build.log"
	SummaryCSV     = "summary.csv"
	SummaryJSON    = "summary.json"
	SummaryHTML    = "index.html"
)

// Run grades every submission in dir and writes the summaries. The error
// is for the batch as a whole (dir unreadable, Out not writable); each
// submission's failures are in its Result. When ctx ends, submissions not
// finished are left for --resume and Summary.Interrupted is set.
func Run(ctx context.Context, dir string, opt Options) (*Summary, error) {
	if opt.Lab == nil || opt.Backend == nil || opt.Out == "" {
		return nil, errors.New("batch: Lab, Backend and Out are required")
	}
	if _, err := opt.Lab.Select(opt.Only); err != nil {
		return nil, err
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.NumCPU()
	}
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	subs, err := Find(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opt.Out, SubmissionsDir), 0o755); err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}

	start := time.Now()
	sum := &Summary{Lab: opt.Lab.Name, Started: start.UTC().Format(time.RFC3339), Submissions: len(subs)}
	results := make([]*Result, len(subs))
	var todo []int
	for i, s := range subs {
		if opt.Resume {
			if r, err := loadResult(opt.Out, s); err == nil {
				results[i] = r
				continue
			}
		}
		todo = append(todo, i)
	}

	prog := newProgress(opt.Progress, opt.Terminal, len(subs), start)
	for _, r := range results {
		if r != nil {
			prog.resumed(r)
		}
	}
	machines := make(chan struct{}, opt.Jobs)
	queue := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(opt.Jobs, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				prog.started(subs[i].Name)
				r, _, done := gradeOne(ctx, subs[i], opt, machines)
				if !done {
					prog.stopped(subs[i].Name)
					continue
				}
				if err := saveResult(opt.Out, r); err != nil {
					r.Verdict, r.Detail = Failed, err.Error()
				}
				results[i] = r
				prog.finished(r)
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		queue <- i
	}
	close(queue)
	wg.Wait()
	prog.close()

	sum.Elapsed = time.Since(start).Seconds()
	sum.Interrupted = ctx.Err() != nil
	sum.Results = []Result{}
	for _, r := range results {
		if r != nil {
			sum.Results = append(sum.Results, *r)
		}
	}
	sum.Graded = len(sum.Results)
	if err := sum.write(opt.Out, opt.HTML); err != nil {
		return sum, err
	}
	return sum, nil
}

// Grade unpacks, builds and grades one submission as Run does, saving its
// results in Out/submissions/<ID>, and returns its result and, when it was
// graded, the grading's report. Only Lab, LabFor, Only, Backend, Jobs,
// Seed, Repeat, Out, Build, Limits, Timeout and Scratch apply.
func Grade(ctx context.Context, s Submission, opt Options) (*Result, *grade.Report, error) {
	if opt.Lab == nil || opt.Backend == nil || opt.Out == "" {
		return nil, nil, errors.New("batch: Lab, Backend and Out are required")
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.NumCPU()
	}
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if s.ID == "" {
		s.ID = safeName(s.Name)
	}
	r, rep, done := gradeOne(ctx, s, opt, make(chan struct{}, opt.Jobs))
	if !done {
		return r, nil, context.Cause(ctx)
	}
	return r, rep, saveResult(opt.Out, r)
}

// gradeOne unpacks, builds and grades s. done is false when ctx ended
// before its result was complete: such a submission is graded again by
// the next --resume.
func gradeOne(ctx context.Context, s Submission, opt Options, machines chan struct{}) (r *Result, rep *grade.Report, done bool) {
	start := time.Now()
	if ctx.Err() != nil {
		return nil, nil, false
	}
	r = &Result{Submission: s.Name, ID: s.ID, Kind: s.Kind, Dir: SubmissionsDir + "/" + s.ID, Tests: []TestScore{}, Files: []string{}}
	out := filepath.Join(opt.Out, SubmissionsDir, s.ID)
	defer func() {
		r.WallSeconds = time.Since(start).Seconds()
		if done && !r.has(TranscriptFile) && writeNote(out, r) == nil {
			r.Files = append(r.Files, TranscriptFile)
		}
	}()
	fail := func(v Verdict, err error) (*Result, *grade.Report, bool) {
		r.Verdict, r.Detail = v, oneLine(err.Error())
		return r, nil, ctx.Err() == nil
	}
	if err := os.RemoveAll(out); err != nil {
		return fail(Failed, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fail(Failed, err)
	}
	r.Lab = opt.Lab.Name
	r.Possible, r.Tests = plan(opt.Lab, opt.Only)

	scratch, err := os.MkdirTemp(opt.Scratch, "xv6emu-batch-")
	if err != nil {
		return fail(Failed, err)
	}
	defer os.RemoveAll(scratch)
	if err := Unpack(s, scratch, opt.Limits); err != nil {
		return fail(BadSubmission, err)
	}
	tree, err := FindTree(scratch)
	if err != nil {
		return fail(BadSubmission, err)
	}
	lab := opt.Lab
	if opt.LabFor != nil {
		if lab, err = opt.LabFor(tree); err != nil {
			return fail(BadSubmission, err)
		}
		r.Lab = lab.Name
		r.Possible, r.Tests = plan(lab, opt.Only)
	}

	buildStart := time.Now()
	log, err := Build(ctx, tree, opt.Build)
	r.BuildSeconds = time.Since(buildStart).Seconds()
	if log != nil {
		if werr := os.WriteFile(filepath.Join(out, BuildLogFile), log, 0o644); werr != nil {
			return fail(Failed, werr)
		}
		r.Files = append(r.Files, BuildLogFile)
	}
	var be *BuildError
	switch {
	case errors.As(err, &be):
		r.BuildTail = be.Tail
		if first := firstError(be.Tail); first != "" {
			return fail(NoBuild, fmt.Errorf("%s: %s", be.Reason, first))
		}
		return fail(NoBuild, be)
	case err != nil:
		return fail(Failed, err)
	}
	elf, err := os.ReadFile(filepath.Join(tree, filepath.FromSlash(KernelFile)))
	if err != nil {
		return fail(Failed, err)
	}
	fsimg, err := os.ReadFile(filepath.Join(tree, FSFile))
	if err != nil {
		return fail(Failed, err)
	}
	// The tree is no longer needed; free the scratch space while grading.
	os.RemoveAll(scratch)

	gctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	transcript, err := os.Create(filepath.Join(out, TranscriptFile))
	if err != nil {
		return fail(Failed, err)
	}
	defer transcript.Close()
	gradeStart := time.Now()
	rep, err = grade.Grade(gctx, lab, grade.Options{
		Backend: limited{opt.Backend(elf, fsimg), machines},
		Jobs:    opt.Jobs,
		Seed:    opt.Seed,
		Repeat:  opt.Repeat,
		Only:    opt.Only,
		Results: out,
		Out:     transcript,
	})
	r.GradeSeconds = time.Since(gradeStart).Seconds()
	if ctx.Err() != nil {
		return r, nil, false
	}
	if err != nil {
		return fail(Failed, err)
	}
	r.Files = append(r.Files, TranscriptFile)
	if err := writeJSON(filepath.Join(out, ReportFile), rep); err != nil {
		return fail(Failed, err)
	}
	r.Files = append(r.Files, ReportFile)
	r.fill(rep)
	switch {
	case gctx.Err() != nil:
		r.Verdict = WallLimit
		r.Detail = fmt.Sprintf("grading ran past its wall-clock bound of %v; unfinished runs failed", opt.Timeout)
	case rep.FullMarks():
		r.Verdict = FullMarks
	default:
		r.Verdict = PointsLost
	}
	return r, rep, true
}

// plan lists the tests of lab that only selects, unscored, and the points
// they are worth: what a submission that cannot be graded scores against.
func plan(lab *grade.Lab, only []string) (possible int, tests []TestScore) {
	sel, err := lab.Select(only)
	if err != nil {
		sel = lab.Tests
	}
	tests = []TestScore{}
	for _, t := range sel {
		if t.Group == "" {
			possible += t.Points
		}
		tests = append(tests, TestScore{Name: t.Name, Group: t.Group, Points: t.Points})
	}
	return possible, tests
}

// fill copies a grading's scores into r.
func (r *Result) fill(rep *grade.Report) {
	r.Score, r.Possible = rep.Score, rep.Possible
	if len(rep.Groups) > 0 {
		r.ExtraCredit = rep.Groups
	}
	r.Tests = r.Tests[:0]
	var why []string
	for _, t := range rep.Tests {
		r.Tests = append(r.Tests, TestScore{Name: t.Name, Group: t.Group, Points: t.Points, Score: t.Score, Passed: t.Passed})
		for _, run := range t.Runs {
			r.Runs = append(r.Runs, RunEnding{Test: t.Name, Seed: run.Seed, Ending: run.Ending, Reason: run.Reason})
			if run.Reason != "" {
				why = append(why, t.Name+": "+run.Reason)
			}
		}
	}
	if len(why) == 0 {
		var lost []string
		for _, t := range rep.Tests {
			if !t.Passed {
				lost = append(lost, t.Name)
			}
		}
		if len(lost) > 0 {
			why = append(why, "failed: "+strings.Join(lost, ", "))
		}
	}
	r.Detail = oneLine(strings.Join(why, "; "))
}

// firstError picks the compiler's first error line from a build's output:
// the line a student needs to read first.
func firstError(log string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "error:") || strings.Contains(l, "undefined reference") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// limited makes a backend's runs take a slot of the batch's machines, so
// that -j bounds the machines running at once across all submissions.
type limited struct {
	grade.Backend
	slots chan struct{}
}

func (l limited) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return grade.Outcome{Ending: grade.Aborted, Reason: "stopped before this run started: " + context.Cause(ctx).Error()}
	}
	defer func() { <-l.slots }()
	return l.Backend.Run(ctx, spec)
}

// writeNote writes the transcript of a submission that was not graded: why,
// the build's last lines, and the score gradelib would print.
func writeNote(dir string, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.Submission, r.Detail)
	if r.BuildTail != "" {
		b.WriteString("\n" + r.BuildTail + "\n\n")
	}
	fmt.Fprintf(&b, "Score: 0/%d\n", r.Possible)
	return os.WriteFile(filepath.Join(dir, TranscriptFile), []byte(b.String()), 0o644)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// saveResult writes result.json last and atomically: its presence means
// the submission is done.
func saveResult(out string, r *Result) error {
	return writeJSON(filepath.Join(out, filepath.FromSlash(r.Dir), ResultFile), r)
}

func loadResult(out string, s Submission) (*Result, error) {
	data, err := os.ReadFile(filepath.Join(out, SubmissionsDir, s.ID, ResultFile))
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.Submission != s.Name || r.ID != s.ID {
		return nil, errors.New("result of another submission")
	}
	return &r, nil
}

// writeJSON writes v as indented JSON through a temporary file.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// sortedByScore orders results best first, then by name.
func sortedByScore(rs []Result) []Result {
	out := append([]Result(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Submission < b.Submission
	})
	return out
}
