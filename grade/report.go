package grade

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

// Report is the result of a grading, in the shape of --json's output.
type Report struct {
	Lab      string       `json:"lab"`
	Backend  string       `json:"backend"`
	Seed     uint64       `json:"seed"`
	Repeat   int          `json:"repeat"`
	Score    int          `json:"score"`
	Possible int          `json:"possible"`
	Groups   []GroupScore `json:"extra_credit"`
	Elapsed  float64      `json:"elapsed_seconds"`
	Tests    []TestResult `json:"tests"`
}

// GroupScore is the score of one extra-credit group.
type GroupScore struct {
	Name     string `json:"name"`
	Score    int    `json:"score"`
	Possible int    `json:"possible"`
}

// TestResult is one test's verdict.
type TestResult struct {
	Name        string      `json:"name"`
	Parent      string      `json:"parent,omitempty"`
	Group       string      `json:"group,omitempty"`
	Points      int         `json:"points"`
	Score       int         `json:"score"`
	Passed      bool        `json:"passed"`
	Flaky       bool        `json:"flaky,omitempty"`
	FailedSeeds []uint64    `json:"failed_seeds,omitempty"`
	Message     string      `json:"message,omitempty"`
	Seconds     float64     `json:"seconds"`
	Runs        []RunResult `json:"runs,omitempty"`
}

// RunResult describes one machine run of a top-level test.
type RunResult struct {
	Seed         uint64  `json:"seed"`
	Ending       string  `json:"ending"`
	Reason       string  `json:"reason,omitempty"`
	GuestSeconds float64 `json:"guest_seconds,omitempty"`
	WallSeconds  float64 `json:"wall_seconds"`
	Console      string  `json:"console,omitempty"`
}

// FullMarks reports whether every point of the lab's own total was earned
// (extra credit does not count).
func (r *Report) FullMarks() bool { return r.Score == r.Possible }

func (r *Report) add(t TestResult) {
	r.Tests = append(r.Tests, t)
	if t.Group == "" {
		r.Score += t.Score
		r.Possible += t.Points
		return
	}
	for i := range r.Groups {
		if r.Groups[i].Name == t.Group {
			r.Groups[i].Score += t.Score
			r.Groups[i].Possible += t.Points
			return
		}
	}
	r.Groups = append(r.Groups, GroupScore{t.Group, t.Score, t.Points})
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// gradescopeResults is Gradescope's results.json for autograders.
type gradescopeResults struct {
	Score         float64          `json:"score"`
	ExecutionTime float64          `json:"execution_time"`
	Output        string           `json:"output"`
	Visibility    string           `json:"visibility"`
	StdoutVis     string           `json:"stdout_visibility"`
	Tests         []gradescopeTest `json:"tests"`
}

type gradescopeTest struct {
	Name       string   `json:"name"`
	Number     string   `json:"number"`
	Score      float64  `json:"score"`
	MaxScore   float64  `json:"max_score"`
	Status     string   `json:"status"`
	Output     string   `json:"output,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Visibility string   `json:"visibility"`
}

// WriteGradescope writes the report in Gradescope's results.json format.
// Its scores add up as the printed "Score: N/M" does: the top-level score
// is the lab's own total, the tests' scores sum to it and their max_scores
// to M. Extra-credit tests are listed with score and max_score 0, tagged
// "extra credit" and the group, with what they earned in their output (as
// the "Extra credit (group): N/M" line prints it), so an instructor can
// decide what to do with them without the total going past 100%.
func (r *Report) WriteGradescope(w io.Writer) error {
	out := gradescopeResults{
		Score:         float64(r.Score),
		ExecutionTime: math.Round(r.Elapsed), // whole seconds, as Gradescope documents it
		Output:        r.summary(),
		Visibility:    "visible",
		StdoutVis:     "visible",
		Tests:         []gradescopeTest{},
	}
	for i, t := range r.Tests {
		g := gradescopeTest{
			Name:       t.Name,
			Number:     fmt.Sprint(i + 1),
			Score:      float64(t.Score),
			MaxScore:   float64(t.Points),
			Status:     "passed",
			Output:     t.Message,
			Visibility: "visible",
		}
		if !t.Passed {
			g.Status = "failed"
		}
		if t.Group != "" {
			g.Score, g.MaxScore = 0, 0
			g.Tags = []string{"extra credit", t.Group}
			earned := fmt.Sprintf("extra credit (%s): %d/%d, not counted in the score", t.Group, t.Score, t.Points)
			if g.Output == "" {
				g.Output = earned
			} else {
				g.Output = earned + "\n" + g.Output
			}
		}
		out.Tests = append(out.Tests, g)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// summary is a few lines for Gradescope's top-level output.
func (r *Report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Lab %s graded on %s: %d/%d", r.Lab, r.Backend, r.Score, r.Possible)
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "; extra credit (%s): %d/%d", g.Name, g.Score, g.Possible)
	}
	if r.Repeat > 1 {
		fmt.Fprintf(&b, "; each run repeated with %d seeds from %d", r.Repeat, r.Seed)
	} else if r.Seed != 0 {
		fmt.Fprintf(&b, "; seed %d", r.Seed)
	}
	return b.String()
}
