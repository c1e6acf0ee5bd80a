package batch

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Limits bound what unpacking or copying one submission may write, so
// that a zip bomb or a huge tree fails that submission instead of filling
// the disk.
type Limits struct {
	MaxBytes int64 // file contents in all, counted as written
	MaxFiles int   // entries of any kind
}

// DefaultLimits fit any xv6 tree, even one handed in with its build
// products (an MIT tree with objects and fs.img is about 20 MB).
var DefaultLimits = Limits{MaxBytes: 512 << 20, MaxFiles: 20000}

// UnpackError is a submission that cannot be unpacked safely: a path that
// leaves the tree, a symlink out, a bomb, a corrupt archive.
type UnpackError struct{ Err error }

func (e *UnpackError) Error() string { return e.Err.Error() }
func (e *UnpackError) Unwrap() error { return e.Err }

func unpackErr(format string, args ...any) error {
	return &UnpackError{fmt.Errorf(format, args...)}
}

// Unpack puts submission s into the empty directory dst: the folder is
// copied, an archive extracted. Symlinks are made last and only if they
// resolve inside dst; absolute paths, ".." and entries other than files,
// folders and symlinks are refused. Modification times are kept, so a
// tree handed in with its build products is not rebuilt from scratch.
func Unpack(s Submission, dst string, lim Limits) error {
	x := &extractor{root: dst, lim: lim}
	var err error
	switch s.Kind {
	case KindFolder:
		err = x.copyTree(s.Path)
	case KindZip:
		err = x.unzip(s.Path)
	case KindTarGz:
		err = x.untar(s.Path)
	default:
		return unpackErr("not a folder, .zip, .tar.gz or .tgz")
	}
	if err == nil {
		err = x.finish()
	}
	var ue *UnpackError
	if err != nil && !errors.As(err, &ue) {
		err = &UnpackError{err}
	}
	return err
}

// extractor writes entries under root within the limits.
type extractor struct {
	root    string
	lim     Limits
	written int64
	entries int
	links   []link
	times   []stamp
}

type link struct{ name, target string }

type stamp struct {
	path string
	t    time.Time
}

// local checks an entry name and returns its path under root.
func (x *extractor) local(name string) (string, error) {
	clean := strings.TrimSuffix(strings.ReplaceAll(name, `\`, "/"), "/")
	if !filepath.IsLocal(clean) || strings.Contains(clean, "\x00") {
		return "", unpackErr("%q: a path outside the tree", name)
	}
	x.entries++
	if x.entries > x.lim.MaxFiles {
		return "", unpackErr("more than %d entries", x.lim.MaxFiles)
	}
	return filepath.Join(x.root, filepath.FromSlash(clean)), nil
}

func (x *extractor) dir(name string) error {
	p, err := x.local(name)
	if err != nil {
		return err
	}
	return os.MkdirAll(p, 0o755)
}

// file writes one regular file, refusing to overwrite an earlier entry.
// size is what the archive claims; the bytes actually written count
// against the limit, whatever the header said.
func (x *extractor) file(name string, mode fs.FileMode, size int64, mtime time.Time, r io.Reader) error {
	p, err := x.local(name)
	if err != nil {
		return err
	}
	left := x.lim.MaxBytes - x.written
	if size > left {
		return unpackErr("%q: more than %d bytes unpacked (a zip bomb?)", name, x.lim.MaxBytes)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return unpackErr("%q: %v", name, err)
	}
	n, err := io.Copy(f, io.LimitReader(r, left+1))
	x.written += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return unpackErr("%q: %v", name, err)
	}
	if n > left {
		return unpackErr("%q: more than %d bytes unpacked (a zip bomb?)", name, x.lim.MaxBytes)
	}
	if !mtime.IsZero() {
		x.times = append(x.times, stamp{p, mtime})
	}
	return nil
}

// symlink records a link to make once every file is in place, so that no
// later entry can be written through it.
func (x *extractor) symlink(name, target string) error {
	if _, err := x.local(name); err != nil {
		return err
	}
	t := strings.ReplaceAll(target, `\`, "/")
	if path.IsAbs(t) || !filepath.IsLocal(path.Join(path.Dir(strings.TrimSuffix(name, "/")), t)) {
		return unpackErr("%q: a symlink out of the tree (to %q)", name, target)
	}
	x.links = append(x.links, link{strings.TrimSuffix(name, "/"), t})
	return nil
}

// finish makes the symlinks, checks where each one really leads (a chain
// of links can leave the tree where no single one does), and sets the
// files' modification times.
func (x *extractor) finish() error {
	for _, l := range x.links {
		p := filepath.Join(x.root, filepath.FromSlash(l.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(filepath.FromSlash(l.target), p); err != nil {
			return unpackErr("%q: %v", l.name, err)
		}
	}
	if len(x.links) > 0 {
		root, err := filepath.EvalSymlinks(x.root)
		if err != nil {
			return err
		}
		for _, l := range x.links {
			p := filepath.Join(x.root, filepath.FromSlash(l.name))
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return unpackErr("%q: a symlink that leads nowhere (%q)", l.name, l.target)
			}
			if rel, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(rel) {
				return unpackErr("%q: a symlink out of the tree (to %q)", l.name, l.target)
			}
		}
	}
	for _, s := range x.times {
		if err := os.Chtimes(s.path, s.t, s.t); err != nil {
			return err
		}
	}
	return nil
}

func (x *extractor) unzip(file string) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return unpackErr("%v", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := x.zipEntry(f); err != nil {
			return err
		}
	}
	return nil
}

func (x *extractor) zipEntry(f *zip.File) error {
	mode := f.Mode()
	switch {
	case mode.IsDir():
		return x.dir(f.Name)
	case mode&fs.ModeSymlink != 0:
		if f.UncompressedSize64 > 4096 {
			return unpackErr("%q: a symlink target of %d bytes", f.Name, f.UncompressedSize64)
		}
		r, err := f.Open()
		if err != nil {
			return unpackErr("%q: %v", f.Name, err)
		}
		target, err := io.ReadAll(io.LimitReader(r, 4096))
		r.Close()
		if err != nil {
			return unpackErr("%q: %v", f.Name, err)
		}
		return x.symlink(f.Name, string(target))
	case mode.IsRegular():
		if f.UncompressedSize64 > uint64(x.lim.MaxBytes) {
			return unpackErr("%q: more than %d bytes unpacked (a zip bomb?)", f.Name, x.lim.MaxBytes)
		}
		r, err := f.Open()
		if err != nil {
			return unpackErr("%q: %v", f.Name, err)
		}
		defer r.Close()
		return x.file(f.Name, mode, int64(f.UncompressedSize64), f.Modified, r)
	}
	return unpackErr("%q: not a file, folder or symlink (%v)", f.Name, mode.Type())
}

func (x *extractor) untar(file string) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		return unpackErr("%v", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return unpackErr("%v", err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = x.dir(h.Name)
		case tar.TypeReg, tar.TypeRegA:
			err = x.file(h.Name, fs.FileMode(h.Mode), h.Size, h.ModTime, tr)
		case tar.TypeSymlink:
			err = x.symlink(h.Name, h.Linkname)
		case tar.TypeXGlobalHeader:
			// git archive's commit id: not an entry.
		default:
			err = unpackErr("%q: not a file, folder or symlink (tar type %q)", h.Name, h.Typeflag)
		}
		if err != nil {
			return err
		}
	}
}

// copyTree copies a submission folder with the rules archives follow.
func (x *extractor) copyTree(from string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return x.dir(name)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return x.symlink(name, target)
		case info.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return x.file(name, info.Mode(), info.Size(), info.ModTime(), f)
		}
		return unpackErr("%q: not a file, folder or symlink (%v)", name, info.Mode().Type())
	})
}
