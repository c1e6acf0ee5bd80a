package mkfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// File is one regular file to place in the root directory.
type File struct {
	Name string // at most DirSize bytes, no '/'
	Data []byte
}

// Options sets the geometry of a fresh image; zero fields take the
// kernel's defaults (DefaultSize, DefaultInodes, DefaultLogBlocks).
type Options struct {
	Size      uint32 // total blocks
	Inodes    uint32
	LogBlocks uint32
}

// Build returns a fresh image whose root directory holds ".", ".." and the
// files, in the order given.
func Build(files []File, opts Options) ([]byte, error) {
	size := orDefault(opts.Size, DefaultSize)
	ninodes := orDefault(opts.Inodes, DefaultInodes)
	nlog := orDefault(opts.LogBlocks, DefaultLogBlocks)
	sb := layout(size, ninodes, nlog)
	if sb.NBlocks == 0 || ninodes < 2 || ninodes > 1<<16 {
		return nil, fmt.Errorf("mkfs: %w: %d blocks and %d inodes leave no room for data",
			ErrBadImage, size, ninodes)
	}
	im := &image{data: make([]byte, int(size)*BlockSize), sb: sb}
	sb.encode(im.block(superblock))
	for bn := uint32(0); bn < sb.dataStart(); bn++ {
		im.markUsed(bn)
	}
	root, err := im.allocInode(TypeDir)
	if err != nil || root != RootInode {
		return nil, fmt.Errorf("mkfs: cannot allocate the root inode: %v", err)
	}
	for _, name := range []string{".", ".."} {
		if err := im.link(root, name, root); err != nil {
			return nil, fmt.Errorf("mkfs: root directory: %w", err)
		}
	}
	if err := im.addFiles(files); err != nil {
		return nil, err
	}
	return im.data, nil
}

// Add returns a copy of img with files added to its root directory. img may
// come from Build or from MIT's mkfs: Add reads the layout from the
// superblock and finds free inodes and blocks through the inode types and
// the bitmap. img itself is never modified.
func Add(img []byte, files []File) ([]byte, error) {
	im, err := open(bytes.Clone(img))
	if err != nil {
		return nil, err
	}
	if err := im.addFiles(files); err != nil {
		return nil, err
	}
	return im.data, nil
}

func orDefault(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

// open checks that data holds a consistent image that is safe to edit.
func open(data []byte) (*image, error) {
	if len(data) < 2*BlockSize {
		return nil, fmt.Errorf("mkfs: %w: only %d bytes", ErrBadImage, len(data))
	}
	sb := decodeSuperblock(data[superblock*BlockSize:])
	if sb.Magic != Magic {
		return nil, fmt.Errorf("mkfs: %w: superblock magic %#x, want %#x", ErrBadImage, sb.Magic, Magic)
	}
	if uint64(sb.Size)*BlockSize > uint64(len(data)) {
		return nil, fmt.Errorf("mkfs: %w: superblock says %d blocks but the image has %d",
			ErrBadImage, sb.Size, len(data)/BlockSize)
	}
	inodeEnd := uint64(sb.InodeStart) + uint64(sb.NInodes+inodesPerBk-1)/inodesPerBk
	if sb.LogStart < 2 || uint64(sb.LogStart)+uint64(sb.NLog) > uint64(sb.InodeStart) ||
		inodeEnd > uint64(sb.BmapStart) || sb.NInodes <= RootInode ||
		uint64(sb.BmapStart)+uint64(sb.Size/bitsPerBk+1) > uint64(sb.Size) {
		return nil, fmt.Errorf("mkfs: %w: inconsistent superblock %+v", ErrBadImage, sb)
	}
	im := &image{data: data, sb: sb}
	if sb.NLog > 0 {
		// A non-empty log header means a committed transaction the kernel
		// will replay at boot, over whatever we would allocate now.
		if n := binary.LittleEndian.Uint32(im.block(sb.LogStart)); n != 0 {
			return nil, fmt.Errorf("mkfs: %w: the log holds %d uncommitted blocks; boot the image once to recover it",
				ErrBadImage, n)
		}
	}
	if root := im.readInode(RootInode); root.Type != TypeDir {
		return nil, fmt.Errorf("mkfs: %w: inode %d is not a directory", ErrBadImage, RootInode)
	}
	return im, nil
}

// addFiles validates every file before changing anything, then writes them.
func (im *image) addFiles(files []File) error {
	existing, err := im.names(RootInode)
	if err != nil {
		return fmt.Errorf("mkfs: root directory: %w", err)
	}
	free := 0
	for inum := uint32(1); inum < im.sb.NInodes; inum++ {
		if im.readInode(inum).Type == 0 {
			free++
		}
	}
	if len(files) > free {
		return fmt.Errorf("mkfs: %w: %d files but only %d free inodes", ErrTooManyFiles, len(files), free)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if err := checkName(f.Name); err != nil {
			return err
		}
		if seen[f.Name] || existing[f.Name] {
			return fmt.Errorf("mkfs: %w: %q", ErrDuplicate, f.Name)
		}
		seen[f.Name] = true
		if len(f.Data) > MaxFile*BlockSize {
			return fmt.Errorf("mkfs: %w: %q is %d bytes, the limit is %d",
				ErrTooLarge, f.Name, len(f.Data), MaxFile*BlockSize)
		}
	}
	for _, f := range files {
		inum, err := im.allocInode(TypeFile)
		if err != nil {
			return fmt.Errorf("mkfs: %q: %w", f.Name, err)
		}
		if err := im.appendData(inum, f.Data); err != nil {
			return fmt.Errorf("mkfs: %q: %w", f.Name, err)
		}
		if err := im.link(RootInode, f.Name, inum); err != nil {
			return fmt.Errorf("mkfs: %q: root directory: %w", f.Name, err)
		}
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("mkfs: %w: %q", ErrBadName, name)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("mkfs: %w: %q contains '/' or NUL", ErrBadName, name)
	case len(name) > DirSize:
		return fmt.Errorf("mkfs: %w: %q is %d bytes", ErrNameTooLong, name, len(name))
	}
	return nil
}
