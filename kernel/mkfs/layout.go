// Package mkfs builds and extends xv6 file-system images.
//
// The on-disk layout is the classic xv6 one shared with our kernel (and with
// MIT's xv6-riscv): 1024-byte blocks; block 0 unused, block 1 the superblock,
// then the log, the inode blocks, the free-block bitmap and the data blocks.
// Build makes a fresh image holding a flat root directory of files; Add puts
// more files into the root directory of an existing image, ours or MIT's.
//
// Output is a pure function of the inputs: inodes and blocks are handed out
// in order, so the same files in the same order give the same bytes.
package mkfs

import "encoding/binary"

// Geometry of the on-disk format. These values are part of the ABI with the
// kernel and must not change.
const (
	BlockSize = 1024       // bytes per block
	Magic     = 0x10203040 // superblock magic
	RootInode = 1          // inode number of the root directory
	NDirect   = 12         // direct block addresses in an inode
	NIndirect = BlockSize / 4
	MaxFile   = NDirect + NIndirect // largest file, in blocks
	DirSize   = 14                  // bytes in a directory entry name

	inodeSize   = 64
	inodesPerBk = BlockSize / inodeSize
	direntSize  = 16
	bitsPerBk   = BlockSize * 8
	superblock  = 1 // block number of the superblock
)

// Inode types, as in kernel/stat.h.
const (
	TypeDir    = 1
	TypeFile   = 2
	TypeDevice = 3
)

// Defaults match kernel/param.h: FSSIZE, NINODES and LOGSIZE.
const (
	DefaultSize      = 2000
	DefaultInodes    = 200
	DefaultLogBlocks = 30
)

// Superblock describes an image's layout; all fields are block numbers or
// counts, stored little-endian in block 1.
type Superblock struct {
	Magic      uint32
	Size       uint32 // total blocks in the image
	NBlocks    uint32 // data blocks
	NInodes    uint32
	NLog       uint32
	LogStart   uint32
	InodeStart uint32
	BmapStart  uint32
}

func (sb *Superblock) encode(b []byte) {
	for i, v := range []uint32{sb.Magic, sb.Size, sb.NBlocks, sb.NInodes,
		sb.NLog, sb.LogStart, sb.InodeStart, sb.BmapStart} {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
}

func decodeSuperblock(b []byte) Superblock {
	u := func(i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }
	return Superblock{u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7)}
}

// dataStart is the first block after the bitmap.
func (sb *Superblock) dataStart() uint32 {
	return sb.BmapStart + sb.Size/bitsPerBk + 1
}

// layout computes the superblock of a fresh image the way xv6 does: the
// inode area holds ninodes/16+1 blocks and the bitmap size/8192+1 blocks.
func layout(size, ninodes, nlog uint32) Superblock {
	ninodeBlocks := ninodes/inodesPerBk + 1
	nbitmap := size/bitsPerBk + 1
	nmeta := 2 + nlog + ninodeBlocks + nbitmap
	sb := Superblock{
		Magic:      Magic,
		Size:       size,
		NInodes:    ninodes,
		NLog:       nlog,
		LogStart:   2,
		InodeStart: 2 + nlog,
		BmapStart:  2 + nlog + ninodeBlocks,
	}
	if size > nmeta {
		sb.NBlocks = size - nmeta
	}
	return sb
}

// dinode is the on-disk inode: type, major, minor, nlink (int16 each),
// size (uint32) and NDirect+1 block addresses, the last one indirect.
type dinode struct {
	Type, Major, Minor, Nlink int16
	Size                      uint32
	Addrs                     [NDirect + 1]uint32
}

func (d *dinode) encode(b []byte) {
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(d.Type))
	le.PutUint16(b[2:], uint16(d.Major))
	le.PutUint16(b[4:], uint16(d.Minor))
	le.PutUint16(b[6:], uint16(d.Nlink))
	le.PutUint32(b[8:], d.Size)
	for i, a := range d.Addrs {
		le.PutUint32(b[12+4*i:], a)
	}
}

func decodeDinode(b []byte) dinode {
	le := binary.LittleEndian
	d := dinode{
		Type:  int16(le.Uint16(b[0:])),
		Major: int16(le.Uint16(b[2:])),
		Minor: int16(le.Uint16(b[4:])),
		Nlink: int16(le.Uint16(b[6:])),
		Size:  le.Uint32(b[8:]),
	}
	for i := range d.Addrs {
		d.Addrs[i] = le.Uint32(b[12+4*i:])
	}
	return d
}

// encodeDirent writes a directory entry; a 14-byte name has no NUL.
func encodeDirent(b []byte, inum uint16, name string) {
	binary.LittleEndian.PutUint16(b, inum)
	clear(b[2:direntSize])
	copy(b[2:direntSize], name)
}

func decodeDirent(b []byte) (inum uint16, name string) {
	inum = binary.LittleEndian.Uint16(b)
	n := b[2:direntSize]
	end := 0
	for end < len(n) && n[end] != 0 {
		end++
	}
	return inum, string(n[:end])
}
