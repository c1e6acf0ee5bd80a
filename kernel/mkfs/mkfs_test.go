package mkfs_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

const maxBytes = mkfs.MaxFile * mkfs.BlockSize

func randomData(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// sampleFiles covers every size boundary: empty, partial block, exact
// blocks, the direct/indirect boundary and the maximum file size.
func sampleFiles() []mkfs.File {
	sizes := []int{0, 1, 1023, 1024, 1025, 12 * 1024, 12*1024 + 1, 100000, maxBytes}
	var files []mkfs.File
	for i, n := range sizes {
		files = append(files, mkfs.File{Name: fmt.Sprintf("f%d", i), Data: randomData(uint64(i), n)})
	}
	files = append(files, mkfs.File{Name: "exactly14bytes", Data: []byte("fourteen")})
	files = append(files, mkfs.File{Name: "README.md", Data: []byte("hello xv6\n")})
	return files
}

// checkImage verifies the whole image: superblock, the root directory, each
// file's contents, inode counts, and that the bitmap marks exactly the
// metadata blocks plus every block reachable from an inode, none twice.
func checkImage(t *testing.T, img []byte, want []mkfs.File) {
	t.Helper()
	r := newReader(img)
	require.Equal(t, uint32(mkfs.Magic), r.sb.magic)
	require.Equal(t, int(r.sb.size)*1024, len(img))

	root := r.inode(mkfs.RootInode)
	require.Equal(t, int16(mkfs.TypeDir), root.typ)
	ents, err := r.dir(mkfs.RootInode)
	require.NoError(t, err)

	byName := map[string]uint16{}
	for _, e := range ents {
		if e.inum == 0 {
			continue
		}
		_, dup := byName[e.name]
		require.False(t, dup, "duplicate entry %q", e.name)
		byName[e.name] = e.inum
	}
	assert.Equal(t, uint16(mkfs.RootInode), byName["."])
	assert.Equal(t, uint16(mkfs.RootInode), byName[".."])
	require.Len(t, byName, len(want)+2)

	owner := map[uint32]string{}
	claim := func(bn uint32, who string) {
		prev, taken := owner[bn]
		require.False(t, taken, "block %d used by %s and %s", bn, prev, who)
		owner[bn] = who
	}
	nmeta := r.sb.bmapstart + r.sb.size/8192 + 1
	assert.Equal(t, r.sb.size-nmeta, r.sb.nblocks)
	for bn := uint32(0); bn < nmeta; bn++ {
		claim(bn, "metadata")
	}

	inodesUsed := 0
	for inum := uint32(1); inum < r.sb.ninodes; inum++ {
		in := r.inode(inum)
		if in.typ == 0 {
			continue
		}
		inodesUsed++
		bs, ind, err := r.blocks(in)
		require.NoError(t, err, "inode %d", inum)
		for _, b := range bs {
			claim(b, fmt.Sprintf("inode %d", inum))
		}
		if ind != 0 {
			claim(ind, fmt.Sprintf("inode %d indirect", inum))
		}
	}
	assert.Equal(t, len(want)+1, inodesUsed, "allocated inodes")

	for _, f := range want {
		inum, ok := byName[f.Name]
		require.True(t, ok, "missing %q", f.Name)
		in := r.inode(uint32(inum))
		assert.Equal(t, int16(mkfs.TypeFile), in.typ, f.Name)
		assert.Equal(t, int16(1), in.nlink, f.Name)
		got, err := r.content(uint32(inum))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(f.Data, got), "content of %q", f.Name)
	}

	for bn := uint32(0); bn < r.sb.size; bn++ {
		_, used := owner[bn]
		require.Equal(t, used, r.bitSet(bn), "bitmap bit for block %d", bn)
	}
}

func TestBuildLayoutMatchesKernel(t *testing.T) {
	img, err := mkfs.Build(nil, mkfs.Options{})
	require.NoError(t, err)
	r := newReader(img)
	assert.Equal(t, uint32(2000), r.sb.size)
	assert.Equal(t, uint32(1954), r.sb.nblocks)
	assert.Equal(t, uint32(200), r.sb.ninodes)
	assert.Equal(t, uint32(30), r.sb.nlog)
	assert.Equal(t, uint32(2), r.sb.logstart)
	assert.Equal(t, uint32(32), r.sb.inodestart)
	assert.Equal(t, uint32(45), r.sb.bmapstart)
	ents, err := r.dir(mkfs.RootInode)
	require.NoError(t, err)
	assert.Equal(t, []rdirent{{1, "."}, {1, ".."}}, ents)
	checkImage(t, img, nil)
}

func TestBuildFilesRoundTrip(t *testing.T) {
	files := sampleFiles()
	img, err := mkfs.Build(files, mkfs.Options{})
	require.NoError(t, err)
	checkImage(t, img, files)

	// Entries appear in the order given, after "." and "..", with 14-byte
	// names stored without a terminating NUL.
	ents, err := newReader(img).dir(mkfs.RootInode)
	require.NoError(t, err)
	require.Len(t, ents, len(files)+2)
	for i, f := range files {
		assert.Equal(t, f.Name, ents[i+2].name)
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	a, err := mkfs.Build(sampleFiles(), mkfs.Options{})
	require.NoError(t, err)
	b, err := mkfs.Build(sampleFiles(), mkfs.Options{})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b))
}

func TestBuildMaxFiles(t *testing.T) {
	var files []mkfs.File
	for i := 0; i < mkfs.DefaultInodes-2; i++ { // inode 0 unused, 1 is root
		files = append(files, mkfs.File{Name: fmt.Sprintf("file%03d", i), Data: []byte{byte(i)}})
	}
	img, err := mkfs.Build(files, mkfs.Options{})
	require.NoError(t, err)
	checkImage(t, img, files)

	files = append(files, mkfs.File{Name: "onetoomany"})
	_, err = mkfs.Build(files, mkfs.Options{})
	assert.ErrorIs(t, err, mkfs.ErrTooManyFiles)
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		files []mkfs.File
		opts  mkfs.Options
		want  error
	}{
		{"name too long", []mkfs.File{{Name: "fifteen-bytes-x"}}, mkfs.Options{}, mkfs.ErrNameTooLong},
		{"empty name", []mkfs.File{{Name: ""}}, mkfs.Options{}, mkfs.ErrBadName},
		{"slash", []mkfs.File{{Name: "a/b"}}, mkfs.Options{}, mkfs.ErrBadName},
		{"dot", []mkfs.File{{Name: "."}}, mkfs.Options{}, mkfs.ErrBadName},
		{"duplicate", []mkfs.File{{Name: "x"}, {Name: "x"}}, mkfs.Options{}, mkfs.ErrDuplicate},
		{"too large", []mkfs.File{{Name: "big", Data: make([]byte, maxBytes+1)}}, mkfs.Options{}, mkfs.ErrTooLarge},
		{"image full", []mkfs.File{{Name: "a", Data: make([]byte, maxBytes)}, {Name: "b", Data: make([]byte, maxBytes)}},
			mkfs.Options{Size: 400}, mkfs.ErrFull},
		{"no room", nil, mkfs.Options{Size: 10}, mkfs.ErrBadImage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, err := mkfs.Build(tc.files, tc.opts)
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, img)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestAddToOwnImage(t *testing.T) {
	first := sampleFiles()[:4]
	img, err := mkfs.Build(first, mkfs.Options{})
	require.NoError(t, err)
	orig := bytes.Clone(img)

	more := []mkfs.File{{Name: "mytest", Data: randomData(99, 30000)}, {Name: "notes", Data: []byte("x")}}
	out, err := mkfs.Add(img, more)
	require.NoError(t, err)
	assert.Equal(t, orig, img, "Add must not modify its input")
	checkImage(t, out, append(append([]mkfs.File{}, first...), more...))

	_, err = mkfs.Add(out, []mkfs.File{{Name: "f0"}})
	assert.ErrorIs(t, err, mkfs.ErrDuplicate)
}

// mitStyle rewrites a fresh image the way MIT's mkfs leaves it: the root
// directory's size rounded up to a whole block, so it ends in empty slots,
// and (in newer versions) one more log block.
func mitStyle(t *testing.T, files []mkfs.File) []byte {
	img, err := mkfs.Build(files, mkfs.Options{LogBlocks: 31})
	require.NoError(t, err)
	r := newReader(img)
	b := r.blk(r.sb.inodestart)[mkfs.RootInode*64:]
	size := binary.LittleEndian.Uint32(b[8:])
	binary.LittleEndian.PutUint32(b[8:], (size/1024+1)*1024)
	return img
}

func TestAddToMITStyleImage(t *testing.T) {
	base := []mkfs.File{{Name: "cat", Data: []byte("cat")}, {Name: "README", Data: []byte("readme")}}
	img := mitStyle(t, base)
	added := []mkfs.File{{Name: "threadtest", Data: randomData(5, 5000)}}
	out, err := mkfs.Add(img, added)
	require.NoError(t, err)
	checkImage(t, out, append(base, added...))

	// The new entry reused the first empty slot rather than growing the
	// directory past its block.
	ents, err := newReader(out).dir(mkfs.RootInode)
	require.NoError(t, err)
	assert.Len(t, ents, 1024/16)
	assert.Equal(t, "threadtest", ents[4].name)
}

func TestAddGrowsRootDirectoryPastDirectBlocks(t *testing.T) {
	// 198 entries of 16 bytes plus "." and ".." need 4 root blocks; use a
	// bigger inode table so the root needs its indirect block too.
	img, err := mkfs.Build(nil, mkfs.Options{Inodes: 1000, Size: 3000})
	require.NoError(t, err)
	var files []mkfs.File
	for i := 0; i < 900; i++ {
		files = append(files, mkfs.File{Name: fmt.Sprintf("n%d", i), Data: []byte(fmt.Sprint(i))})
	}
	out, err := mkfs.Add(img, files)
	require.NoError(t, err)
	checkImage(t, out, files)
	assert.NotZero(t, newReader(out).inode(mkfs.RootInode).addrs[12], "root uses its indirect block")
}

func TestAddUntilFull(t *testing.T) {
	img, err := mkfs.Build(nil, mkfs.Options{})
	require.NoError(t, err)
	var all []mkfs.File
	for i := 0; ; i++ {
		f := mkfs.File{Name: fmt.Sprintf("big%d", i), Data: randomData(uint64(i), maxBytes)}
		next, err := mkfs.Add(img, []mkfs.File{f})
		if err != nil {
			assert.ErrorIs(t, err, mkfs.ErrFull)
			break
		}
		img = next
		all = append(all, f)
	}
	assert.Len(t, all, 1954/(mkfs.MaxFile+1))
	checkImage(t, img, all)
}

func TestAddRejectsBadImages(t *testing.T) {
	good, err := mkfs.Build(nil, mkfs.Options{})
	require.NoError(t, err)

	badMagic := bytes.Clone(good)
	badMagic[1024] ^= 0xff
	truncated := good[:len(good)/2]
	dirtyLog := bytes.Clone(good)
	binary.LittleEndian.PutUint32(dirtyLog[2*1024:], 3)
	noRoot := bytes.Clone(good)
	r := newReader(noRoot)
	binary.LittleEndian.PutUint16(r.blk(r.sb.inodestart)[64:], 0)

	for name, img := range map[string][]byte{
		"empty": nil, "bad magic": badMagic, "truncated": truncated,
		"dirty log": dirtyLog, "no root dir": noRoot,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := mkfs.Add(img, []mkfs.File{{Name: "x"}})
			assert.ErrorIs(t, err, mkfs.ErrBadImage)
		})
	}
}
