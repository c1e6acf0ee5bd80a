// Package compare runs a lab on both guest architectures at once and sets
// the results side by side: per case the verdict, the guest instructions
// and guest time on each board, and whether the verdicts or the lines the
// grader matched differ (with both console excerpts when they do); then
// what the emulator measured of each run (system calls, page faults,
// address-space switches, atomic instructions, lock hand-overs, time
// skipped while waiting or spinning), and how threads start (trapframe,
// entry registers or stack words). It is the logic behind `xv6emu
// compare`, free of the CLI so it can be tested with any grade.Backend.
//
// The runs of both sides share one pool of workers, costliest first. A
// usertests run whose image can split it (our usertests -s K/N) may run as
// shards on machines of their own, since a comparison cannot end before
// its longest run; grading keeps the course's one run (see shard.go).
package compare

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// Side is one architecture's half of a comparison.
type Side struct {
	Arch    grade.Arch
	Backend grade.Backend // a *MachineBackend gives Stats; others give none
}

// Options control a comparison.
type Options struct {
	Sides  [2]Side // conventionally RISC-V first
	Seed   uint64
	Repeat int      // runs per top-level test and arch; 0 means 1
	Jobs   int      // machine runs at once, both sides together; 0 means one per host CPU
	Only   []string // as grade.Options.Only
	// Shards is how many runs each usertests run is split into on a side
	// whose image can run shards (see shard.go); 0 means two on the side
	// that costs more and whole runs on the other, 1 whole runs.
	Shards int
}

// Cell is one case on one architecture.
type Cell struct {
	Passed  bool     `json:"passed"`
	Verdict string   `json:"verdict"` // "ok", "FAIL", "flaky"
	Ending  string   `json:"ending"`  // how the case's run ended (its parent's for a child)
	Insns   uint64   `json:"instructions"`
	Guest   float64  `json:"guest_seconds"`
	Matched []string `json:"matched,omitempty"` // console lines the case's patterns matched
	Message string   `json:"message,omitempty"`
	Excerpt []string `json:"excerpt,omitempty"` // console lines shown for a difference
}

// Row is one case of the lab on both architectures.
type Row struct {
	Case    string  `json:"case"`
	Parent  string  `json:"parent,omitempty"`
	Points  int     `json:"points"`
	Group   string  `json:"group,omitempty"`
	Cells   [2]Cell `json:"arches"`
	Differs bool    `json:"differs"`
	Why     string  `json:"why,omitempty"` // "verdict", "output" or both
}

// Measured is what the emulator counted during one top-level case's runs
// (summed over seeds) on one architecture.
type Measured struct {
	Case  string `json:"case"`
	Arch  string `json:"arch"`
	Stats Stats  `json:"stats"`
	Known bool   `json:"measured"` // false when the backend reports no Stats
}

// Result is a whole comparison.
type Result struct {
	Lab      string           `json:"lab"`
	Arches   [2]grade.Arch    `json:"arch_names"`
	Seed     uint64           `json:"seed"`
	Repeat   int              `json:"repeat"`
	Rows     []Row            `json:"cases"`
	Measured []Measured       `json:"measured"`
	Reports  [2]*grade.Report `json:"reports"`
}

// OK reports whether both architectures gave full marks and no case
// differs: the exit status 0 of `xv6emu compare`.
func (r *Result) OK() bool {
	for _, rep := range r.Reports {
		if rep == nil || !rep.FullMarks() {
			return false
		}
	}
	for _, row := range r.Rows {
		if row.Differs || !row.Cells[0].Passed || !row.Cells[1].Passed {
			return false
		}
	}
	return true
}

// Differences counts the rows that differ.
func (r *Result) Differences() int {
	n := 0
	for _, row := range r.Rows {
		if row.Differs {
			n++
		}
	}
	return n
}

// Run grades lab on both sides in parallel and compares the reports.
func Run(ctx context.Context, lab *grade.Lab, opt Options) (*Result, error) {
	if opt.Repeat <= 0 {
		opt.Repeat = 1
	}
	var recs [2]*recorder
	var errs [2]error
	res := &Result{Lab: lab.Name, Seed: opt.Seed, Repeat: opt.Repeat}
	for i, s := range opt.Sides {
		if s.Backend == nil {
			return nil, fmt.Errorf("compare: no backend for %s", s.Arch)
		}
		res.Arches[i] = s.Arch
		recs[i] = &recorder{inner: s.Backend, runs: make(map[runKey]record)}
	}
	if err := lab.Validate(); err != nil {
		return nil, err
	}
	tests, err := lab.Select(opt.Only)
	if err != nil {
		return nil, err
	}
	seeds := make([]uint64, opt.Repeat)
	for k := range seeds {
		seeds[k] = opt.Seed + uint64(k)
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.NumCPU()
	}
	shards := shardCounts(opt)
	cost := [2]float64{archCost(opt.Sides[0].Arch), archCost(opt.Sides[1].Arch)}
	start := time.Now()
	runBoth(ctx, tests, seeds, recs, opt.Jobs, shards, cost)
	for _, t := range tests {
		for i, rec := range recs {
			if shards[i] > 1 && isUsertests(t) {
				for _, seed := range seeds {
					rec.compose(ctx, t, seed, shards[i])
				}
			}
		}
	}
	// Every run is recorded: grading replays them, and each report's
	// elapsed time is that of the runs, which both sides made together.
	for i := range recs {
		res.Reports[i], errs[i] = grade.Grade(ctx, lab, grade.Options{
			Backend: recs[i],
			Seed:    opt.Seed,
			Repeat:  opt.Repeat,
			Only:    opt.Only,
		})
		if errs[i] != nil {
			return nil, fmt.Errorf("compare: %s: %w", opt.Sides[i].Arch, errs[i])
		}
		res.Reports[i].Elapsed = time.Since(start).Seconds()
	}
	for _, t := range tests {
		res.Rows = append(res.Rows, compareCase(t, res.Reports, recs, seeds))
		if t.Run == nil {
			continue
		}
		for i := range recs {
			m := Measured{Case: t.Name, Arch: string(res.Arches[i])}
			for _, seed := range seeds {
				rec := recs[i].get(t.Run, seed)
				m.Known = m.Known || rec.known
				m.Stats.add(rec.stats)
			}
			res.Measured = append(res.Measured, m)
		}
	}
	return res, nil
}

// compareCase builds the row of test t from both reports and the recorded
// consoles of its runs.
func compareCase(t *grade.Test, reps [2]*grade.Report, recs [2]*recorder, seeds []uint64) Row {
	row := Row{Case: t.Name, Points: t.Points, Group: t.Group}
	if t.Parent != nil {
		row.Parent = t.Parent.Name
	}
	root := t
	for root.Parent != nil {
		root = root.Parent
	}
	pats := compilePatterns(t.Want)
	var matched [2]string
	for i := range reps {
		c := &row.Cells[i]
		tr := findTest(reps[i], t.Name)
		if tr != nil {
			c.Passed, c.Message = tr.Passed, tr.Message
			c.Verdict = "ok"
			switch {
			case tr.Flaky:
				c.Verdict = "flaky"
			case !tr.Passed:
				c.Verdict = "FAIL"
			}
		}
		var endings []string
		var consoles [][]byte
		for _, seed := range seeds {
			rec := recs[i].get(root.Run, seed)
			c.Insns += rec.stats.Insns
			c.Guest += rec.outcome.Guest.Seconds()
			endings = append(endings, rec.outcome.Ending.String())
			consoles = append(consoles, rec.outcome.Console)
		}
		c.Ending = strings.Join(dedupe(endings), ",")
		// Each console's matched lines count once: a run in shards prints
		// its last line once per shard, and the other side may run whole.
		var lines []string
		for _, con := range consoles {
			lines = append(lines, dedupe(matchedLines(con, pats))...)
		}
		c.Matched = dedupe(lines)
		matched[i] = strings.Join(lines, "\n")
		if len(consoles) > 0 {
			c.Excerpt = excerpt(consoles[0], pats)
		}
	}
	var why []string
	if row.Cells[0].Verdict != row.Cells[1].Verdict {
		why = append(why, "verdict")
	}
	if matched[0] != matched[1] {
		why = append(why, "output")
	}
	row.Differs = len(why) > 0
	row.Why = strings.Join(why, "+")
	if !row.Differs {
		row.Cells[0].Excerpt, row.Cells[1].Excerpt = nil, nil
	}
	return row
}

func findTest(r *grade.Report, name string) *grade.TestResult {
	if r == nil {
		return nil
	}
	for i := range r.Tests {
		if r.Tests[i].Name == name {
			return &r.Tests[i]
		}
	}
	return nil
}

// compilePatterns compiles the grader's want patterns as Go regexps for
// finding the lines they match. The grader itself decides verdicts; this
// only picks the observable lines, so a pattern Go cannot compile is left
// out rather than failing the comparison.
func compilePatterns(src []string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, p := range src {
		if re, err := regexp.Compile(p); err == nil {
			out = append(out, re)
		}
	}
	return out
}

func consoleLines(console []byte) []string {
	s := strings.ReplaceAll(string(console), "\r", "")
	return strings.Split(s, "\n")
}

// matchedLines are the console lines any pattern matches at the start.
func matchedLines(console []byte, pats []*regexp.Regexp) []string {
	var out []string
	for _, line := range consoleLines(console) {
		for _, re := range pats {
			if loc := re.FindStringIndex(line); loc != nil && loc[0] == 0 {
				out = append(out, line)
				break
			}
		}
	}
	return out
}

// excerptLines is how many console lines a difference shows per arch.
const excerptLines = 8

// excerpt is what to show of a console for a difference: the lines just
// before and at the first match, or the console's last lines when nothing
// matched (where a failing run stopped).
func excerpt(console []byte, pats []*regexp.Regexp) []string {
	lines := consoleLines(console)
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	end := len(lines)
	for i, line := range lines {
		hit := false
		for _, re := range pats {
			if loc := re.FindStringIndex(line); loc != nil && loc[0] == 0 {
				hit = true
				break
			}
		}
		if hit {
			end = i + 1
			break
		}
	}
	start := max(0, end-excerptLines)
	out := make([]string, 0, end-start)
	for _, line := range lines[start:end] {
		out = append(out, printable(line))
	}
	return out
}

// printable drops control characters (a guest may print anything) so an
// excerpt cannot move a terminal's cursor or break a page.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func dedupe(s []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// runBoth makes every run of tests on both sides, each once (usertests as
// shards[i] shards on side i), on one pool of jobs workers, costliest
// first. One pool rather than a grader per side: more machines than host
// CPUs only share them (and pay for goroutine preemption). A run's cost
// is guessed from its timeout times its side's cost[i], a shard's as that
// product's share.
func runBoth(ctx context.Context, tests []*grade.Test, seeds []uint64, recs [2]*recorder, jobs int, shards [2]int, cost [2]float64) {
	type job struct {
		rec    *recorder
		spec   grade.RunSpec
		weight float64
	}
	var queue []job
	for _, t := range tests {
		if t.Run == nil {
			continue
		}
		for _, seed := range seeds {
			for i, rec := range recs {
				specs := runSpecs(t, seed, shards[i])
				for _, spec := range specs {
					queue = append(queue, job{rec, spec, spec.Timeout.Seconds() * cost[i] / float64(len(specs))})
				}
			}
		}
	}
	sort.SliceStable(queue, func(i, j int) bool { return queue[i].weight > queue[j].weight })
	next := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < min(jobs, len(queue)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if ctx.Err() == nil {
					j.rec.prerun(ctx, j.spec)
				}
			}
		}()
	}
	for _, j := range queue {
		next <- j
	}
	close(next)
	wg.Wait()
}

// statsRunner is a backend that measures its runs (*MachineBackend).
type statsRunner interface {
	RunStats(ctx context.Context, spec grade.RunSpec) (grade.Outcome, Stats)
}

type runKey struct {
	commands string
	seed     uint64
}

type record struct {
	outcome grade.Outcome
	stats   Stats
	known   bool
}

// recorder keeps every run's outcome and stats for the comparison, keyed
// by the session and seed (which is all that tells a lab's runs apart).
type recorder struct {
	inner grade.Backend
	mu    sync.Mutex
	runs  map[runKey]record
}

func (r *recorder) Name() string { return r.inner.Name() }

// prerun makes a run ahead of grading. A backend that panics leaves no
// record: the grader then makes the run itself and reports the panic.
func (r *recorder) prerun(ctx context.Context, spec grade.RunSpec) {
	defer func() { _ = recover() }()
	r.record(ctx, spec)
}

// Run replays a recorded run, or makes and records it.
func (r *recorder) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	r.mu.Lock()
	rec, ok := r.runs[keyOf(spec)]
	r.mu.Unlock()
	if ok {
		return rec.outcome
	}
	return r.record(ctx, spec)
}

func keyOf(spec grade.RunSpec) runKey {
	return runKey{strings.Join(spec.Commands, "\x00"), spec.Seed}
}

func (r *recorder) record(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	var rec record
	if sr, ok := r.inner.(statsRunner); ok {
		rec.outcome, rec.stats = sr.RunStats(ctx, spec)
		rec.known = true
	} else {
		rec.outcome = r.inner.Run(ctx, spec)
	}
	r.mu.Lock()
	r.runs[keyOf(spec)] = rec
	r.mu.Unlock()
	return rec.outcome
}

func (r *recorder) get(run *grade.Run, seed uint64) record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[keyOf(run.Spec(seed))]
}
