package grade

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options control a grading.
type Options struct {
	Backend Backend
	Jobs    int      // machine runs at once; 0 means one per CPU
	Seed    uint64   // first interleaving seed; also shuffles the run order
	Repeat  int      // runs per top-level test, with seeds Seed, Seed+1, ...; 0 means 1
	Only    []string // grade only tests whose name contains one of these (and their parents)
	// Results is the directory under which each run's console is saved as
	// <lab>/<test>.out (<test>.seed<N>.out with Repeat > 1). "" saves
	// nothing.
	Results string
	Out     io.Writer // gradelib-style progress and results; nil discards
	Color   bool      // colour OK/FAIL and the failure markers (for terminals)
}

// runState collects the outcomes of one top-level test's runs.
type runState struct {
	test     *Test
	seeds    []uint64
	outcomes []Outcome
	files    []string // saved console per seed, "" if not saved
	saveErr  []error
	mu       sync.Mutex
	pending  int
	done     chan struct{}
}

// prepared is a test with its patterns compiled.
type prepared struct {
	*Test
	want, reject []pattern
}

// Grade runs the selected tests of lab and reports the result. Output is
// printed in lab order as soon as each test's runs are over, while later
// runs go on in parallel. The error is non-nil only for bad options or a
// results directory that cannot be created; failing tests are in the
// report.
func Grade(ctx context.Context, lab *Lab, opt Options) (*Report, error) {
	if opt.Backend == nil {
		return nil, fmt.Errorf("grade: no backend")
	}
	if err := lab.Validate(); err != nil {
		return nil, err
	}
	tests, err := lab.Select(opt.Only)
	if err != nil {
		return nil, err
	}
	if opt.Repeat <= 0 {
		opt.Repeat = 1
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.NumCPU()
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	dir := ""
	if opt.Results != "" {
		dir = filepath.Join(opt.Results, lab.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("grade: results directory: %w", err)
		}
		// Find out now, not after the whole grade, that consoles cannot
		// be saved there.
		probe, err := os.CreateTemp(dir, ".writable-*")
		if err != nil {
			return nil, fmt.Errorf("grade: results directory: %w", err)
		}
		probe.Close()
		os.Remove(probe.Name())
	}

	preps := make([]prepared, len(tests))
	states := make(map[*Test]*runState)
	var order []*runState
	for i, t := range tests {
		if preps[i], err = prepare(t); err != nil {
			return nil, err
		}
		if t.Run != nil {
			states[t] = newRunState(t, opt, dir)
			order = append(order, states[t])
		}
	}

	start := time.Now()
	go runAll(ctx, opt, schedule(order, opt))

	rep := &Report{
		Lab:     lab.Name,
		Backend: opt.Backend.Name(),
		Seed:    opt.Seed,
		Repeat:  opt.Repeat,
		Groups:  []GroupScore{},
	}
	pr := printer{w: opt.Out, color: opt.Color}
	passed := make(map[*Test]bool)
	for i := range preps {
		t := &preps[i]
		pr.header(t.Test)
		st := states[t.root()]
		<-st.done
		res, msg := evaluate(t, st, passed, opt.Repeat)
		// Children judge their parent's console as gradelib does, even
		// when its run ended early; the report says how it ended.
		passed[t.Test] = res.Passed
		pr.result(t.Test, st, res, msg)
		markUnfinished(t.Test, st, &res)
		rep.add(res)
	}
	rep.Elapsed = seconds(time.Since(start))
	pr.footer(rep)
	return rep, nil
}

// prepare compiles the patterns of t.
func prepare(t *Test) (prepared, error) {
	p := prepared{Test: t}
	var err error
	if p.want, err = compileAll(t.Want); err != nil {
		return p, err
	}
	p.reject, err = compileAll(t.Reject)
	return p, err
}

// newRunState sets up the runs of top-level test t: one per seed, each
// with the file its console is saved in (none if dir is "").
func newRunState(t *Test, opt Options, dir string) *runState {
	st := &runState{
		test:     t,
		outcomes: make([]Outcome, opt.Repeat),
		files:    make([]string, opt.Repeat),
		saveErr:  make([]error, opt.Repeat),
		pending:  opt.Repeat,
		done:     make(chan struct{}),
	}
	for k := 0; k < opt.Repeat; k++ {
		seed := opt.Seed + uint64(k)
		st.seeds = append(st.seeds, seed)
		if dir != "" {
			st.files[k] = filepath.Join(dir, consoleFile(t.Name, opt.Repeat, seed))
		}
	}
	return st
}

// job is one run: seed index k of a test.
type job struct {
	st *runState
	k  int
}

// schedule orders the runs: longest timeouts first so the slowest runs
// start early, then shuffled by the seed when there is one.
func schedule(states []*runState, opt Options) []job {
	var jobs []job
	for _, st := range states {
		for k := range st.seeds {
			jobs = append(jobs, job{st, k})
		}
	}
	sort.SliceStable(jobs, func(i, j int) bool {
		return jobs[i].st.test.Run.timeout() > jobs[j].st.test.Run.timeout()
	})
	if opt.Seed != 0 {
		rng := opt.Seed*0x9E3779B97F4A7C15 | 1
		for i := len(jobs) - 1; i > 0; i-- {
			rng ^= rng << 13
			rng ^= rng >> 7
			rng ^= rng << 17
			j := int(rng % uint64(i+1))
			jobs[i], jobs[j] = jobs[j], jobs[i]
		}
	}
	return jobs
}

// runAll runs the jobs on opt.Jobs workers.
func runAll(ctx context.Context, opt Options, jobs []job) {
	queue := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < min(opt.Jobs, len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				runJob(ctx, opt.Backend, j)
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
}

func runJob(ctx context.Context, b Backend, j job) {
	st, k := j.st, j.k
	spec := st.test.Run.Spec(st.seeds[k])
	// The console file is created before the run and handed to the
	// backend, which may stream the console into it as the guest prints
	// (so a long run can be watched with tail -f).
	var saved *savedConsole
	var err error
	if st.files[k] != "" {
		if saved, err = createSaved(st.files[k]); err == nil {
			spec.Console = saved
		}
	}
	var o Outcome
	if ctx.Err() != nil {
		o = Outcome{Ending: Aborted, Reason: "grading was cancelled before this run started"}
	} else {
		o = safeRun(ctx, b, spec)
	}
	if saved != nil {
		err = saved.finish(o.Console)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.outcomes[k] = o
	st.saveErr[k] = err
	if st.pending--; st.pending == 0 {
		close(st.done)
	}
}

// savedConsole is a run's console file.
type savedConsole struct {
	f   *os.File
	n   int64 // bytes streamed into it
	err error // the first write error
}

func createSaved(path string) (*savedConsole, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &savedConsole{f: f}, nil
}

// Write takes streamed console output. A write error is kept for the
// report; the run goes on.
func (s *savedConsole) Write(p []byte) (int, error) {
	if s.err == nil {
		_, s.err = s.f.Write(p)
		s.n += int64(len(p))
	}
	return len(p), nil
}

// finish makes the file hold the run's console: a backend that does not
// stream (or streamed something else, such as a console replaced by a Go
// panic's stack) gets the outcome's console written whole.
func (s *savedConsole) finish(console []byte) error {
	if s.err == nil && s.n != int64(len(console)) {
		if _, s.err = s.f.Seek(0, io.SeekStart); s.err == nil {
			if s.err = s.f.Truncate(0); s.err == nil {
				_, s.err = s.f.Write(console)
			}
		}
	}
	if err := s.f.Close(); s.err == nil {
		s.err = err
	}
	return s.err
}

// safeRun runs spec on b. A Go panic in the backend is an emulator bug, but
// one submission must not take down the grading of the others: it becomes
// a failed run whose console ends with the stack.
func safeRun(ctx context.Context, b Backend, spec RunSpec) (o Outcome) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			o = Outcome{
				Console: fmt.Appendf(nil, "\nxv6emu: Go panic: %v\n%s", r, debug.Stack()),
				Ending:  Failed,
				Reason:  fmt.Sprintf("emulator bug (please report it): Go panic: %v", r),
			}
		}
		if o.Wall == 0 {
			o.Wall = time.Since(start)
		}
	}()
	return b.Run(ctx, spec)
}

// consoleFile names the file a run's console is saved in.
func consoleFile(test string, repeat int, seed uint64) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, test)
	if repeat > 1 {
		return fmt.Sprintf("%s.seed%d.out", name, seed)
	}
	return name + ".out"
}

// evaluate grades test t from the runs in st (its own, or its root's).
func evaluate(t *prepared, st *runState, passed map[*Test]bool, repeat int) (TestResult, message) {
	res := TestResult{
		Name:   t.Name,
		Group:  t.Group,
		Points: t.Points,
	}
	if t.Parent != nil {
		res.Parent = t.Parent.Name
	}
	if t.Run != nil {
		for k, o := range st.outcomes {
			res.Runs = append(res.Runs, RunResult{
				Seed:         st.seeds[k],
				Ending:       o.Ending.String(),
				Reason:       o.Reason,
				GuestSeconds: seconds(o.Guest),
				WallSeconds:  seconds(o.Wall),
				Console:      st.files[k],
			})
			res.Seconds = max(res.Seconds, seconds(o.Wall))
		}
	}
	if t.Parent != nil && !passed[t.Parent] {
		var m message
		m.note("Parent failed: %s", t.Parent.Name)
		res.Message = m.render(false)
		return res, m
	}

	var first message
	var failed, ok []uint64
	for k, o := range st.outcomes {
		m := check(t, st, k, o)
		if m == nil {
			ok = append(ok, st.seeds[k])
			continue
		}
		if first == nil {
			first = m
		}
		failed = append(failed, st.seeds[k])
	}
	if len(failed) == 0 {
		res.Passed = true
		res.Score = t.Points
		return res, nil
	}
	res.FailedSeeds = failed
	if repeat > 1 {
		var head message
		if len(ok) > 0 {
			res.Flaky = true
			head.note("flaky: failed with --seed %s; passed with --seed %s", seedList(failed), seedList(ok))
		} else {
			head.note("failed with every seed (%s)", seedList(failed))
		}
		first = append(head, first...)
	}
	res.Message = first.render(false)
	return res, first
}

// markUnfinished fails, in the report only, a zero-point test whose run
// did not finish (a "running threadtest" that timed out, panicked or
// flooded): its only meaning is that the run went well. gradelib prints
// nothing but "Timeout!" for it and goes on grading its children on the
// console, and so does the grader; points are not affected.
func markUnfinished(t *Test, st *runState, res *TestResult) {
	if t.Run == nil || t.Points != 0 || !res.Passed {
		return
	}
	for k, o := range st.outcomes {
		if o.Ending == Finished {
			continue
		}
		res.Passed = false
		msg := fmt.Sprintf("the run did not finish: %s", o.Reason)
		if len(st.seeds) > 1 || st.seeds[k] != 0 {
			msg += fmt.Sprintf(" (--seed %d)", st.seeds[k])
		}
		res.Message = msg
		return
	}
}

// check grades one run's outcome for t, returning nil on success.
func check(t *prepared, st *runState, k int, o Outcome) message {
	if o.Ending == Failed {
		// Only a top-level test gets here: its children see it failed.
		var m message
		m.note("%s", o.Reason)
		return m
	}
	m := matchLines(o.Console, t.want, t.reject)
	if m == nil {
		return nil
	}
	if o.Ending != Finished {
		m.note("run ended early: %s", o.Reason)
	}
	if st.files[k] != "" {
		if err := st.saveErr[k]; err != nil {
			m.note("console not saved: %v", err)
		} else {
			m.note("full console: %s", st.files[k])
		}
	}
	if st.seeds[k] != 0 || len(st.seeds) > 1 {
		m.note("reproduce with --seed %d", st.seeds[k])
	}
	return m
}

func seedList(seeds []uint64) string {
	s := make([]string, len(seeds))
	for i, v := range seeds {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}

func seconds(d time.Duration) float64 { return d.Seconds() }
