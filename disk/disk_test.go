package disk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pattern returns n bytes that differ from sector to sector and byte to byte.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i/SectorSize)
	}
	return p
}

func writeImage(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fs.img")
	require.NoError(t, os.WriteFile(path, content, 0o644))
	return path
}

func TestOpenRejectsPartialSector(t *testing.T) {
	path := writeImage(t, make([]byte, 1000))
	_, err := Open(path, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a multiple of 512")

	_, err = FromBytes(make([]byte, 513))
	require.Error(t, err)
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.img"), false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope.img")
}

func TestOpenDirectory(t *testing.T) {
	_, err := Open(t.TempDir(), false)
	require.Error(t, err)
}

func TestCopyOnWriteNeverTouchesFile(t *testing.T) {
	orig := pattern(16 * SectorSize)
	path := writeImage(t, orig)
	d, err := Open(path, false)
	require.NoError(t, err)
	assert.Equal(t, int64(len(orig)), d.Size())
	assert.Equal(t, uint64(16), d.Sectors())
	assert.False(t, d.Persistent())

	// A write straddling the first chunk boundary.
	data := bytes.Repeat([]byte{0xAB}, 3*SectorSize)
	n, err := d.WriteAt(data, 7*SectorSize)
	require.NoError(t, err)
	assert.Equal(t, len(data), n)

	got := make([]byte, len(orig))
	_, err = d.ReadAt(got, 0)
	require.NoError(t, err)
	want := append([]byte(nil), orig...)
	copy(want[7*SectorSize:], data)
	assert.Equal(t, want, got)

	require.NoError(t, d.Flush())
	require.NoError(t, d.Close())
	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, orig, onDisk, "copy-on-write disk changed the image file")
}

func TestPersistWritesFile(t *testing.T) {
	orig := pattern(8 * SectorSize)
	path := writeImage(t, orig)
	d, err := Open(path, true)
	require.NoError(t, err)
	assert.True(t, d.Persistent())

	data := pattern(2 * SectorSize)
	for i := range data {
		data[i] ^= 0x5A
	}
	_, err = d.WriteAt(data, 5*SectorSize)
	require.NoError(t, err)

	got := make([]byte, len(data))
	_, err = d.ReadAt(got, 5*SectorSize)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	require.NoError(t, d.Close())

	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	want := append([]byte(nil), orig...)
	copy(want[5*SectorSize:], data)
	assert.Equal(t, want, onDisk)
}

func TestFromBytesLeavesSliceAlone(t *testing.T) {
	img := pattern(16 * SectorSize)
	orig := append([]byte(nil), img...)
	d, err := FromBytes(img)
	require.NoError(t, err)

	_, err = d.WriteAt([]byte{1, 2, 3}, 4095)
	require.NoError(t, err)
	assert.Equal(t, orig, img)

	got := make([]byte, 5)
	_, err = d.ReadAt(got, 4093)
	require.NoError(t, err)
	assert.Equal(t, []byte{orig[4093], orig[4094], 1, 2, 3}, got)
}

func TestShortLastChunk(t *testing.T) {
	// 3 sectors: the only chunk is 1536 bytes, shorter than chunkSize.
	d, err := FromBytes(pattern(3 * SectorSize))
	require.NoError(t, err)
	_, err = d.WriteAt([]byte{9}, 3*SectorSize-1)
	require.NoError(t, err)
	b := make([]byte, 1)
	_, err = d.ReadAt(b, 3*SectorSize-1)
	require.NoError(t, err)
	assert.Equal(t, byte(9), b[0])
}

func TestOutOfRange(t *testing.T) {
	d, err := FromBytes(make([]byte, 2*SectorSize))
	require.NoError(t, err)
	buf := make([]byte, SectorSize)
	tests := []struct {
		name string
		off  int64
		n    int
	}{
		{"negative", -1, 1},
		{"past end", 2 * SectorSize, 1},
		{"straddles end", SectorSize + 1, SectorSize},
		{"far past end", 1 << 62, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.ReadAt(buf[:tc.n], tc.off)
			assert.Error(t, err)
			_, err = d.WriteAt(buf[:tc.n], tc.off)
			assert.Error(t, err)
		})
	}
	// Empty access exactly at the end is fine.
	_, err = d.ReadAt(nil, 2*SectorSize)
	assert.NoError(t, err)
}

func TestClosed(t *testing.T) {
	d, err := FromBytes(make([]byte, SectorSize))
	require.NoError(t, err)
	require.NoError(t, d.Close())
	_, err = d.ReadAt(make([]byte, 1), 0)
	assert.ErrorIs(t, err, ErrClosed)
	_, err = d.WriteAt(make([]byte, 1), 0)
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, d.Flush(), ErrClosed)
	assert.ErrorIs(t, d.Close(), ErrClosed)
}

func TestShrunkImageIsAnError(t *testing.T) {
	path := writeImage(t, pattern(4*SectorSize))
	d, err := Open(path, false)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, os.Truncate(path, SectorSize))
	_, err = d.ReadAt(make([]byte, SectorSize), 2*SectorSize)
	assert.Error(t, err)
	_, err = d.WriteAt(make([]byte, 1), 2*SectorSize)
	assert.Error(t, err, "copy-on-write must not invent data it could not read")
}
