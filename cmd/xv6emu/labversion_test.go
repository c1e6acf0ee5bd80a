package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLabVersionFlags(t *testing.T) {
	code, stdout, stderr := captureRun(t, "grade", "--list")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "8-test version (100 points + locks extra credit; the default)")
	assert.Contains(t, stdout, "6-test version (100 points; --lab-version 6)")

	dir := t.TempDir()
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"grade", "kthread", "--lab-version", "7"}, `lab kthread has no version "7"`},
		{[]string{"grade", "kthread", "--lab-version", "6=1,2"}, "give 6 points"},
		{[]string{"grade", "kthread", "--tree", filepath.Join(dir, "none")}, "--tree " + filepath.Join(dir, "none") + ": not a folder"},
		{[]string{"grade", "kthread", "test7", "--lab-version", "6"}, `has no test matching "test7"`},
		{[]string{"grade", "kthread", "--batch", dir, "--tree", dir}, "--tree does not apply"},
		{[]string{"grade", "kthread", "--batch", dir, "--lab-version", "5"}, `no version "5"`},
		{[]string{"gradescope-bundle", "kthread", "-o", filepath.Join(dir, "a.zip"), "--lab-version", "5"}, `no version "5"`},
	} {
		code, stdout, stderr := captureRun(t, c.args...)
		assert.Equal(t, 2, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.stderr, c.args)
		assert.NotContains(t, stdout, "== Test")
	}
}

// The version is chosen from the tree and said in one line, before the
// tests; test1 is worth its points in each.
func TestGradeSaysWhichVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("boots xv6: skipped in -short mode")
	}
	script, err := os.ReadFile("../../grade/testdata/gradelib/grade_lab_kthread6.py")
	require.NoError(t, err)
	source, err := os.ReadFile("../../grade/labs/testdata/threadtest6.c")
	require.NoError(t, err)
	for _, c := range []struct {
		file string
		data []byte
		line string
	}{
		{"user/threadtest.c", source, "lab kthread, 6-test version (user/threadtest.c prints TEST1..TEST6)"},
		{"grade_lab_kthread.py", script, "lab kthread, 6-test version (from grade_lab_kthread.py)"},
	} {
		tree := t.TempDir()
		p := filepath.Join(tree, filepath.FromSlash(c.file))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, c.data, 0o644))
		code, stdout, stderr := captureRun(t, "grade", "kthread", "test1", "--tree", tree, "--results", "")
		assert.Equal(t, 0, code, stderr)
		assert.True(t, strings.HasPrefix(stdout, c.line+"\n"), stdout)
		assert.Contains(t, stdout, "Score: 10/10")
	}
}

// With only --kernel and --fs, and an image whose threadtest names no
// cases, the threadtest run decides, once: our own threadtest goes past
// any version's last case, so the default is graded.
func TestGradeProbesTheThreadtestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("boots xv6: skipped in -short mode")
	}
	k, fs := embeddedFiles(t)
	code, stdout, stderr := captureRun(t, "grade", "kthread", "test1", "--kernel", k, "--fs", fs, "--results", "")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "running threadtest first to see its cases\n"+
		"lab kthread, 8-test version (the default: threadtest's output ends at TEST21, the last case of no version)\n")
	assert.Contains(t, stdout, "Score: 10/10")
}

// Each submission of a batch is graded with its own version: the one that
// ships the course's 6-test script gets that script's 20-point test6.
func TestBatchGradesEachSubmissionWithItsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("boots xv6: skipped in -short mode")
	}
	k, fs := embeddedFiles(t)
	script, err := os.ReadFile("../../grade/testdata/gradelib/grade_lab_kthread6.py")
	require.NoError(t, err)
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	for _, name := range []string{"current", "older"} {
		sub := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Join(sub, "kernel"), 0o755))
		for from, to := range map[string]string{k: filepath.Join(sub, "kernel", "kernel"), fs: filepath.Join(sub, "fs.img")} {
			data, err := os.ReadFile(from)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(to, data, 0o644))
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "older", "grade_lab_kthread.py"), script, 0o644))

	code, stdout, stderr := captureRun(t, "grade", "kthread", "threadtest: test6", "--batch", dir, "--out", out, "-j", "2")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "current: 10/10 full marks")
	assert.Contains(t, stdout, "older: 20/20 full marks")
}
