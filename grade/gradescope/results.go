// Package gradescope runs xv6emu as a Gradescope autograder. Gradescope
// grades each submission in a container of its own across its fleet: the
// bundle (WriteBundle) holds setup.sh, which installs the cross compiler
// and a static xv6emu when Gradescope builds the image, and run_autograder,
// which builds /autograder/submission with its own Makefile, grades it
// (Autograde) and writes /autograder/results/results.json.
//
// The results follow Gradescope's schema (Validate checks it). A graded
// submission's results come from grade.Report.WriteGradescope; one that
// does not build scores 0 on every test, with the compiler's output shown
// to the student.
package gradescope

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/batch"
)

// WriteResults writes results.json for a submission: rep's, when it was
// graded, with the verdict added to the output; otherwise every test of
// r scores 0 and the output says why, with the build's last lines.
func WriteResults(w io.Writer, r *batch.Result, rep *grade.Report) error {
	if rep == nil {
		rep = &grade.Report{Lab: r.Lab, Backend: "xv6emu", Possible: r.Possible, Groups: []grade.GroupScore{}}
		for _, t := range r.Tests {
			rep.Tests = append(rep.Tests, grade.TestResult{
				Name:    t.Name,
				Group:   t.Group,
				Points:  t.Points,
				Message: fmt.Sprintf("not run: the submission %s", r.Verdict),
			})
		}
	}
	var buf bytes.Buffer
	if err := rep.WriteGradescope(&buf); err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return fmt.Errorf("gradescope: the report's results.json: %w", err)
	}
	doc["output"] = output(doc["output"], r)
	doc["execution_time"] = math.Round(r.WallSeconds)
	if r.Verdict != batch.FullMarks && r.Verdict != batch.PointsLost {
		doc["score"] = 0.0
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := Validate(out); err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// output is the top-level text a student reads first.
func output(summary any, r *batch.Result) string {
	var b strings.Builder
	if s, ok := summary.(string); ok && s != "" && (r.Verdict == batch.FullMarks || r.Verdict == batch.PointsLost) {
		b.WriteString(s)
	} else {
		fmt.Fprintf(&b, "Score: %d/%d: %s", r.Score, r.Possible, r.Verdict)
	}
	if r.Verdict != batch.FullMarks && r.Detail != "" {
		b.WriteString("\n\n" + r.Detail)
	}
	if r.BuildTail != "" {
		b.WriteString("\n\nThe build's last lines:\n" + r.BuildTail)
	}
	return b.String()
}

// Gradescope's enumerations.
var (
	visibilities = []string{"hidden", "after_due_date", "after_published", "visible"}
	statuses     = []string{"passed", "failed"}
	formats      = []string{"text", "html", "simple_format", "md", "ansi"}
)

// Validate checks data against Gradescope's results.json schema: the
// fields it documents, with their types and values, and a score at the
// top or on every test.
func Validate(data []byte) error {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("results.json: %w", err)
	}
	top := fields{
		"score": number, "execution_time": number, "output": str,
		"output_format": oneOf(formats), "test_output_format": oneOf(formats), "test_name_format": oneOf(formats),
		"visibility": oneOf(visibilities), "stdout_visibility": oneOf(visibilities),
		"extra_data": object, "tests": array, "leaderboard": array,
	}
	if err := top.check("results.json", doc); err != nil {
		return err
	}
	tests, _ := doc["tests"].([]any)
	test := fields{
		"score": number, "max_score": number, "status": oneOf(statuses), "name": str,
		"name_format": oneOf(formats), "number": str, "output": str, "output_format": oneOf(formats),
		"tags": stringList, "visibility": oneOf(visibilities), "extra_data": object,
	}
	_, hasScore := doc["score"]
	if !hasScore && len(tests) == 0 {
		return fmt.Errorf("results.json: no score and no tests")
	}
	for i, t := range tests {
		m, ok := t.(map[string]any)
		if !ok {
			return fmt.Errorf("results.json: tests[%d] is not an object", i)
		}
		where := fmt.Sprintf("results.json: tests[%d]", i)
		if err := test.check(where, m); err != nil {
			return err
		}
		if _, ok := m["score"]; !ok && !hasScore {
			return fmt.Errorf("%s: no score, and none at the top", where)
		}
	}
	return nil
}

// fields maps each allowed key to its check.
type fields map[string]func(any) error

func (f fields) check(where string, m map[string]any) error {
	for k, v := range m {
		c, ok := f[k]
		if !ok {
			return fmt.Errorf("%s: unknown field %q", where, k)
		}
		if err := c(v); err != nil {
			return fmt.Errorf("%s: %s: %w", where, k, err)
		}
	}
	return nil
}

func number(v any) error {
	n, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("%v is not a number", v)
	}
	if f, err := n.Float64(); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%v is not a finite number", v)
	}
	return nil
}

func str(v any) error {
	if _, ok := v.(string); !ok {
		return fmt.Errorf("%v is not a string", v)
	}
	return nil
}

func object(v any) error {
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("not an object")
	}
	return nil
}

func array(v any) error {
	if _, ok := v.([]any); !ok {
		return fmt.Errorf("not an array")
	}
	return nil
}

func stringList(v any) error {
	a, ok := v.([]any)
	if !ok {
		return fmt.Errorf("not an array")
	}
	for _, e := range a {
		if err := str(e); err != nil {
			return err
		}
	}
	return nil
}

func oneOf(allowed []string) func(any) error {
	return func(v any) error {
		s, ok := v.(string)
		if ok {
			for _, a := range allowed {
				if s == a {
					return nil
				}
			}
		}
		return fmt.Errorf("%v is not one of %s", v, strings.Join(allowed, ", "))
	}
}
