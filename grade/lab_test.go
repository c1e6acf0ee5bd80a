package grade

import (
	"testing"

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
