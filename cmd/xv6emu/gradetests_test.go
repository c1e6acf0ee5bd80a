package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade/custom"
)

const taddSource = "../../grade/custom/testdata/tadd.c"

func TestCourseTestFiltersWaitForTheirTest(t *testing.T) {
	c := courseTests{specs: []string{"tadd:x.c", "tcv:y.c"}}
	require.NoError(t, c.parse())
	assert.Equal(t, []string{"threads", "tclone"}, c.ownFilters([]string{"threads", "tclone", "TADD", "cv"}))
	assert.Equal(t, []string{"threads"}, c.ownFilters([]string{"threads"}))
	assert.Nil(t, c.ownFilters(nil))
}

func TestGradeRefusesBadCourseTests(t *testing.T) {
	if _, err := exec.LookPath(custom.Compiler("riscv")); err != nil {
		t.Skip("no riscv cross compiler (make deps)")
	}
	lab := filepath.Join(t.TempDir(), "c.lab")
	require.NoError(t, os.WriteFile(lab, []byte("test x:x.c\nbogus\n"), 0o644))
	for _, c := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no program", []string{"--test", "tadd"}, "--test tadd: want NAME:PROGRAM.c[:REGEX][:POINTS]"},
		{"does not compile", []string{"--test", "tb:../../grade/custom/testdata/broken.c"}, "--test tb: ../../grade/custom/testdata/broken.c does not compile: "},
		{"name taken", []string{"--test", "tclone:" + taddSource}, `duplicate file name: "tclone"`},
		{"bad lab file", []string{"--lab-file", lab}, "c.lab:2: unknown directive"},
		{"with batch", []string{"--test", "tadd:" + taddSource, "--batch", t.TempDir()}, "--test and --lab-file do not go with --batch"},
		{"filter matches nothing", []string{"nosuch", "--test", "tadd:" + taddSource}, "nosuch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"grade", "threads", "--results", ""}, c.args...)
			if c.name == "filter matches nothing" {
				args = append([]string{"grade", "threads", "nosuch", "--results", ""}, c.args[1:]...)
			}
			code, stdout, stderr := captureRun(t, args...)
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, c.stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.NotContains(t, stdout, "== Test", "nothing was graded")
		})
	}
}

// A course test joins the threads lab from the command line and is
// graded with it, in-process; one whose pattern is not printed loses its
// points, and only those.
func TestGradeWithCourseTests(t *testing.T) {
	if _, err := exec.LookPath(custom.Compiler("riscv")); err != nil {
		t.Skip("no riscv cross compiler (make deps)")
	}
	code, stdout, stderr := captureRun(t, "grade", "threads", "tclone", "tadd", "-j", "2", "--results", "",
		"--test", "tadd:"+taddSource, "--test", "tadd2:"+taddSource+":^tadd: n=299$:5")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "tclone: clone and join basics: OK")
	assert.Contains(t, stdout, "== Test tadd == tadd: OK")
	assert.Contains(t, stdout, "tadd2: FAIL")
	assert.Contains(t, stdout, "Score: 20/25")

	lab := filepath.Join(t.TempDir(), "c.lab")
	src, err := filepath.Abs(taddSource)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(lab, []byte("only\ntest tadd:"+src+"::7\n"), 0o644))
	code, stdout, stderr = captureRun(t, "grade", "threads", "--lab-file", lab, "--results", "")
	assert.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "tclone")
	assert.Contains(t, stdout, "Score: 7/7")
}

func TestGradeListShowsTheThreadsLab(t *testing.T) {
	code, stdout, stderr := captureRun(t, "grade", "--list", "threads")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `(?m)^threads .*\(100 points\) \(--arch riscv, x86\)$`, stdout)
	assert.Regexp(t, `(?m)^  tbadstack: clone with bad stacks +10 points, runs "tbadstack", timeout 1m0s, wants \^tbadstack: PASSED\$$`, stdout)
	assert.Equal(t, 11, strings.Count(stdout, "\n"))
}
