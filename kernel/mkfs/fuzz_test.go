package mkfs_test

import (
	"testing"

	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// FuzzAdd damages the metadata of a small image (superblock, log header,
// inodes, bitmap) and checks that Add reports an error or succeeds, but
// never panics: the image may be any file a user passes to xv6emu.
func FuzzAdd(f *testing.F) {
	opts := mkfs.Options{Size: 80, Inodes: 32, LogBlocks: 4}
	base, err := mkfs.Build([]mkfs.File{
		{Name: "a", Data: randomData(1, 3000)},
		{Name: "b", Data: randomData(2, 14000)}, // uses the indirect block
	}, opts)
	if err != nil {
		f.Fatal(err)
	}
	const metaEnd = 10 * mkfs.BlockSize // 2 + 4 log + 3 inode + 1 bitmap blocks
	f.Add(uint16(1024), []byte{0xff, 0xff})
	f.Add(uint16(1028), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint16(6*1024+64+12), []byte{1, 0, 0, 0})            // root's first block -> boot block
	f.Add(uint16(6*1024+64+8), []byte{0xff, 0xff, 0xff, 0x7f}) // root's size
	f.Add(uint16(6*1024+3*64+60), []byte{0xff, 0xff, 0, 0})    // b's indirect block
	f.Fuzz(func(t *testing.T, at uint16, patch []byte) {
		img := append([]byte(nil), base...)
		off := int(at) % metaEnd
		copy(img[off:metaEnd], patch)
		out, err := mkfs.Add(img, []mkfs.File{{Name: "new", Data: randomData(3, 20000)}})
		if err == nil && len(out) != len(img) {
			t.Fatalf("Add changed the image size from %d to %d", len(img), len(out))
		}
	})
}
