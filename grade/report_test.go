package grade

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportJSON(t *testing.T) {
	sh := goodShell()
	sh.programs["usertests"] = prints("nope\n")
	rep, _ := grade(t, miniLab(), Options{Backend: sh, Seed: 5})
	var buf bytes.Buffer
	require.NoError(t, rep.WriteJSON(&buf))

	var got struct {
		Lab         string `json:"lab"`
		Backend     string `json:"backend"`
		Seed        uint64 `json:"seed"`
		Score       int    `json:"score"`
		Possible    int    `json:"possible"`
		ExtraCredit []struct {
			Name            string
			Score, Possible int
		} `json:"extra_credit"`
		Tests []struct {
			Name    string  `json:"name"`
			Parent  string  `json:"parent"`
			Points  int     `json:"points"`
			Score   int     `json:"score"`
			Passed  bool    `json:"passed"`
			Message string  `json:"message"`
			Seconds float64 `json:"seconds"`
			Runs    []struct {
				Seed        uint64  `json:"seed"`
				Ending      string  `json:"ending"`
				WallSeconds float64 `json:"wall_seconds"`
			} `json:"runs"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, "mini", got.Lab)
	assert.Equal(t, "fake", got.Backend)
	assert.Equal(t, uint64(5), got.Seed)
	assert.Equal(t, 30, got.Score)
	assert.Equal(t, 40, got.Possible)
	require.Len(t, got.ExtraCredit, 1)
	assert.Equal(t, "locks", got.ExtraCredit[0].Name)
	assert.Equal(t, 5, got.ExtraCredit[0].Score)
	require.Len(t, got.Tests, 5)
	u := got.Tests[3]
	assert.Equal(t, "usertests", u.Name)
	assert.False(t, u.Passed)
	assert.Equal(t, 10, u.Points)
	assert.Equal(t, 0, u.Score)
	assert.Contains(t, u.Message, "MISSING '^ALL TESTS PASSED$'")
	assert.NotContains(t, u.Message, "\033", "reports are never coloured")
	assert.Equal(t, 1.2, u.Seconds)
	require.Len(t, u.Runs, 1)
	assert.Equal(t, uint64(5), u.Runs[0].Seed)
	assert.Equal(t, "finished", u.Runs[0].Ending)
	assert.Equal(t, "running threadtest", got.Tests[1].Parent)
}

func TestReportGradescope(t *testing.T) {
	sh := goodShell()
	sh.programs["usertests"] = prints("nope\n")
	rep, _ := grade(t, miniLab(), Options{Backend: sh, Color: true})
	var buf bytes.Buffer
	require.NoError(t, rep.WriteGradescope(&buf))

	var got struct {
		Score         float64 `json:"score"`
		ExecutionTime float64 `json:"execution_time"`
		Output        string  `json:"output"`
		Tests         []struct {
			Name     string   `json:"name"`
			Score    float64  `json:"score"`
			MaxScore float64  `json:"max_score"`
			Status   string   `json:"status"`
			Output   string   `json:"output"`
			Tags     []string `json:"tags"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, 30.0, got.Score, "the course total, without extra credit")
	assert.GreaterOrEqual(t, got.ExecutionTime, 0.0)
	assert.Equal(t, "Lab mini graded on fake: 30/40; extra credit (locks): 5/5", got.Output)
	require.Len(t, got.Tests, 5)
	assert.Equal(t, "threadtest: test2", got.Tests[2].Name)
	assert.Equal(t, 20.0, got.Tests[2].Score)
	assert.Equal(t, 20.0, got.Tests[2].MaxScore)
	assert.Equal(t, "passed", got.Tests[2].Status)
	assert.Equal(t, "failed", got.Tests[3].Status)
	assert.Equal(t, 0.0, got.Tests[3].Score)
	assert.Contains(t, got.Tests[3].Output, "MISSING")
	assert.NotContains(t, got.Tests[3].Output, "\033")
	assert.Equal(t, 0.0, got.Tests[4].MaxScore)
	assert.Equal(t, 0.0, got.Tests[4].Score, "extra credit is not in the score")
	assert.Equal(t, "passed", got.Tests[4].Status)
	assert.Equal(t, "extra credit (locks): 5/5, not counted in the score", got.Tests[4].Output)
	assert.Equal(t, []string{"extra credit", "locks"}, got.Tests[4].Tags)

	// The tests add up to the printed "Score: 30/40".
	var score, maxScore float64
	for _, t := range got.Tests {
		score += t.Score
		maxScore += t.MaxScore
	}
	assert.Equal(t, got.Score, score)
	assert.Equal(t, float64(rep.Possible), maxScore)
}

// A report where the threadtest run timed out: Gradescope shows the run
// as failed, though its children's points (gradelib's) stand.
func TestReportGradescopeUnfinishedRun(t *testing.T) {
	sh := goodShell()
	sh.programs["threadtest"] = func(uint64) (string, Ending) { return "TEST1 PASSED\n", TimedOut }
	rep, _ := grade(t, miniLab(), Options{Backend: sh})
	var buf bytes.Buffer
	require.NoError(t, rep.WriteGradescope(&buf))
	var got struct {
		Score float64 `json:"score"`
		Tests []struct {
			Name, Status, Output string
			Score                float64
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, "running threadtest", got.Tests[0].Name)
	assert.Equal(t, "failed", got.Tests[0].Status)
	assert.Contains(t, got.Tests[0].Output, "the run did not finish: timeout")
	assert.Equal(t, "passed", got.Tests[1].Status)
	assert.Equal(t, 20.0, got.Score, "test1 and usertests")
}

func TestReportSummaryMentionsSeeds(t *testing.T) {
	r := &Report{Lab: "l", Backend: "b", Seed: 3, Repeat: 4}
	assert.Equal(t, "Lab l graded on b: 0/0; each run repeated with 4 seeds from 3", r.summary())
	r.Repeat = 1
	assert.Equal(t, "Lab l graded on b: 0/0; seed 3", r.summary())
}

func TestEndingNames(t *testing.T) {
	assert.Equal(t, "finished", Finished.String())
	assert.Equal(t, "deadlock", Stuck.String())
	assert.Equal(t, "error", Failed.String())
	assert.Equal(t, "unknown", Ending(99).String())
}
