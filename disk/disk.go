// Package disk is a raw disk image as a guest disk controller sees it: an
// array of 512-byte sectors read and written at byte offsets.
//
// By default a Disk is copy-on-write in memory: guest writes land in an
// overlay of dirty chunks and the image underneath (a file or a byte slice)
// is never changed. Opened with persist, writes go straight to the file.
package disk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// SectorSize is the unit of every disk in this emulator.
const SectorSize = 512

// chunkSize is the granularity of the copy-on-write overlay. A write
// copies at most one chunk of the base image per chunk it touches.
const chunkSize = 4096

// Disk is a raw image of Size() bytes. It is not safe for concurrent use;
// a board drives it from one goroutine.
type Disk struct {
	name    string
	size    int64
	base    io.ReaderAt      // the image as opened
	file    *os.File         // nil for images built from bytes
	persist bool             // write through to file instead of overlay
	overlay map[int64][]byte // chunk index -> chunkSize bytes, copy-on-write mode
	closed  bool
}

// ErrClosed is returned by every access after Close.
var ErrClosed = errors.New("disk: closed")

// Open opens the raw image at path. Unless persist is set the file is opened
// read-only and guest writes stay in memory.
func Open(path string, persist bool) (*Disk, error) {
	flag := os.O_RDONLY
	if persist {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, fmt.Errorf("disk: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("disk: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("disk: %s is not a regular file", path)
	}
	if err := checkSize(path, st.Size()); err != nil {
		f.Close()
		return nil, err
	}
	return &Disk{
		name:    path,
		size:    st.Size(),
		base:    f,
		file:    f,
		persist: persist,
		overlay: map[int64][]byte{},
	}, nil
}

// FromBytes makes a copy-on-write disk over img, typically an image
// embedded in the binary. img is never modified, so one decompressed image
// may back many machines; the caller must not change it while it is in use.
func FromBytes(img []byte) (*Disk, error) {
	if err := checkSize("image", int64(len(img))); err != nil {
		return nil, err
	}
	return &Disk{
		name:    "image",
		size:    int64(len(img)),
		base:    bytes.NewReader(img),
		overlay: map[int64][]byte{},
	}, nil
}

func checkSize(name string, size int64) error {
	if size%SectorSize != 0 {
		return fmt.Errorf("disk: %s: size %d is not a multiple of %d bytes", name, size, SectorSize)
	}
	return nil
}

// Size is the image size in bytes.
func (d *Disk) Size() int64 { return d.size }

// Sectors is the image size in 512-byte sectors.
func (d *Disk) Sectors() uint64 { return uint64(d.size / SectorSize) }

// Persistent reports whether writes reach the underlying file.
func (d *Disk) Persistent() bool { return d.persist }

func (d *Disk) check(op string, n int, off int64) error {
	if d.closed {
		return ErrClosed
	}
	if off < 0 || off > d.size || int64(n) > d.size-off {
		return fmt.Errorf("disk: %s of %d bytes at offset %d is beyond the end of %s (%d bytes)", op, n, off, d.name, d.size)
	}
	return nil
}

// ReadAt reads len(p) bytes at byte offset off. A read that does not lie
// entirely inside the disk reads nothing and fails.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) {
	if err := d.check("read", len(p), off); err != nil {
		return 0, err
	}
	if d.persist || len(d.overlay) == 0 {
		return d.readBase(p, off)
	}
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		idx, in := pos/chunkSize, int(pos%chunkSize)
		n := min(chunkSize-in, len(p)-done)
		if c, ok := d.overlay[idx]; ok {
			copy(p[done:done+n], c[in:])
		} else if _, err := d.readBase(p[done:done+n], pos); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

func (d *Disk) readBase(p []byte, off int64) (int, error) {
	n, err := d.base.ReadAt(p, off)
	if n == len(p) {
		return n, nil // io.ReaderAt may report EOF with a full read
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF // the image shrank under us
	}
	return n, fmt.Errorf("disk: read %s at offset %d: %w", d.name, off, err)
}

// WriteAt writes p at byte offset off: to the file when persistent, to the
// in-memory overlay otherwise. A write that does not lie entirely inside the
// disk writes nothing and fails.
func (d *Disk) WriteAt(p []byte, off int64) (int, error) {
	if err := d.check("write", len(p), off); err != nil {
		return 0, err
	}
	if d.persist {
		n, err := d.file.WriteAt(p, off)
		if err != nil {
			return n, fmt.Errorf("disk: write %s at offset %d: %w", d.name, off, err)
		}
		return n, nil
	}
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		idx, in := pos/chunkSize, int(pos%chunkSize)
		n := min(chunkSize-in, len(p)-done)
		c, err := d.chunk(idx)
		if err != nil {
			return done, err
		}
		copy(c[in:], p[done:done+n])
		done += n
	}
	return done, nil
}

// chunk returns the overlay copy of chunk idx, copying it from the base
// image on first use. The last chunk may be shorter than chunkSize.
func (d *Disk) chunk(idx int64) ([]byte, error) {
	if c, ok := d.overlay[idx]; ok {
		return c, nil
	}
	start := idx * chunkSize
	c := make([]byte, min(chunkSize, d.size-start))
	if _, err := d.readBase(c, start); err != nil {
		return nil, err
	}
	d.overlay[idx] = c
	return c, nil
}

// Flush makes every completed write durable: fsync for a persistent disk,
// nothing to do for an in-memory overlay.
func (d *Disk) Flush() error {
	if d.closed {
		return ErrClosed
	}
	if d.persist {
		if err := d.file.Sync(); err != nil {
			return fmt.Errorf("disk: flush %s: %w", d.name, err)
		}
	}
	return nil
}

// Close flushes a persistent disk and releases the file. Writes kept in
// memory are discarded.
func (d *Disk) Close() error {
	if d.closed {
		return ErrClosed
	}
	err := d.Flush()
	d.closed = true
	d.overlay = nil
	if d.file != nil {
		if cerr := d.file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("disk: close %s: %w", d.name, cerr)
		}
	}
	return err
}
