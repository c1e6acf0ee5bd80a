package mkfs_test

import (
	"encoding/binary"
	"fmt"
)

// fsReader is a small, independent parser of xv6 images used to check what
// mkfs wrote. It deliberately shares no code with the package.
type fsReader struct {
	img []byte
	sb  struct {
		magic, size, nblocks, ninodes, nlog, logstart, inodestart, bmapstart uint32
	}
}

type rinode struct {
	typ, major, minor, nlink int16
	size                     uint32
	addrs                    [13]uint32
}

type rdirent struct {
	inum uint16
	name string
}

func newReader(img []byte) *fsReader {
	r := &fsReader{img: img}
	f := []*uint32{&r.sb.magic, &r.sb.size, &r.sb.nblocks, &r.sb.ninodes,
		&r.sb.nlog, &r.sb.logstart, &r.sb.inodestart, &r.sb.bmapstart}
	for i, p := range f {
		*p = binary.LittleEndian.Uint32(img[1024+4*i:])
	}
	return r
}

func (r *fsReader) blk(bn uint32) []byte { return r.img[bn*1024 : (bn+1)*1024] }

func (r *fsReader) inode(inum uint32) rinode {
	b := r.blk(r.sb.inodestart + inum/16)[(inum%16)*64:]
	var in rinode
	in.typ = int16(binary.LittleEndian.Uint16(b[0:]))
	in.major = int16(binary.LittleEndian.Uint16(b[2:]))
	in.minor = int16(binary.LittleEndian.Uint16(b[4:]))
	in.nlink = int16(binary.LittleEndian.Uint16(b[6:]))
	in.size = binary.LittleEndian.Uint32(b[8:])
	for i := range in.addrs {
		in.addrs[i] = binary.LittleEndian.Uint32(b[12+4*i:])
	}
	return in
}

// blocks lists the data blocks of an inode in file order, plus its
// indirect block (if any) separately.
func (r *fsReader) blocks(in rinode) (data []uint32, indirect uint32, err error) {
	n := (in.size + 1023) / 1024
	for i := uint32(0); i < n; i++ {
		var a uint32
		if i < 12 {
			a = in.addrs[i]
		} else {
			indirect = in.addrs[12]
			if indirect == 0 {
				return nil, 0, fmt.Errorf("block %d needs a missing indirect block", i)
			}
			a = binary.LittleEndian.Uint32(r.blk(indirect)[4*(i-12):])
		}
		if a == 0 || a >= r.sb.size {
			return nil, 0, fmt.Errorf("block %d has bad address %d", i, a)
		}
		data = append(data, a)
	}
	return data, indirect, nil
}

func (r *fsReader) content(inum uint32) ([]byte, error) {
	in := r.inode(inum)
	bs, _, err := r.blocks(in)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, b := range bs {
		out = append(out, r.blk(b)...)
	}
	return out[:in.size], nil
}

func (r *fsReader) dir(inum uint32) ([]rdirent, error) {
	data, err := r.content(inum)
	if err != nil {
		return nil, err
	}
	var ents []rdirent
	for off := 0; off+16 <= len(data); off += 16 {
		e := data[off : off+16]
		name := e[2:16]
		n := 0
		for n < 14 && name[n] != 0 {
			n++
		}
		ents = append(ents, rdirent{binary.LittleEndian.Uint16(e), string(name[:n])})
	}
	return ents, nil
}

func (r *fsReader) bitSet(bn uint32) bool {
	b := r.blk(r.sb.bmapstart + bn/8192)
	return b[(bn%8192)/8]&(1<<(bn%8)) != 0
}
