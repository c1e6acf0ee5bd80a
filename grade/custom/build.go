package custom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// SrcEnv names the environment variable that points at our kernel/src
// when xv6emu runs outside its checkout.
const SrcEnv = "XV6EMU_KSRC"

// FindKernelSrc locates this project's kernel/src, whose Makefile and
// user library build the programs: $XV6EMU_KSRC, else the nearest
// kernel/src above the working directory, else above the executable.
func FindKernelSrc() (string, error) {
	if dir := os.Getenv(SrcEnv); dir != "" {
		if isKernelSrc(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("$%s=%s has no user/user.mk: it must be xv6emu's kernel/src", SrcEnv, dir)
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if src := filepath.Join(dir, "kernel", "src"); isKernelSrc(src) {
				return src, nil
			}
			up := filepath.Dir(dir)
			if up == dir {
				break
			}
			dir = up
		}
	}
	return "", fmt.Errorf("cannot find xv6emu's kernel/src to build test programs with: run from the xv6emu checkout or set $%s", SrcEnv)
}

func isKernelSrc(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "user", "user.mk"))
	return err == nil && st.Mode().IsRegular()
}

// Compiler is the C compiler that builds user programs for arch, as
// kernel/src/user/user.mk names it.
func Compiler(arch grade.Arch) string {
	if arch == grade.X86 {
		return "gcc"
	}
	prefix := "riscv64-unknown-elf-"
	if p, ok := os.LookupEnv("TOOLPREFIX"); ok {
		prefix = p
	}
	return prefix + "gcc"
}

// Builder compiles test programs for one arch.
type Builder struct {
	KernelSrc string // our kernel/src
	Arch      grade.Arch
	// Dir holds the build: the user library is built there once, apart
	// from kernel/src/build, which other builds may clean at any time.
	Dir string
}

// Build compiles t.Source against the user library and returns the ELF.
// A missing compiler or a program that does not compile is an error of
// one line that says which.
func (b *Builder) Build(ctx context.Context, t Test) ([]byte, error) {
	for _, tool := range []string{"make", Compiler(b.Arch)} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("--test %s: cannot build %s: %s not found (run 'make deps' to install the cross compilers)", t.Name, t.Source, tool)
		}
	}
	src, err := filepath.Abs(t.Source)
	if err != nil {
		return nil, fmt.Errorf("--test %s: %w", t.Name, err)
	}
	if st, err := os.Stat(src); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("--test %s: %s: no such file", t.Name, t.Source)
	}
	target := "user"
	if b.Arch == grade.X86 {
		target = "user-x86"
	}
	cmd := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "-C", b.KernelSrc, target,
		"PROG="+src,
		"UBUILD="+filepath.Join(b.Dir, "riscv"),
		"X86UBUILD="+filepath.Join(b.Dir, "x86"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, fmt.Errorf("--test %s: make: %w", t.Name, err)
		}
		return nil, fmt.Errorf("--test %s: %s does not compile: %s", t.Name, t.Source, firstError(stderr.String()))
	}
	lines := strings.Fields(stdout.String())
	if len(lines) == 0 {
		return nil, fmt.Errorf("--test %s: make %s printed no program path", t.Name, target)
	}
	elf, err := os.ReadFile(lines[len(lines)-1])
	if err != nil {
		return nil, fmt.Errorf("--test %s: %w", t.Name, err)
	}
	return elf, nil
}

// firstError picks the line of compiler or linker output that says what
// is wrong: the first "error" line, else the last line.
func firstError(out string) string {
	var last string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "make") {
			continue
		}
		if strings.Contains(line, "error") || strings.Contains(line, "undefined reference") {
			return line
		}
		last = line
	}
	if last == "" {
		return "the build failed with no message"
	}
	return last
}

// BuildAll compiles every test, one after another (two may share a
// source file name, and so a build path), and returns the files to add to the image.
func (b *Builder) BuildAll(ctx context.Context, tests []Test) ([]mkfs.File, error) {
	var files []mkfs.File
	for _, t := range tests {
		elf, err := b.Build(ctx, t)
		if err != nil {
			return nil, err
		}
		files = append(files, mkfs.File{Name: t.Name, Data: elf})
	}
	return files, nil
}
