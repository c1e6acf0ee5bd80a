package gradescope

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/batch"
)

func TestValidate(t *testing.T) {
	good := `{"score": 3, "execution_time": 2, "output": "hi", "visibility": "visible",
		"stdout_visibility": "hidden", "output_format": "md",
		"tests": [{"name": "a", "number": "1", "score": 3, "max_score": 3, "status": "passed",
		"output": "", "tags": ["x"], "visibility": "after_due_date", "extra_data": {}}]}`
	require.NoError(t, Validate([]byte(good)))
	require.NoError(t, Validate([]byte(`{"tests": [{"score": 1}]}`)), "scores on the tests only")

	for doc, want := range map[string]string{
		`{"score": "3"}`:                            "score: 3 is not a number",
		`{"score": 1, "visibility": "public"}`:      "visibility: public is not one of",
		`{"score": 1, "tests": [{"status": "ok"}]}`: "tests[0]: status: ok is not one of passed, failed",
		`{"score": 1, "tests": [{"tags": [1]}]}`:    "tests[0]: tags: 1 is not a string",
		`{"score": 1, "tests": [{"max": 1}]}`:       `tests[0]: unknown field "max"`,
		`{"tests": [{"name": "a"}]}`:                "tests[0]: no score, and none at the top",
		`{"output": "x"}`:                           "no score and no tests",
		`{"score": 1, "tests": {}}`:                 "tests: not an array",
		`[1]`:                                       "results.json",
	} {
		err := Validate([]byte(doc))
		if assert.Error(t, err, doc) {
			assert.Contains(t, err.Error(), want, doc)
		}
	}
}

// A submission that does not build scores 0 on every test, and the student
// reads the compiler's error first.
func TestWriteResultsForABuildFailure(t *testing.T) {
	r := &batch.Result{
		Submission: "submission", Lab: "kthread", Verdict: batch.NoBuild, Possible: 100,
		Detail:    "does not build: make failed (exit status 2): kernel/proc.c:7:1: error: expected ';'",
		BuildTail: "kernel/proc.c:7:1: error: expected ';'\nmake: *** [kernel/proc.o] Error 1",
		Tests: []batch.TestScore{
			{Name: "running threadtest"}, {Name: "threadtest: test1", Points: 10},
			{Name: "locks: spin lock", Points: 1, Group: "locks"},
		},
		WallSeconds: 2.4,
	}
	var buf bytes.Buffer
	require.NoError(t, WriteResults(&buf, r, nil))
	require.NoError(t, Validate(buf.Bytes()))
	var doc struct {
		Score         float64 `json:"score"`
		ExecutionTime float64 `json:"execution_time"`
		Output        string  `json:"output"`
		Tests         []struct {
			Name     string  `json:"name"`
			Score    float64 `json:"score"`
			MaxScore float64 `json:"max_score"`
			Status   string  `json:"status"`
			Output   string  `json:"output"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, 0.0, doc.Score)
	assert.Equal(t, 2.0, doc.ExecutionTime)
	assert.Contains(t, doc.Output, "Score: 0/100: does not build")
	assert.Contains(t, doc.Output, "kernel/proc.c:7:1: error: expected ';'\nmake: ***")
	require.Len(t, doc.Tests, 3)
	assert.Equal(t, "threadtest: test1", doc.Tests[1].Name)
	assert.Equal(t, 10.0, doc.Tests[1].MaxScore)
	assert.Equal(t, "failed", doc.Tests[1].Status)
	assert.Equal(t, "not run: the submission does not build", doc.Tests[1].Output)
}

// A graded submission's results are its report's, with the time and the
// reasons it lost points added.
func TestWriteResultsForAGradedSubmission(t *testing.T) {
	rep := &grade.Report{Lab: "kthread", Backend: "xv6emu", Score: 10, Possible: 20, Groups: []grade.GroupScore{},
		Tests: []grade.TestResult{
			{Name: "a", Points: 10, Score: 10, Passed: true},
			{Name: "b", Points: 10, Message: "MISSING '^B$'"},
		}}
	r := &batch.Result{Verdict: batch.PointsLost, Score: 10, Possible: 20, Detail: "failed: b", WallSeconds: 7.6}
	var buf bytes.Buffer
	require.NoError(t, WriteResults(&buf, r, rep))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, 10.0, doc["score"])
	assert.Equal(t, 8.0, doc["execution_time"])
	assert.Equal(t, "Lab kthread graded on xv6emu: 10/20\n\nfailed: b", doc["output"])
}

func TestCheckBinary(t *testing.T) {
	assert.ErrorContains(t, CheckBinary([]byte("#!/bin/sh\n")), "not an ELF file")
}
