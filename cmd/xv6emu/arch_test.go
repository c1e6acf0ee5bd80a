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

// x86Files writes the embedded x86 kernel, fs image and boot disk to
// files, as a user's own classic xv6 build would be.
func x86Files(t *testing.T) (kernelPath, fsPath, diskPath string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []struct {
		path *string
		name string
		get  func() ([]byte, error)
	}{
		{&kernelPath, "kernel", kernel.X86Kernel},
		{&fsPath, "fs.img", kernel.X86FS},
		{&diskPath, "xv6.img", kernel.X86Disk},
	} {
		data, err := f.get()
		require.NoError(t, err)
		*f.path = filepath.Join(dir, f.name)
		require.NoError(t, os.WriteFile(*f.path, data, 0o644))
	}
	return kernelPath, fsPath, diskPath
}

func TestRunX86EmbeddedImages(t *testing.T) {
	code, stdout, stderr := captureRun(t, "run", "--arch", "x86", "--", "echo hi")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "cpu 1 starting\n", "two CPUs by default, as classic xv6's Makefile")
	assert.Contains(t, stdout, "init: starting sh\n$ echo hi\nhi\n$ ")
	// The same seed gives the same console.
	again, stdout2, _ := captureRun(t, "run", "--arch", "x86", "--", "echo hi")
	require.Equal(t, 0, again)
	assert.Equal(t, stdout, stdout2)
}

func TestBootX86WithPipedInput(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	_, err = w.WriteString("echo piped in\n")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	code, stdout, stderr := captureRun(t, "boot", "--arch", "x86", "--cpus", "1")
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "cpu 1 starting")
	assert.Contains(t, stdout, "$ echo piped in\npiped in\n$ ")
}

// --disk boots classic xv6's way, through the boot sector; --fs is the
// second IDE disk, written back only with --persist, and the boot disk is
// never written.
func TestRunX86BootDisk(t *testing.T) {
	_, fs, bootDisk := x86Files(t)
	fsBefore, err := os.ReadFile(fs)
	require.NoError(t, err)
	diskBefore, err := os.ReadFile(bootDisk)
	require.NoError(t, err)

	code, stdout, stderr := captureRun(t, "run", "--arch", "x86", "--disk", bootDisk, "--fs", fs, "--", "echo hi", "mkdir cow")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "$ echo hi\nhi\n$ ")
	after, err := os.ReadFile(fs)
	require.NoError(t, err)
	assert.Equal(t, fsBefore, after, "image untouched without --persist")

	code, _, stderr = captureRun(t, "run", "--arch", "x86", "--disk", bootDisk, "--fs", fs, "--persist", "--", "mkdir kept")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr = captureRun(t, "run", "--arch", "x86", "--disk", bootDisk, "--fs", fs, "--", "ls")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `(?m)^kept +1 `, stdout)
	assert.NotContains(t, stdout, "cow")
	diskAfter, err := os.ReadFile(bootDisk)
	require.NoError(t, err)
	assert.Equal(t, diskBefore, diskAfter, "the boot disk is never written")

	// A boot disk of one's own without --fs has no file system, as on QEMU:
	// our kernel says so and stops.
	code, _, stderr = captureRun(t, "run", "--arch", "x86", "--disk", bootDisk, "--", "ls")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "kernel panic")
}

func TestArchErrors(t *testing.T) {
	x86Kernel, x86FS, x86Disk := x86Files(t)
	rvKernel, rvFS := embeddedFiles(t)
	for _, c := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"i386 kernel on riscv", []string{"run", "--kernel", x86Kernel, "--", "ls"}, "--kernel " + x86Kernel + " is an i386 kernel: use --arch x86"},
		{"riscv kernel on x86", []string{"run", "--arch", "x86", "--kernel", rvKernel, "--", "ls"}, "--kernel " + rvKernel + " is a RISC-V kernel: use --arch riscv"},
		{"boot: i386 kernel on riscv", []string{"boot", "--kernel", x86Kernel}, "is an i386 kernel: use --arch x86"},
		{"x86-64 kernel on x86", []string{"run", "--arch", "x86", "--kernel", isaTests + "bad/x86.elf", "--", "ls"}, "is an x86-64 kernel: the pc board (--arch x86) runs 32-bit i386 kernels"},
		{"bad arch", []string{"run", "--arch", "arm", "--", "ls"}, `--arch "arm": want riscv or x86`},
		{"disk on riscv", []string{"run", "--disk", x86Disk, "--", "ls"}, "--disk is a PC boot disk: use it with --arch x86"},
		{"fs as boot disk", []string{"run", "--arch", "x86", "--disk", x86FS, "--", "ls"}, "--disk " + x86FS + ": boot disk: sector 0 is not bootable"},
		{"missing disk", []string{"run", "--arch", "x86", "--disk", x86Disk + ".nope", "--", "ls"}, "no such file"},
		{"virtio on x86", []string{"run", "--arch", "x86", "--virtio-legacy", "--", "ls"}, "--virtio-legacy is for --arch riscv"},
		{"x86 memory too small", []string{"run", "--arch", "x86", "--mem", "8M", "--", "ls"}, "16 MiB to 2 GiB"},
		{"grade: i386 kernel on riscv", []string{"grade", "--kernel", x86Kernel, "--fs", x86FS}, "is an i386 kernel: use --arch x86"},
		{"grade: riscv kernel on x86", []string{"grade", "--arch", "x86", "--kernel", rvKernel, "--fs", rvFS}, "is a RISC-V kernel: use --arch riscv"},
		{"grade: disk without fs", []string{"grade", "--arch", "x86", "--disk", x86Disk}, "--fs goes with --kernel or --disk"},
		{"grade: disk on riscv", []string{"grade", "--disk", x86Disk, "--kernel", rvKernel, "--fs", rvFS}, "--disk is a PC boot disk"},
		{"grade: batch on x86", []string{"grade", "--batch", t.TempDir(), "--arch", "x86"}, "--batch builds and grades RISC-V submissions only"},
		{"bench boot: bad arch", []string{"bench", "boot", "--arch", "mips", "--no-qemu"}, `--arch "mips"`},
		{"bench cpu: bad arch", []string{"bench", "cpu", "--arch", "mips"}, `--arch "mips"`},
		{"bench run: i386 kernel on riscv", []string{"bench", "run", "--no-qemu", "--kernel", x86Kernel, "--fs", x86FS, "--", "ls"}, "is an i386 kernel: use --arch x86"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := captureRun(t, c.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, c.stderr)
			assert.True(t, strings.HasPrefix(stderr, "xv6emu: "), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		})
	}
}

func TestGradeListShowsArches(t *testing.T) {
	code, stdout, stderr := captureRun(t, "grade", "--list")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `(?m)^kthread .*\(--arch riscv, x86\)$`, stdout)
}

func TestBenchCPUX86(t *testing.T) {
	code, stdout, stderr := captureRun(t, "bench", "cpu", "--arch", "x86", "--insns", "2000000")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^cpu \(x86\): \d+ instructions in .* MIPS`, stdout)
}

// One graded test on the x86 images in-process, with the points it is
// worth: the whole lab is too slow for a unit test (usertests).
func TestGradeX86InProcess(t *testing.T) {
	code, stdout, stderr := captureRun(t, "grade", "kthread", "test1", "--arch", "x86", "--results", "")
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "threadtest: test1: OK")
	assert.Contains(t, stdout, "Score: 10/10")
}
