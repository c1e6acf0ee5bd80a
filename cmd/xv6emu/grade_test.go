package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad grade inputs and outputs are refused before any test runs: one line
// on stderr, exit 2, nothing graded.
func TestGradeRefusesBadPathsBeforeGrading(t *testing.T) {
	k, fs := embeddedFiles(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.json")
	require.NoError(t, os.WriteFile(existing, []byte("kept"), 0o644))
	for _, c := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"json in a missing directory", []string{"--json", filepath.Join(dir, "no", "r.json")}, "--json: open "},
		{"gradescope is a directory", []string{"--gradescope", dir}, "--gradescope: open "},
		{"results under a file", []string{"--results", filepath.Join(k, "sub")}, "grade: results directory"},
		{"kernel is a device", []string{"--kernel", "/dev/zero", "--fs", fs}, "--kernel /dev/zero: not a regular file"},
		{"fs is a device", []string{"--kernel", k, "--fs", "/dev/zero"}, "--fs /dev/zero: not a regular file"},
		{"zero wall factor", []string{"--wall-factor", "0", "--json", existing}, "--wall-factor 0: must be positive"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			args := append([]string{"grade", "kthread", "--results", ""}, c.args...)
			code, stdout, stderr := captureRun(t, args...)
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, c.stderr)
			assert.NotContains(t, stdout, "== Test", "nothing was graded")
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
	data, err := os.ReadFile(existing)
	require.NoError(t, err)
	assert.Equal(t, "kept", string(data), "a report file is not touched when grading does not happen")
}
