package grade

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseGradelibSixTests(t *testing.T) {
	src, err := os.ReadFile("testdata/gradelib/grade_lab_kthread6.py")
	require.NoError(t, err)
	lab, notes, err := ParseGradelib("kthread", src)
	require.NoError(t, err)
	assert.Equal(t, "kthread", lab.Name)

	type row struct {
		name, parent string
		points       int
		want, reject []string
	}
	var got []row
	for _, tt := range lab.Tests {
		r := row{name: tt.Name, points: tt.Points, want: tt.Want, reject: tt.Reject}
		if tt.Parent != nil {
			r.parent = tt.Parent.Name
		}
		got = append(got, r)
	}
	const tt = "running threadtest"
	assert.Equal(t, []row{
		{name: tt},
		{"threadtest: test1", tt, 10, []string{`^TEST1 PASSED$`}, nil},
		{"threadtest: test2", tt, 10, []string{`^TEST2 PASSED$`}, nil},
		{"threadtest: test3", tt, 30, []string{`^TEST3 PASSED$`}, nil},
		{"threadtest: test4", tt, 10, []string{`^TEST4 PASSED$`}, []string{`^TEST4 FAILED`}},
		{"threadtest: test5", tt, 10, []string{`^TEST5 PASSED$`}, nil},
		{"threadtest: test6", tt, 20, []string{`^TEST6 PASSED$`}, nil},
		{"usertests", "", 10, []string{`^ALL TESTS PASSED$`}, nil},
	}, got)
	assert.Equal(t, []string{"threadtest"}, lab.Tests[0].Run.Commands)
	assert.Equal(t, 45*time.Second, lab.Tests[0].Run.Timeout, "timeout=NAME resolves a module constant")
	assert.Equal(t, []string{"usertests"}, lab.Tests[7].Run.Commands)
	assert.Equal(t, 300*time.Second, lab.Tests[7].Run.Timeout, "**kwargs dict gives the timeout")
	assert.Equal(t, []string{`"time" (1 points) does not check a console; left out`}, notes)
}

func TestParseGradelibEightTests(t *testing.T) {
	src, err := os.ReadFile("testdata/gradelib/grade-lab-kthread8")
	require.NoError(t, err)
	lab, notes, err := ParseGradelib("kthread", src)
	require.NoError(t, err)
	assert.Empty(t, notes)
	require.Len(t, lab.Tests, 10)
	total := 0
	for _, tt := range lab.Tests {
		total += tt.Points
	}
	assert.Equal(t, 100, total)
	assert.Equal(t, DefaultTimeout, lab.Tests[0].Run.Timeout, "gradelib's default timeout")
	assert.Equal(t, "threadtest: test8", lab.Tests[8].Name)
	assert.Equal(t, 5, lab.Tests[8].Points)
	assert.Equal(t, 300*time.Second, lab.Tests[9].Run.Timeout)
}

func TestParseGradelibSharedTitles(t *testing.T) {
	src := "@test(0, 'run')\ndef test_run():\n    r.run_qemu(shell_script(['t']))\n" +
		"@test(5, 'case', parent=test_run)\ndef test_a():\n    r.match('^A$')\n" +
		"@test(5, 'case', parent=test_run)\ndef test_b():\n    r.match('^B$')\n"
	lab, notes, err := ParseGradelib("l", []byte(src))
	require.NoError(t, err)
	require.Len(t, lab.Tests, 3)
	assert.Equal(t, "case", lab.Tests[1].Name)
	assert.Equal(t, "case (2)", lab.Tests[2].Name)
	assert.Equal(t, []string{"^B$"}, lab.Tests[2].Want)
	assert.Equal(t, []string{`a second test titled "case" is called "case (2)" here`}, notes)
}

func TestParseGradelibEscapesAndErrors(t *testing.T) {
	src := "@test(3, 'a \\'q\\' \\d+', parent=None)\ndef test_a():\n    r.run_qemu(shell_script(['echo \"x\"']), timeout=2.5)\n    r.match('^x\\\\.y\\t$', '''^z''')\n"
	lab, _, err := ParseGradelib("l", []byte(src))
	require.NoError(t, err)
	require.Len(t, lab.Tests, 1)
	a := lab.Tests[0]
	assert.Equal(t, `a 'q' \d+`, a.Name)
	assert.Equal(t, []string{`echo "x"`}, a.Run.Commands)
	assert.Equal(t, 2500*time.Millisecond, a.Run.Timeout)
	assert.Equal(t, []string{"^x\\.y\t$", "^z"}, a.Want)

	for name, bad := range map[string]string{
		"no tests":        "from gradelib import *\nrun_tests()\n",
		"unterminated":    "@test(1, 'x)\ndef f():\n  pass\n",
		"unknown parent":  "@test(1, 'x', parent=test_nope)\ndef f():\n  r.match('y')\n",
		"fraction points": "@test(1.5, 'x')\ndef f():\n  r.run_qemu(shell_script(['a']))\n",
		"bad regexp":      "@test(1, 'x')\ndef f():\n  r.run_qemu(shell_script(['a']))\n  r.match('(')\n",
		"no def":          "@test(1, 'x')\n",
	} {
		_, _, err := ParseGradelib("l", []byte(bad))
		assert.Error(t, err, name)
	}
}

func FuzzParseGradelib(f *testing.F) {
	for _, p := range []string{"testdata/gradelib/grade_lab_kthread6.py", "testdata/gradelib/grade-lab-kthread8"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lab, _, err := ParseGradelib("l", src)
		if err == nil {
			require.NoError(t, lab.Validate())
		}
	})
}
