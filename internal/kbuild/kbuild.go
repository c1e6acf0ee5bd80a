// Package kbuild builds variants of this repository's kernel for tests: a
// scratch copy of kernel/src, patched and built with make there, so a test
// never writes to the shared build folder. Where a tool is missing the test
// skips, except under CI (the CI environment variable set), where every
// test must run and a missing tool is a failure.
package kbuild

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The cross compilers the kernel's Makefile runs for each arch.
const (
	RISCVCompiler = "riscv64-unknown-elf-gcc"
	X86Compiler   = "gcc" // with -m32
)

// Unavailable skips the test, or fails it under CI.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Need makes sure every tool is on PATH, or calls Unavailable.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			Unavailable(t, "%s is not installed; it is needed to build a kernel variant", tool)
		}
	}
}

// Root is the repository's top folder: the nearest folder at or above the
// working directory (a test's package folder) that holds go.mod and
// kernel/src.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if isFile(filepath.Join(dir, "go.mod")) && isDir(filepath.Join(dir, "kernel", "src")) {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("kbuild: no repository with kernel/src above the working directory")
		}
		dir = up
	}
}

// Tree is a scratch copy of a repository's kernel/src, removed when the
// test ends.
type Tree struct {
	Root string // the repository, which the Makefile's ROOT names (for the Go mkfs)
	Src  string // the copy
}

// New copies root/kernel/src, leaving out its build outputs, into a
// temporary folder of t.
func New(t testing.TB, root string) *Tree {
	t.Helper()
	tr := &Tree{Root: root, Src: filepath.Join(t.TempDir(), "src")}
	if err := copySources(filepath.Join(root, "kernel", "src"), tr.Src); err != nil {
		t.Fatalf("kbuild: copying the kernel sources: %v", err)
	}
	return tr
}

// Patch applies the patch file (-p1, relative to kernel/src).
func (tr *Tree) Patch(t testing.TB, file string) {
	t.Helper()
	tr.patch(t, file)
}

// Unpatch takes back a patch Patch applied, so one tree can build
// several variants, each recompiling only what its patch touched.
func (tr *Tree) Unpatch(t testing.TB, file string) {
	t.Helper()
	tr.patch(t, file, "-R")
}

func (tr *Tree) patch(t testing.TB, file string, flags ...string) {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	args := append(flags, "-p1", "--batch", "--no-backup-if-mismatch", "-d", tr.Src, "-i", abs)
	tr.run(t, "patch", args...)
}

// Make runs make with args in the copy (quietly, two jobs, at low
// priority: the host is shared) and returns its output.
func (tr *Tree) Make(t testing.TB, args ...string) string {
	t.Helper()
	return tr.run(t, "make", append([]string{"-s", "-j2", "-C", tr.Src, "ROOT=" + tr.Root}, args...)...)
}

// Read returns a file under the copy's build folder (rel as
// "riscv/kernel").
func (tr *Tree) Read(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tr.Src, "build", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("kbuild: %v", err)
	}
	return data
}

func (tr *Tree) run(t testing.TB, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("nice"); err == nil {
		args = append([]string{name}, args...)
		name = "nice"
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// copySources copies the tree from into to, leaving out the top-level
// build folder (it may hold another build's objects, and is shared).
func copySources(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && rel == "build":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		case !d.Type().IsRegular():
			return errors.New(path + ": not a regular file")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
