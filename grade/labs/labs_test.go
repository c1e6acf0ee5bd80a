package labs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKthreadMatchesTheCourse(t *testing.T) {
	lab := Kthread()
	require.NoError(t, lab.Validate())
	total, extra := 0, 0
	course := map[string]int{}
	for _, tt := range lab.Tests {
		if tt.Group == "" {
			total += tt.Points
			course[tt.Name] = tt.Points
		} else {
			assert.Equal(t, "locks", tt.Group)
			extra += tt.Points
		}
	}
	assert.Equal(t, 100, total)
	assert.Equal(t, 11, extra)
	assert.Equal(t, map[string]int{
		"running threadtest": 0,
		"threadtest: test1":  10, "threadtest: test2": 10, "threadtest: test3": 30,
		"threadtest: test4": 10, "threadtest: test5": 10, "threadtest: test6": 10,
		"threadtest: test7": 5, "threadtest: test8": 5,
		"usertests": 10,
	}, course)

	test3 := lab.Tests[3]
	assert.Equal(t, []string{`^TEST3 PASSED$`}, test3.Want)
	assert.Equal(t, "running threadtest", test3.Parent.Name)
	user := lab.Tests[9]
	assert.Equal(t, "usertests", user.Name)
	assert.Equal(t, []string{"usertests"}, user.Run.Commands)
	assert.Equal(t, 300.0, user.Run.Timeout.Seconds())
	assert.Equal(t, []string{`^ALL TESTS PASSED$`}, user.Want)
	last := lab.Tests[len(lab.Tests)-1]
	assert.Equal(t, []string{`^TEST19 PASSED$`}, last.Want)
}

func TestSelectingOneTestKeepsItsParentOnly(t *testing.T) {
	got, err := Kthread().Select([]string{"test3"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "running threadtest", got[0].Name)
	assert.Equal(t, "threadtest: test3", got[1].Name)
	got, err = Kthread().Select([]string{"test1"})
	require.NoError(t, err)
	assert.Len(t, got, 2, "extra-credit names must not contain testN")
}

func TestFind(t *testing.T) {
	l, err := Find("kthread")
	require.NoError(t, err)
	assert.Equal(t, "kthread", l.Name)
	_, err = Find("cow")
	assert.EqualError(t, err, `no lab "cow" (labs: kthread, threads)`)
}

func TestThreadsLab(t *testing.T) {
	lab, err := Find("threads")
	require.NoError(t, err)
	require.NoError(t, lab.Validate())
	require.Len(t, lab.Tests, 10)
	total := 0
	for _, tt := range lab.Tests {
		total += tt.Points
		assert.Equal(t, 10, tt.Points, tt.Name)
		require.NotNil(t, tt.Run, "each case boots its own machine")
		require.Len(t, tt.Run.Commands, 1)
		prog := tt.Run.Commands[0]
		assert.Equal(t, []string{"^" + prog + ": PASSED$"}, tt.Want)
		assert.FileExists(t, "../../kernel/src/user/"+prog+".c")
	}
	assert.Equal(t, 100, total)
	assert.Equal(t, "tclone: clone and join basics", lab.Tests[0].Name)
	assert.True(t, lab.RunsOn("riscv") && lab.RunsOn("x86"))
	assert.Nil(t, Versions("threads"))
}
