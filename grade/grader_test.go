package grade

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// miniLab is shaped like the kthread lab: a zero-point run whose children
// check its console, a test with its own run, and an extra-credit child.
func miniLab() *Lab {
	tt := &Test{Name: "running threadtest", Run: &Run{Commands: []string{"threadtest"}, Timeout: 60 * time.Second}}
	return &Lab{Name: "mini", Tests: []*Test{
		tt,
		{Name: "threadtest: test1", Points: 10, Parent: tt, Want: []string{`^TEST1 PASSED$`}},
		{Name: "threadtest: test2", Points: 20, Parent: tt, Want: []string{`^TEST2 PASSED$`}},
		{Name: "usertests", Points: 10, Want: []string{`^ALL TESTS PASSED$`},
			Run: &Run{Commands: []string{"usertests"}, Timeout: 300 * time.Second}},
		{Name: "locks: ticket", Points: 5, Group: "locks", Parent: tt, Want: []string{`^TEST9 PASSED$`}},
	}}
}

func goodShell() *fakeShell {
	return &fakeShell{
		boot: "xv6 kernel is booting\n\ninit: starting sh\n",
		wall: 1200 * time.Millisecond,
		programs: map[string]program{
			"threadtest": prints("TEST1 PASSED\nTEST2 PASSED\nTEST9 PASSED\n"),
			"usertests":  prints("test sbrk: OK\nALL TESTS PASSED\n"),
		},
	}
}

func grade(t *testing.T, lab *Lab, opt Options) (*Report, string) {
	t.Helper()
	var out strings.Builder
	opt.Out = &out
	rep, err := Grade(context.Background(), lab, opt)
	require.NoError(t, err)
	return rep, out.String()
}

func TestGradeFullMarksOutput(t *testing.T) {
	rep, out := grade(t, miniLab(), Options{Backend: goodShell(), Jobs: 2})
	assert.Equal(t, `== Test running threadtest == (1.2s) 
== Test   threadtest: test1 == 
  threadtest: test1: OK 
== Test   threadtest: test2 == 
  threadtest: test2: OK 
== Test usertests == usertests: OK (1.2s) 
== Test   locks: ticket == 
  locks: ticket: OK 
Extra credit (locks): 5/5
Score: 40/40
`, out)
	assert.True(t, rep.FullMarks())
	assert.Equal(t, 40, rep.Score)
	assert.Equal(t, 40, rep.Possible)
	assert.Equal(t, []GroupScore{{"locks", 5, 5}}, rep.Groups)
	require.Len(t, rep.Tests, 5)
	assert.Equal(t, "running threadtest", rep.Tests[1].Parent)
	require.Len(t, rep.Tests[0].Runs, 1)
	assert.Equal(t, "finished", rep.Tests[0].Runs[0].Ending)
}

func TestGradeChildFailureShowsMissingLineAndTail(t *testing.T) {
	sh := goodShell()
	sh.programs["threadtest"] = prints("TEST1 PASSED\nTEST2 FAILED: join returned -1\n")
	rep, out := grade(t, miniLab(), Options{Backend: sh, Jobs: 1})
	assert.Contains(t, out, `== Test   threadtest: test2 == 
  threadtest: test2: FAIL 
         xv6 kernel is booting
         
         init: starting sh
         $ threadtest
         TEST1 PASSED
         TEST2 FAILED: join returned -1
         $ 
    MISSING '^TEST2 PASSED$'
`)
	assert.Equal(t, 20, rep.Score)
	assert.Equal(t, 40, rep.Possible)
	assert.False(t, rep.FullMarks())
	assert.True(t, strings.HasSuffix(out, "Extra credit (locks): 0/5\nScore: 20/40\n"), out)
	assert.False(t, rep.Tests[2].Passed)
	assert.Contains(t, rep.Tests[2].Message, "MISSING '^TEST2 PASSED$'")
}

func TestGradeFailureLinesAreIndentedFourSpaces(t *testing.T) {
	sh := goodShell()
	sh.programs["usertests"] = prints("test sbrk: FAILED\n")
	_, out := grade(t, miniLab(), Options{Backend: sh})
	i := strings.Index(out, "usertests: FAIL")
	require.GreaterOrEqual(t, i, 0, out)
	block := out[i : strings.Index(out[i:], "== Test   locks")+i]
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	for _, l := range lines[1:] {
		assert.True(t, strings.HasPrefix(l, "    "), "line %q", l)
	}
	assert.Equal(t, "    MISSING '^ALL TESTS PASSED$'", lines[len(lines)-1])
}

func TestGradeUnrunnableBackendFailsEveryTestWithTheReason(t *testing.T) {
	b := Unrunnable("xv6emu", os.ErrNotExist)
	rep, out := grade(t, miniLab(), Options{Backend: b})
	assert.Contains(t, out, "== Test running threadtest == \n    file does not exist\n")
	assert.Contains(t, out, "  threadtest: test1: FAIL \n    Parent failed: running threadtest\n")
	assert.Contains(t, out, "== Test usertests == usertests: FAIL \n    file does not exist\n")
	assert.Equal(t, 0, rep.Score)
	assert.Equal(t, "error", rep.Tests[0].Runs[0].Ending)
	assert.Equal(t, "Parent failed: running threadtest", rep.Tests[1].Message)
}

func TestGradeTimeoutIsReportedLikeGradelib(t *testing.T) {
	sh := goodShell()
	sh.programs["usertests"] = func(uint64) (string, Ending) { return "test bigfile: ", TimedOut }
	_, out := grade(t, miniLab(), Options{Backend: sh})
	assert.Contains(t, out, "== Test usertests == Timeout! usertests: FAIL (1.2s) \n")
	assert.Contains(t, out, `    run ended early: timeout: waiting for the shell prompt after "usertests"`)
}

func TestGradePanicEndsRunAndChildrenExplainIt(t *testing.T) {
	sh := goodShell()
	sh.programs["threadtest"] = func(uint64) (string, Ending) { return "TEST1 PASSED\npanic: sched locks\n", Panicked }
	rep, out := grade(t, miniLab(), Options{Backend: sh})
	assert.False(t, rep.Tests[0].Passed, "the report says the run did not finish")
	assert.Equal(t, "the run did not finish: panic in threadtest", rep.Tests[0].Message)
	assert.True(t, rep.Tests[1].Passed, "children judge the console, as gradelib does")
	assert.False(t, rep.Tests[2].Passed)
	assert.Contains(t, out, "    run ended early: panic in threadtest\n")
	assert.Equal(t, 20, rep.Score)
}

// A zero-point run that timed out is not "passed" in the report (gradelib
// prints only "Timeout!" for it), while its children are still graded on
// the console it printed, and the score is gradelib's.
func TestGradeUnfinishedRunIsNotPassed(t *testing.T) {
	for _, end := range []Ending{TimedOut, WallClock} {
		sh := goodShell()
		sh.programs["threadtest"] = func(uint64) (string, Ending) { return "TEST1 PASSED\nTEST2 PASSED\n", end }
		rep, out := grade(t, miniLab(), Options{Backend: sh})
		assert.Contains(t, out, "== Test running threadtest == Timeout! (1.2s) \n", end)
		assert.False(t, rep.Tests[0].Passed, end)
		assert.Contains(t, rep.Tests[0].Message, "the run did not finish: ")
		assert.True(t, rep.Tests[1].Passed)
		assert.True(t, rep.Tests[2].Passed)
		assert.False(t, rep.Tests[4].Passed, "TEST9 never printed")
		assert.Equal(t, 40, rep.Score)
	}
}

func TestGradeRejectPattern(t *testing.T) {
	lab := &Lab{Name: "rej", Tests: []*Test{{
		Name: "quiet", Points: 3, Run: &Run{Commands: []string{"threadtest"}},
		Want: []string{`^TEST1`}, Reject: []string{`^TEST2`},
	}}}
	rep, out := grade(t, lab, Options{Backend: goodShell()})
	assert.Equal(t, 0, rep.Score)
	assert.Contains(t, out, "BAD  TEST2 PASSED")
	assert.Contains(t, out, "    unexpected lines in output\n")
}

func TestGradeOnlySelectsTestAndParent(t *testing.T) {
	sh := goodShell()
	rep, out := grade(t, miniLab(), Options{Backend: sh, Only: []string{"TEST2"}})
	assert.Equal(t, `== Test running threadtest == (1.2s) 
== Test   threadtest: test2 == 
  threadtest: test2: OK 
Score: 20/20
`, out)
	assert.Equal(t, 20, rep.Possible)
	require.Len(t, sh.specs(), 1, "usertests must not run")
	assert.Equal(t, []string{"threadtest"}, sh.specs()[0].Commands)
}

func TestGradeUnknownFilterIsAnError(t *testing.T) {
	_, err := Grade(context.Background(), miniLab(), Options{Backend: goodShell(), Only: []string{"nope"}})
	assert.EqualError(t, err, `lab mini has no test matching "nope" (see --list)`)
}

func TestGradeRunSpecCarriesTimeoutPromptAndSeed(t *testing.T) {
	sh := goodShell()
	grade(t, miniLab(), Options{Backend: sh, Seed: 7, Jobs: 1})
	specs := sh.specs()
	require.Len(t, specs, 2)
	byCmd := map[string]RunSpec{}
	for _, s := range specs {
		byCmd[s.Commands[0]] = s
	}
	assert.Equal(t, RunSpec{Commands: []string{"usertests"}, Prompt: "$ ", Timeout: 300 * time.Second, Seed: 7}, byCmd["usertests"])
	assert.Equal(t, RunSpec{Commands: []string{"threadtest"}, Prompt: "$ ", Timeout: 60 * time.Second, Seed: 7}, byCmd["threadtest"])
}

func TestGradeDefaultTimeout(t *testing.T) {
	sh := goodShell()
	lab := &Lab{Name: "d", Tests: []*Test{{Name: "x", Run: &Run{Commands: []string{"usertests"}}}}}
	grade(t, lab, Options{Backend: sh})
	assert.Equal(t, DefaultTimeout, sh.specs()[0].Timeout)
}

func TestGradeLongestRunsStartFirst(t *testing.T) {
	sh := goodShell()
	grade(t, miniLab(), Options{Backend: sh, Jobs: 1})
	specs := sh.specs()
	require.Len(t, specs, 2)
	assert.Equal(t, "usertests", specs[0].Commands[0])
}

func TestGradeRunsInParallelUpToJobs(t *testing.T) {
	lab := &Lab{Name: "par"}
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		lab.Tests = append(lab.Tests, &Test{Name: n, Points: 1, Run: &Run{Commands: []string{"usertests"}},
			Want: []string{`^ALL TESTS PASSED$`}})
	}
	sh := goodShell()
	sh.delay = 30 * time.Millisecond
	rep, _ := grade(t, lab, Options{Backend: sh, Jobs: 3})
	assert.Equal(t, 6, rep.Score)
	assert.Len(t, sh.specs(), 6)
	assert.Equal(t, 3, sh.maxActive)

	sh = goodShell()
	sh.delay = 10 * time.Millisecond
	grade(t, lab, Options{Backend: sh, Jobs: 1})
	assert.Equal(t, 1, sh.maxActive)
}

// seedSensitive fails test2 for some seeds, as a racy lock would.
func seedSensitive(bad ...uint64) *fakeShell {
	sh := goodShell()
	sh.programs["threadtest"] = func(seed uint64) (string, Ending) {
		for _, b := range bad {
			if seed == b {
				return "TEST1 PASSED\nTEST2 FAILED\n", Finished
			}
		}
		return "TEST1 PASSED\nTEST2 PASSED\nTEST9 PASSED\n", Finished
	}
	return sh
}

func TestGradeRepeatReportsFlakySeeds(t *testing.T) {
	dir := t.TempDir()
	rep, out := grade(t, miniLab(), Options{Backend: seedSensitive(12, 14), Seed: 10, Repeat: 5, Results: dir})
	test2 := rep.Tests[2]
	assert.False(t, test2.Passed)
	assert.True(t, test2.Flaky)
	assert.Equal(t, []uint64{12, 14}, test2.FailedSeeds)
	assert.Contains(t, out, "  threadtest: test2: FAIL \n    flaky: failed with --seed 12, 14; passed with --seed 10, 11, 13\n")
	assert.Contains(t, out, "    reproduce with --seed 12\n")
	assert.Contains(t, out, "    full console: "+filepath.Join(dir, "mini", "running_threadtest.seed12.out")+"\n")
	assert.True(t, rep.Tests[1].Passed)
	require.Len(t, rep.Tests[0].Runs, 5)
	for k, r := range rep.Tests[0].Runs {
		assert.Equal(t, uint64(10+k), r.Seed)
		data, err := os.ReadFile(r.Console)
		require.NoError(t, err)
		assert.Contains(t, string(data), "$ threadtest\n")
	}
	assert.Equal(t, 20, rep.Score)
}

func TestGradeRepeatAllSeedsFail(t *testing.T) {
	rep, out := grade(t, miniLab(), Options{Backend: seedSensitive(0, 1), Repeat: 2})
	assert.False(t, rep.Tests[2].Flaky)
	assert.Contains(t, out, "    failed with every seed (0, 1)\n")
}

func TestGradeSavesEachConsole(t *testing.T) {
	dir := t.TempDir()
	rep, _ := grade(t, miniLab(), Options{Backend: goodShell(), Results: dir})
	data, err := os.ReadFile(filepath.Join(dir, "mini", "running_threadtest.out"))
	require.NoError(t, err)
	assert.Equal(t, "xv6 kernel is booting\n\ninit: starting sh\n$ threadtest\nTEST1 PASSED\nTEST2 PASSED\nTEST9 PASSED\n$ ", string(data))
	_, err = os.Stat(filepath.Join(dir, "mini", "usertests.out"))
	assert.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "mini", "usertests.out"), rep.Tests[3].Runs[0].Console)
}

func TestGradeResultsDirectoryErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := Grade(context.Background(), miniLab(), Options{Backend: goodShell(), Results: file})
	assert.ErrorContains(t, err, "grade: results directory")
}

// panicky is a backend with a bug.
type panicky struct{}

func (panicky) Name() string { return "buggy" }
func (panicky) Run(context.Context, RunSpec) Outcome {
	var m map[string]int
	m["x"]++
	return Outcome{}
}

func TestGradeBackendPanicBecomesAFailure(t *testing.T) {
	dir := t.TempDir()
	rep, out := grade(t, miniLab(), Options{Backend: panicky{}, Results: dir})
	assert.Contains(t, out, "== Test running threadtest == \n    emulator bug (please report it): Go panic: assignment to entry in nil map\n")
	assert.Equal(t, 0, rep.Score)
	data, err := os.ReadFile(filepath.Join(dir, "mini", "usertests.out"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "goroutine")
}

func TestGradeCancelledStopsRuns(t *testing.T) {
	sh := goodShell()
	sh.delay = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	rep, err := Grade(ctx, miniLab(), Options{Backend: sh, Jobs: 1})
	require.NoError(t, err)
	assert.Equal(t, 0, rep.Score)
	for _, r := range append(rep.Tests[0].Runs, rep.Tests[3].Runs...) {
		assert.Equal(t, "aborted", r.Ending)
	}
}

func TestGradeColour(t *testing.T) {
	sh := goodShell()
	sh.programs["usertests"] = prints("nope\n")
	_, out := grade(t, miniLab(), Options{Backend: sh, Color: true})
	assert.Contains(t, out, "  threadtest: test1: \033[32mOK\033[0m \n")
	assert.Contains(t, out, "usertests: \033[31mFAIL\033[0m (1.2s) \n")
	assert.Contains(t, out, "    \033[31mMISSING\033[0m '^ALL TESTS PASSED$'\n")
}

func TestGradeShortTimesAreNotShown(t *testing.T) {
	sh := goodShell()
	sh.wall = 50 * time.Millisecond
	_, out := grade(t, miniLab(), Options{Backend: sh})
	assert.Contains(t, out, "== Test usertests == usertests: OK \n")
}

func TestGradeValidatesOptions(t *testing.T) {
	_, err := Grade(context.Background(), miniLab(), Options{})
	assert.EqualError(t, err, "grade: no backend")
	bad := &Lab{Name: "bad", Tests: []*Test{{Name: "x", Run: &Run{Commands: []string{"a"}}, Want: []string{"("}}}}
	_, err = Grade(context.Background(), bad, Options{Backend: goodShell()})
	assert.ErrorContains(t, err, `bad pattern "("`)
}

func TestSchedulePermutesRunsBySeed(t *testing.T) {
	lab := &Lab{Name: "s"}
	var states []*runState
	for _, n := range "abcdefgh" {
		tt := &Test{Name: string(n), Run: &Run{Commands: []string{"x"}}}
		lab.Tests = append(lab.Tests, tt)
		states = append(states, &runState{test: tt, seeds: []uint64{0}})
	}
	names := func(jobs []job) string {
		var b strings.Builder
		for _, j := range jobs {
			b.WriteString(j.st.test.Name)
		}
		return b.String()
	}
	assert.Equal(t, "abcdefgh", names(schedule(states, Options{})))
	a := names(schedule(states, Options{Seed: 3}))
	assert.Equal(t, a, names(schedule(states, Options{Seed: 3})), "same seed, same order")
	assert.NotEqual(t, a, names(schedule(states, Options{Seed: 4})))
	assert.ElementsMatch(t, []byte("abcdefgh"), []byte(a))
}

func TestConsoleFileNames(t *testing.T) {
	assert.Equal(t, "running_threadtest.out", consoleFile("running threadtest", 1, 0))
	assert.Equal(t, "threadtest__test1.seed9.out", consoleFile("threadtest: test1", 2, 9))
	assert.Equal(t, "a_b_c.out", consoleFile("a/b\\c", 1, 0))
}

// streamer is a backend that streams its console into spec.Console: it
// prints the first half, lets the test look at the results file, and then
// prints the rest.
type streamer struct {
	printed, resume chan struct{}
}

func (streamer) Name() string { return "streamer" }

func (s streamer) Run(_ context.Context, spec RunSpec) Outcome {
	first, rest := "$ "+spec.Commands[0]+"\nTEST1 PASSED\n", "TEST2 PASSED\n$ "
	spec.Console.Write([]byte(first))
	s.printed <- struct{}{}
	<-s.resume
	spec.Console.Write([]byte(rest))
	return Outcome{Console: []byte(first + rest), Ending: Finished}
}

// The results file fills as the guest prints, so a long run can be
// watched; at the end it holds the whole console.
func TestGradeStreamsConsoleToResultsFile(t *testing.T) {
	dir := t.TempDir()
	s := streamer{make(chan struct{}), make(chan struct{})}
	lab := &Lab{Name: "s", Tests: []*Test{{Name: "t", Points: 1, Run: &Run{Commands: []string{"threadtest"}}, Want: []string{`^TEST2 PASSED$`}}}}
	file := filepath.Join(dir, "s", "t.out")
	go func() {
		<-s.printed
		data, err := os.ReadFile(file)
		assert.NoError(t, err)
		assert.Equal(t, "$ threadtest\nTEST1 PASSED\n", string(data), "the file fills while the run goes on")
		close(s.resume)
	}()
	rep, _ := grade(t, lab, Options{Backend: s, Results: dir})
	assert.True(t, rep.FullMarks())
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "$ threadtest\nTEST1 PASSED\nTEST2 PASSED\n$ ", string(data))
}
