package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
)

// Bad flags stop bench grade before anything runs.
func TestBenchGradeFlags(t *testing.T) {
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"bench", "grade", "--lab-version", "7"}, `lab kthread has no version "7"`},
		{[]string{"bench", "grade", "--timeout-factor", "0"}, "--timeout-factor 0: must be positive"},
		{[]string{"bench", "grade", "--timeout-factor", "-2"}, "must be positive"},
		{[]string{"bench", "grade", "nolab"}, "nolab"},
	} {
		code, stdout, stderr := captureRun(t, c.args...)
		assert.Equal(t, 2, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.stderr, c.args)
		assert.NotContains(t, stdout, "in-process is")
	}
}

// The per-run table pairs each machine run of the two grades by name and
// shows both verdicts where either run did not finish.
func TestBenchGradeRunTimes(t *testing.T) {
	run := func(name string, wall, guest float64, ending grade.Ending) grade.TestResult {
		return grade.TestResult{Name: name, Runs: []grade.RunResult{{Ending: ending.String(), WallSeconds: wall, GuestSeconds: guest}}}
	}
	child := grade.TestResult{Name: "threadtest: test1", Parent: "running threadtest"}
	inproc := &grade.Report{Tests: []grade.TestResult{
		run("running threadtest", 12.5, 14.7, grade.Finished), child,
		run("usertests", 300, 57, grade.WallClock),
	}}
	onQEMU := &grade.Report{Tests: []grade.TestResult{
		run("running threadtest", 50, 0, grade.Finished), child,
		run("usertests", 300, 0, grade.TimedOut),
	}}
	var out strings.Builder
	writeRunTimes(&out, inproc, onQEMU)
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	require.Len(t, lines, 3, out.String())
	assert.Regexp(t, `^  run +in-process s +guest s +QEMU s +ratio +verdicts$`, lines[0])
	assert.Regexp(t, `^  running threadtest +12\.5 +14\.7 +50\.0 +4\.0x +finished$`, lines[1])
	assert.Regexp(t, `^  usertests +300\.0 +57\.0 +300\.0 +1\.0x +wall-timeout / timeout$`, lines[2])
}
