package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/kernel"
)

// embeddedFiles writes the embedded kernel and fs image to files, as a
// user's own build would be.
func embeddedFiles(t *testing.T) (kernelPath, fsPath string) {
	t.Helper()
	dir := t.TempDir()
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	img, err := kernel.RISCVFS()
	require.NoError(t, err)
	kernelPath, fsPath = filepath.Join(dir, "kernel"), filepath.Join(dir, "fs.img")
	require.NoError(t, os.WriteFile(kernelPath, k, 0o644))
	require.NoError(t, os.WriteFile(fsPath, img, 0o644))
	return kernelPath, fsPath
}

func TestRunTypesCommandsAtPrompts(t *testing.T) {
	code, stdout, stderr := captureRun(t, "run", "--cpus", "1", "--", "echo one", "echo two | cat")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, "$ echo one\none\n$ echo two | cat\ntwo\n$ ")
	assert.True(t, strings.HasSuffix(stdout, "$ "))
}

func TestRunAddsHostFiles(t *testing.T) {
	note := filepath.Join(t.TempDir(), "_note.txt")
	require.NoError(t, os.WriteFile(note, []byte("added from the host\n"), 0o644))
	code, stdout, stderr := captureRun(t, "run", "--cpus", "1", "--add", note, "--add", note+":renamed",
		"--", "cat note.txt", "cat renamed")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 2, strings.Count(stdout, "added from the host\n"), stdout)
}

// Without --persist the guest never changes the user's image; with it,
// changes reach the file.
func TestRunDiskCopyOnWrite(t *testing.T) {
	k, fs := embeddedFiles(t)
	before, err := os.ReadFile(fs)
	require.NoError(t, err)
	code, _, stderr := captureRun(t, "run", "--cpus", "1", "--kernel", k, "--fs", fs, "--", "mkdir cow")
	require.Equal(t, 0, code, stderr)
	after, err := os.ReadFile(fs)
	require.NoError(t, err)
	assert.Equal(t, before, after, "image untouched without --persist")

	code, _, stderr = captureRun(t, "run", "--cpus", "1", "--kernel", k, "--fs", fs, "--persist", "--", "mkdir kept")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := captureRun(t, "run", "--cpus", "1", "--kernel", k, "--fs", fs, "--", "ls")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `(?m)^kept +1 `, stdout)
	assert.NotContains(t, stdout, "cow")
}

func TestRunExitStatus(t *testing.T) {
	k, fs := embeddedFiles(t)
	dir := t.TempDir()
	oddImage := filepath.Join(dir, "odd.img")
	require.NoError(t, os.WriteFile(oddImage, make([]byte, 1000), 0o644))
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"missing kernel", []string{"run", "--kernel", filepath.Join(dir, "nope"), "--", "ls"}, 2, "no such file"},
		{"not an ELF", []string{"run", "--kernel", fs, "--", "ls"}, 2, "ELF"},
		{"wrong arch", []string{"run", "--kernel", isaTests + "bad/x86.elf", "--", "ls"}, 2, "EM_X86_64"},
		{"32-bit", []string{"run", "--kernel", isaTests + "bad/rv32.elf", "--", "ls"}, 2, "ELFCLASS32"},
		{"partial sector", []string{"run", "--kernel", k, "--fs", oddImage, "--", "ls"}, 2, "512"},
		{"missing fs", []string{"run", "--fs", filepath.Join(dir, "nope.img"), "--", "ls"}, 2, "no such file"},
		{"persist without fs", []string{"run", "--persist", "--", "ls"}, 2, "--persist needs --fs"},
		{"bad cpus", []string{"run", "--cpus", "9", "--", "ls"}, 2, "--cpus 9"},
		{"bad mem", []string{"run", "--mem", "lots", "--", "ls"}, 2, "--mem"},
		{"bad flag", []string{"run", "--frobnicate"}, 2, "unknown flag"},
		{"missing add", []string{"run", "--add", filepath.Join(dir, "nope"), "--", "ls"}, 2, "--add"},
		{"guest timeout", []string{"run", "--timeout", "10ms", "--", "ls"}, 4, "guest time budget"},
		{"instruction budget", []string{"run", "--max-insns", "1000", "--", "ls"}, 3, "instruction budget"},
		{"kernel panic", []string{"run", "--cpus", "1", "--kernel", k, "--", "ls"}, 1, "kernel panic: panic: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := captureRun(t, c.args...)
			assert.Equal(t, c.code, code, stderr)
			assert.Contains(t, stderr, c.stderr)
			assert.True(t, strings.HasPrefix(stderr, "xv6emu: "), stderr)
		})
	}
}

// Piped into boot, each line is typed at a prompt and boot exits once the
// prompt is back after the last one.
func TestBootWithPipedInput(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	_, err = w.WriteString("echo piped in\nls\n")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	code, stdout, stderr := captureRun(t, "boot", "--cpus", "1")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "$ echo piped in\npiped in\n$ ls\n")
	assert.True(t, strings.HasSuffix(stdout, "$ "))
}
