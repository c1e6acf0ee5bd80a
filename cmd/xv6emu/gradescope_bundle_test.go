package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bundle itself is tested end to end in grade/gradescope, with a
// static build of this command.
func TestGradescopeBundleRefusesWhatCannotRunThere(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "xv6emu.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755))
	out := filepath.Join(dir, "autograder.zip")
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"kthread"}, "-o: where to write the bundle is required"},
		{[]string{"kthread", "-o", out, "--binary", script}, "not an ELF file"},
		{[]string{"kthread", "-o", out, "--binary", filepath.Join(dir, "none")}, "--binary: open"},
		{[]string{"cow", "-o", out}, `no lab "cow"`},
		{[]string{"kthread", "nosuchtest", "-o", out}, `no test matching "nosuchtest"`},
	} {
		code, _, stderr := captureRun(t, append([]string{"gradescope-bundle"}, c.args...)...)
		assert.Equal(t, 2, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.stderr, c.args)
	}
	assert.NoFileExists(t, out)
}
