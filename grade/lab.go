package grade

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/xv6emu/xv6emu/script"
)

// DefaultTimeout bounds a run whose test sets no timeout (gradelib's
// default). In-process it is guest time; on QEMU it is wall-clock time.
const DefaultTimeout = 30 * time.Second

// Lab is a named list of tests, graded in order.
type Lab struct {
	Name  string // what the user types: "kthread"
	Title string // one line for --list
	Tests []*Test
	// Arches are the architectures whose images have the lab's
	// programs; empty means every one.
	Arches []Arch
}

// RunsOn reports whether the lab can be graded on arch.
func (l *Lab) RunsOn(arch Arch) bool {
	if len(l.Arches) == 0 {
		return true
	}
	for _, a := range l.Arches {
		if a == arch {
			return true
		}
	}
	return false
}

// Test is one graded item.
//
// A top-level test has a Run: it boots its own machine and checks that
// machine's console. A child test has a Parent instead and checks the
// parent's console; its parent must come earlier in the lab.
type Test struct {
	Name   string
	Points int
	// Group names an extra-credit group. Tests in a group are scored
	// apart, so the lab's own total stays what the course grades.
	Group  string
	Parent *Test
	Run    *Run
	// Want lists patterns that must each match some console line. As
	// with Python's re.match, a pattern is anchored at the start of the
	// line; "$" matches the end of the line.
	Want []string
	// Reject lists patterns no console line may match (gradelib's no=).
	Reject []string
}

// Run is the shell session a top-level test plays.
type Run struct {
	Commands []string      // typed one per prompt
	Timeout  time.Duration // 0 means DefaultTimeout
	Prompt   string        // "" means "$ "
}

// DefaultPrompt is the xv6 shell prompt.
const DefaultPrompt = script.DefaultPrompt

// Spec is the session a grader hands its backend for this run with seed.
func (r *Run) Spec(seed uint64) RunSpec {
	return RunSpec{Commands: r.Commands, Prompt: r.prompt(), Timeout: r.timeout(), Seed: seed}
}

func (r *Run) timeout() time.Duration {
	if r.Timeout <= 0 {
		return DefaultTimeout
	}
	return r.Timeout
}

func (r *Run) prompt() string {
	if r.Prompt == "" {
		return DefaultPrompt
	}
	return r.Prompt
}

// ScaleTimeouts returns a copy of the lab in which every run's timeout
// (DefaultTimeout where a run sets none) is multiplied by factor. The tests
// are copied, so the lab itself is unchanged.
//
// It is for measuring, not grading: on a host too slow to run a long test
// (MIT's usertests) inside the course's timeout on QEMU, a benchmark that
// scales both backends' timeouts compares the time each needs to finish,
// where the course's timeouts would cut both off at the same limit.
func (l *Lab) ScaleTimeouts(factor float64) *Lab {
	out := *l
	out.Tests = make([]*Test, len(l.Tests))
	copies := make(map[*Test]*Test, len(l.Tests))
	for i, t := range l.Tests {
		c := *t
		if t.Run != nil {
			run := *t.Run
			run.Timeout = time.Duration(float64(t.Run.timeout()) * factor)
			c.Run = &run
		}
		if t.Parent != nil {
			if p, ok := copies[t.Parent]; ok {
				c.Parent = p
			}
		}
		copies[t] = &c
		out.Tests[i] = &c
	}
	return &out
}

// Title is how gradelib shows a test: children are indented two spaces.
func (t *Test) Title() string {
	if t.Parent != nil {
		return "  " + t.Name
	}
	return t.Name
}

// root is the top-level test whose run t checks.
func (t *Test) root() *Test {
	for t.Parent != nil {
		t = t.Parent
	}
	return t
}

// Validate reports the first structural mistake in the lab: duplicate
// names, a test with both or neither of Run and Parent, a parent that is
// not earlier in the lab, negative points, or a pattern that does not
// compile.
func (l *Lab) Validate() error {
	seen := make(map[*Test]bool)
	names := make(map[string]bool)
	for _, t := range l.Tests {
		switch {
		case t.Name == "":
			return fmt.Errorf("grade: lab %s: a test has no name", l.Name)
		case names[t.Name]:
			return fmt.Errorf("grade: lab %s: two tests are named %q", l.Name, t.Name)
		case t.Points < 0:
			return fmt.Errorf("grade: lab %s: test %q has negative points", l.Name, t.Name)
		case (t.Run == nil) == (t.Parent == nil):
			return fmt.Errorf("grade: lab %s: test %q needs exactly one of a run and a parent", l.Name, t.Name)
		case t.Parent != nil && !seen[t.Parent]:
			return fmt.Errorf("grade: lab %s: test %q: its parent must be an earlier test of the lab", l.Name, t.Name)
		case t.Run != nil && len(t.Run.Commands) == 0:
			return fmt.Errorf("grade: lab %s: test %q runs no commands", l.Name, t.Name)
		}
		for _, p := range append(append([]string(nil), t.Want...), t.Reject...) {
			if _, err := compileLine(p); err != nil {
				return fmt.Errorf("grade: lab %s: test %q: %w", l.Name, t.Name, err)
			}
		}
		seen[t] = true
		names[t.Name] = true
	}
	return nil
}

// Select returns the tests whose name contains any of the filters (case
// insensitive, as gradelib's command-line arguments), plus their ancestors,
// in lab order. No filters selects every test.
func (l *Lab) Select(filters []string) ([]*Test, error) {
	if len(filters) == 0 {
		return append([]*Test(nil), l.Tests...), nil
	}
	want := make(map[*Test]bool)
	for _, f := range filters {
		f = strings.ToLower(f)
		found := false
		for _, t := range l.Tests {
			if strings.Contains(strings.ToLower(t.Name), f) {
				found = true
				for a := t; a != nil; a = a.Parent {
					want[a] = true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("lab %s has no test matching %q (see --list)", l.Name, f)
		}
	}
	var out []*Test
	for _, t := range l.Tests {
		if want[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// compileLine compiles a line pattern with re.match semantics: anchored at
// the start of the line.
func compileLine(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + p + `)`)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", p, err)
	}
	return re, nil
}
