package grade

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateCatchesMistakes(t *testing.T) {
	run := &Run{Commands: []string{"x"}}
	parent := &Test{Name: "p", Run: run}
	cases := []struct {
		name  string
		tests []*Test
		err   string
	}{
		{"no name", []*Test{{Run: run}}, "a test has no name"},
		{"duplicate", []*Test{{Name: "a", Run: run}, {Name: "a", Run: run}}, `two tests are named "a"`},
		{"negative", []*Test{{Name: "a", Run: run, Points: -1}}, "negative points"},
		{"neither", []*Test{{Name: "a"}}, "exactly one of a run and a parent"},
		{"both", []*Test{parent, {Name: "a", Run: run, Parent: parent}}, "exactly one of a run and a parent"},
		{"parent later", []*Test{{Name: "a", Parent: parent}, parent}, "parent must be an earlier test"},
		{"no commands", []*Test{{Name: "a", Run: &Run{}}}, "runs no commands"},
		{"bad regexp", []*Test{{Name: "a", Run: run, Reject: []string{"[x"}}}, `bad pattern "[x"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := (&Lab{Name: "l", Tests: c.tests}).Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.err)
		})
	}
	assert.NoError(t, miniLab().Validate())
}

func TestSelect(t *testing.T) {
	lab := miniLab()
	names := func(ts []*Test) []string {
		var n []string
		for _, t := range ts {
			n = append(n, t.Name)
		}
		return n
	}
	all, err := lab.Select(nil)
	require.NoError(t, err)
	assert.Len(t, all, 5)
	got, err := lab.Select([]string{"Test1", "usertests"})
	require.NoError(t, err)
	assert.Equal(t, []string{"running threadtest", "threadtest: test1", "usertests"}, names(got))
	got, err = lab.Select([]string{"locks"})
	require.NoError(t, err)
	assert.Equal(t, []string{"running threadtest", "locks: ticket"}, names(got))
}

func TestTitleIndentsChildren(t *testing.T) {
	lab := miniLab()
	assert.Equal(t, "running threadtest", lab.Tests[0].Title())
	assert.Equal(t, "  threadtest: test1", lab.Tests[1].Title())
}

func TestScaleTimeoutsCopiesTheLab(t *testing.T) {
	lab := miniLab()
	lab.Tests[0].Run.Timeout = 0 // the default
	var usertests *Test
	for _, tt := range lab.Tests {
		if tt.Name == "usertests" {
			usertests = tt
		}
	}
	require.NotNil(t, usertests)
	usertests.Run.Timeout = 300 * time.Second

	scaled := lab.ScaleTimeouts(2.5)
	require.NoError(t, scaled.Validate())
	require.Len(t, scaled.Tests, len(lab.Tests))
	for i, s := range scaled.Tests {
		orig := lab.Tests[i]
		assert.NotSame(t, orig, s)
		assert.Equal(t, orig.Name, s.Name)
		if orig.Parent != nil {
			// Children point at the copy of their parent, so the grader
			// judges them on the scaled run.
			assert.Same(t, scaled.Tests[0], s.Parent, s.Name)
		}
	}
	assert.Equal(t, 75*time.Second, scaled.Tests[0].Run.Timeout)
	for _, s := range scaled.Tests {
		if s.Name == "usertests" {
			assert.Equal(t, 750*time.Second, s.Run.Timeout)
		}
	}
	// The original is untouched.
	assert.Equal(t, time.Duration(0), lab.Tests[0].Run.Timeout)
	assert.Equal(t, 300*time.Second, usertests.Run.Timeout)
}
