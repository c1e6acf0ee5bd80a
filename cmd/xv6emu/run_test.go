package main

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine/elfload"
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
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	huge := filepath.Join(dir, "huge.img") // sparse: takes no disk
	require.NoError(t, os.WriteFile(huge, nil, 0o644))
	require.NoError(t, os.Truncate(huge, 3<<30))
	powerOffKernel := filepath.Join(dir, "poweroff.elf")
	require.NoError(t, os.WriteFile(powerOffKernel, powerOffELF(), 0o644))
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
		{"zero timeout", []string{"run", "--timeout", "0", "--", "ls"}, 2, "--timeout 0s: must be positive"},
		{"negative wall timeout", []string{"run", "--wall-timeout", "-1s", "--", "ls"}, 2, "--wall-timeout -1s: must be positive"},
		{"kernel is a device", []string{"run", "--kernel", "/dev/zero", "--", "ls"}, 2, "--kernel /dev/zero: not a regular file (a character device)"},
		{"add a device", []string{"run", "--add", "/dev/zero:z", "--", "ls"}, 2, "--add /dev/zero: not a regular file"},
		{"fs is a FIFO", []string{"run", "--kernel", k, "--fs", fifo, "--", "ls"}, 2, "not a regular file (a FIFO)"},
		{"fs is a FIFO with --add", []string{"run", "--kernel", k, "--fs", fifo, "--add", k + ":k", "--", "ls"}, 2, "not a regular file"},
		{"huge fs", []string{"run", "--kernel", k, "--fs", huge, "--", "ls"}, 2, "3.0 GiB is larger than the 2.0 GiB limit"},
		{"huge kernel", []string{"run", "--kernel", huge, "--", "ls"}, 2, "is larger than the 256.0 MiB limit"},
		{"wall-clock limit", []string{"run", "--wall-timeout", "1ms", "--", "ls"}, 7, "wall-clock limit: the guest was still running at "},
		{"trap storm", []string{"run", "--mem", "16M", "--", "ls"}, 8, "trap storm: hart 0 took"},
		{"power-off before the prompt", []string{"run", "--kernel", powerOffKernel, "--", "ls"}, 1, "the guest powered off before the first prompt: none of the commands ran"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := captureRun(t, c.args...)
			assert.Equal(t, c.code, code, stderr)
			assert.Contains(t, stderr, c.stderr)
			assert.True(t, strings.HasPrefix(stderr, "xv6emu: "), stderr)
		})
	}
}

// powerOffELF is a kernel that powers the machine off at once ("pass"),
// before any shell prompt.
func powerOffELF() []byte {
	code := []uint32{
		0x001003b7, // lui t2, 0x100 (the test device)
		0x00005e37, // lui t3, 0x5
		0x555e0e13, // addi t3, t3, 0x555
		0x01c3a023, // sw t3, 0(t2)
		0x0000006f, // j .
	}
	image := make([]byte, 4*len(code))
	for i, w := range code {
		binary.LittleEndian.PutUint32(image[4*i:], w)
	}
	return elfload.Executable(elf.EM_RISCV, elf.ET_EXEC, 0x80000000, image)
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
