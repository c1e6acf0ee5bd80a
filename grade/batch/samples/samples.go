// Package samples builds the sample submissions that the batch and
// Gradescope tests grade. Each is this project's own kernel (kernel/src)
// laid out as a student's tree, with a top-level Makefile that has MIT's
// kernel/kernel and fs.img targets, changed by one patch from testdata
// and packaged as a course receives it (a .zip, a .tar.gz or a folder).
//
// Building our kernel takes about ten seconds, so the base tree is built
// once and every sample carries its build products, older than its
// sources: a submission's own build then recompiles only what its patch
// changed. (Modification times survive the archives, as with zip and tar.)
package samples

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

//go:embed testdata/*.patch testdata/Makefile.student
var testdata embed.FS

// Format is how a sample is packaged.
type Format int

const (
	Zip    Format = iota // name.zip, the tree inside a folder of its own
	TarGz                // name.tar.gz, the tree at the top
	Folder               // a folder called name
)

// Sample is one submission.
type Sample struct {
	Name   string
	Patch  string // file in testdata; "" for the unchanged kernel
	Format Format
}

// The sample set.
var (
	Correct      = Sample{"correct", "", Zip}
	DoesNotBuild = Sample{"does-not-build", "does-not-build.patch", Zip}
	JoinDeadlock = Sample{"join-deadlock", "join-deadlock.patch", TarGz}
	ThreadReturn = Sample{"thread-return", "thread-return-kills-process.patch", Zip}
	ConsoleFlood = Sample{"console-flood", "console-flood.patch", Folder}
)

// All is the whole sample set.
func All() []Sample {
	return []Sample{Correct, DoesNotBuild, JoinDeadlock, ThreadReturn, ConsoleFlood}
}

// Tools are the programs building a sample needs.
var Tools = []string{"make", "patch", "riscv64-unknown-elf-gcc", "go"}

// Builder makes samples under a scratch folder, building the base tree
// the first time one is asked for.
type Builder struct {
	dir, root string
	once      sync.Once
	base      string
	err       error
}

// NewBuilder returns a builder working in dir (a test's temp folder).
func NewBuilder(dir string) (*Builder, error) {
	for _, t := range Tools {
		if _, err := exec.LookPath(t); err != nil {
			return nil, fmt.Errorf("samples: %s is not installed", t)
		}
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	return &Builder{dir: dir, root: root}, nil
}

// repoRoot is the repository this file is in: the base tree is its
// kernel/src, and the Go mkfs runs from there.
func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("samples: cannot locate the repository")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	if _, err := os.Stat(filepath.Join(root, "kernel", "src", "Makefile")); err != nil {
		return "", fmt.Errorf("samples: no kernel sources: %w", err)
	}
	return filepath.Abs(root)
}

// Tree makes sample s as an unpackaged tree under parent and returns its
// path.
func (b *Builder) Tree(s Sample, parent string) (string, error) {
	b.once.Do(func() { b.base, b.err = b.buildBase() })
	if b.err != nil {
		return "", b.err
	}
	tree := filepath.Join(parent, s.Name)
	if err := copyTree(b.base, tree); err != nil {
		return "", err
	}
	if s.Patch != "" {
		patch, err := testdata.ReadFile("testdata/" + s.Patch)
		if err != nil {
			return "", err
		}
		cmd := exec.Command("patch", "-p1", "--batch", "--no-backup-if-mismatch", "--quiet", "-d", filepath.Join(tree, "src"))
		cmd.Stdin = strings.NewReader(string(patch))
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("samples: %s: %v\n%s", s.Patch, err, out)
		}
	}
	return tree, nil
}

// Write makes sample s in dir, packaged as s.Format, and returns its path.
func (b *Builder) Write(s Sample, dir string) (string, error) {
	work, err := os.MkdirTemp(b.dir, "sample-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	tree, err := b.Tree(s, work)
	if err != nil {
		return "", err
	}
	switch s.Format {
	case Zip:
		out := filepath.Join(dir, s.Name+".zip")
		return out, writeZip(tree, out, "xv6-"+s.Name+"/")
	case TarGz:
		out := filepath.Join(dir, s.Name+".tar.gz")
		return out, writeTarGz(tree, out)
	default:
		out := filepath.Join(dir, s.Name)
		return out, copyTree(tree, out)
	}
}

// buildBase lays out and builds the unchanged tree, then dates its
// sources before its build products so that copies rebuild only what a
// patch touches.
func (b *Builder) buildBase() (string, error) {
	base := filepath.Join(b.dir, "base")
	if err := copyTree(filepath.Join(b.root, "kernel", "src"), filepath.Join(base, "src")); err != nil {
		return "", err
	}
	if err := os.RemoveAll(filepath.Join(base, "src", "build")); err != nil {
		return "", err
	}
	mk, err := testdata.ReadFile("testdata/Makefile.student")
	if err != nil {
		return "", err
	}
	mk = []byte(strings.ReplaceAll(string(mk), "@ROOT@", b.root))
	if err := os.WriteFile(filepath.Join(base, "Makefile"), mk, 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command("make", "-s", "kernel/kernel", "fs.img")
	cmd.Dir = base
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("samples: building the base tree: %v\n%s", err, out)
	}
	// The submission must build its own products.
	for _, p := range []string{"kernel", "fs.img"} {
		if err := os.RemoveAll(filepath.Join(base, p)); err != nil {
			return "", err
		}
	}
	sources := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	products := sources.Add(time.Hour)
	build := filepath.Join(base, "src", "build")
	err = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		t := sources
		if strings.HasPrefix(p, build+string(filepath.Separator)) {
			t = products
		}
		return os.Chtimes(p, t, t)
	})
	return base, err
}

// copyTree copies regular files and folders, keeping modes and times.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(dst, info.ModTime(), info.ModTime())
	})
}

// walkFiles calls fn for each regular file under root with its slash path.
func walkFiles(root string, fn func(rel string, info fs.FileInfo, data []byte) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		return fn(filepath.ToSlash(rel), info, data)
	})
}

func writeZip(tree, out, prefix string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	err = walkFiles(tree, func(rel string, info fs.FileInfo, data []byte) error {
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name = prefix + rel
		h.Method = zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	return closeAll(err, zw, f)
}

func writeTarGz(tree, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = walkFiles(tree, func(rel string, info fs.FileInfo, data []byte) error {
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = rel
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	return closeAll(err, tw, gz, f)
}

func closeAll(err error, cs ...io.Closer) error {
	for _, c := range cs {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
