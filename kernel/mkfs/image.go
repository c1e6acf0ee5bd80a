package mkfs

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors returned (wrapped with details) by Build and Add.
var (
	ErrBadImage     = errors.New("not a valid xv6 file-system image")
	ErrBadName      = errors.New("bad file name")
	ErrNameTooLong  = errors.New("file name longer than 14 bytes")
	ErrDuplicate    = errors.New("duplicate file name")
	ErrTooLarge     = errors.New("file too large")
	ErrTooManyFiles = errors.New("too many files")
	ErrFull         = errors.New("image full")
)

// image is an fs image being edited in memory. Blocks and inodes are
// allocated lowest-numbered first, which keeps the output deterministic.
type image struct {
	data      []byte
	sb        Superblock
	nextBlock uint32 // no free block below this one
	nextInode uint32 // no free inode below this one
}

func (im *image) block(bn uint32) []byte {
	off := int(bn) * BlockSize
	return im.data[off : off+BlockSize]
}

func (im *image) inodeBytes(inum uint32) []byte {
	b := im.block(im.sb.InodeStart + inum/inodesPerBk)
	off := (inum % inodesPerBk) * inodeSize
	return b[off : off+inodeSize]
}

func (im *image) readInode(inum uint32) dinode { return decodeDinode(im.inodeBytes(inum)) }

func (im *image) writeInode(inum uint32, d *dinode) { d.encode(im.inodeBytes(inum)) }

func (im *image) used(bn uint32) bool {
	b := im.block(im.sb.BmapStart + bn/bitsPerBk)
	bit := bn % bitsPerBk
	return b[bit/8]&(1<<(bit%8)) != 0
}

func (im *image) markUsed(bn uint32) {
	b := im.block(im.sb.BmapStart + bn/bitsPerBk)
	bit := bn % bitsPerBk
	b[bit/8] |= 1 << (bit % 8)
}

// allocBlock returns a zeroed free data block, marked used in the bitmap.
func (im *image) allocBlock() (uint32, error) {
	for bn := max(im.nextBlock, im.sb.dataStart()); bn < im.sb.Size; bn++ {
		if !im.used(bn) {
			im.markUsed(bn)
			clear(im.block(bn))
			im.nextBlock = bn + 1
			return bn, nil
		}
	}
	return 0, fmt.Errorf("%w: no free data blocks left (%d blocks)", ErrFull, im.sb.Size)
}

// allocInode claims a free inode of the given type with one link.
func (im *image) allocInode(typ int16) (uint32, error) {
	for inum := max(im.nextInode, 1); inum < im.sb.NInodes; inum++ {
		if im.readInode(inum).Type == 0 {
			im.writeInode(inum, &dinode{Type: typ, Nlink: 1})
			im.nextInode = inum + 1
			return inum, nil
		}
	}
	return 0, fmt.Errorf("%w: no free inodes left (%d inodes)", ErrTooManyFiles, im.sb.NInodes)
}

// blockOf returns the address of the file's n-th block, allocating it (and
// the indirect block) when alloc is set and it is missing. Addresses read
// from the image are checked, since Add may be handed a damaged one.
func (im *image) blockOf(d *dinode, n uint32, alloc bool) (uint32, error) {
	if n >= MaxFile {
		return 0, fmt.Errorf("%w: block %d is past the limit of %d blocks", ErrTooLarge, n, MaxFile)
	}
	if n < NDirect {
		return im.resolve(&d.Addrs[n], alloc)
	}
	ind, err := im.resolve(&d.Addrs[NDirect], alloc)
	if err != nil || ind == 0 {
		return 0, err
	}
	slot := im.block(ind)[4*(n-NDirect):]
	a := binary.LittleEndian.Uint32(slot)
	bn, err := im.resolve(&a, alloc)
	binary.LittleEndian.PutUint32(slot, a)
	return bn, err
}

// resolve returns the block address in *slot, first allocating one into
// it if it is empty and alloc is set.
func (im *image) resolve(slot *uint32, alloc bool) (uint32, error) {
	if *slot == 0 && alloc {
		bn, err := im.allocBlock()
		if err != nil {
			return 0, err
		}
		*slot = bn
	}
	if *slot != 0 && (*slot < im.sb.dataStart() || *slot >= im.sb.Size) {
		return 0, fmt.Errorf("%w: block address %d outside the data area", ErrBadImage, *slot)
	}
	return *slot, nil
}

// appendData writes data at the end of inode inum.
func (im *image) appendData(inum uint32, data []byte) error {
	d := im.readInode(inum)
	if d.Size > MaxFile*BlockSize {
		return fmt.Errorf("%w: inode %d has size %d", ErrBadImage, inum, d.Size)
	}
	if uint64(d.Size)+uint64(len(data)) > MaxFile*BlockSize {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge,
			uint64(d.Size)+uint64(len(data)), MaxFile*BlockSize)
	}
	for len(data) > 0 {
		bn, err := im.blockOf(&d, d.Size/BlockSize, true)
		if err != nil {
			return err
		}
		off := d.Size % BlockSize
		n := copy(im.block(bn)[off:], data)
		data = data[n:]
		d.Size += uint32(n)
	}
	im.writeInode(inum, &d)
	return nil
}

// dirents calls fn for each directory entry of directory inode inum, with
// the entry's bytes so that fn may rewrite it; fn returns false to stop.
func (im *image) dirents(inum uint32, fn func(e []byte) bool) error {
	d := im.readInode(inum)
	if d.Size > MaxFile*BlockSize {
		return fmt.Errorf("%w: directory inode %d has size %d", ErrBadImage, inum, d.Size)
	}
	for off := uint32(0); off+direntSize <= d.Size; off += direntSize {
		bn, err := im.blockOf(&d, off/BlockSize, false)
		if err != nil {
			return err
		}
		if bn == 0 {
			return fmt.Errorf("%w: directory inode %d has a hole at offset %d", ErrBadImage, inum, off)
		}
		if !fn(im.block(bn)[off%BlockSize : off%BlockSize+direntSize]) {
			return nil
		}
	}
	return nil
}

// link adds the entry name -> target to directory dir, reusing the first
// empty slot like the kernel's dirlink does.
func (im *image) link(dir uint32, name string, target uint32) error {
	done := false
	err := im.dirents(dir, func(e []byte) bool {
		if inum, _ := decodeDirent(e); inum == 0 {
			encodeDirent(e, uint16(target), name)
			done = true
		}
		return !done
	})
	if err != nil || done {
		return err
	}
	var e [direntSize]byte
	encodeDirent(e[:], uint16(target), name)
	return im.appendData(dir, e[:])
}

// names returns the set of names in directory dir.
func (im *image) names(dir uint32) (map[string]bool, error) {
	set := map[string]bool{}
	err := im.dirents(dir, func(e []byte) bool {
		if inum, name := decodeDirent(e); inum != 0 {
			set[name] = true
		}
		return true
	})
	return set, err
}
