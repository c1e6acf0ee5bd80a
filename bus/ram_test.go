package bus

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNewRAMIsZeroedAndWritable(t *testing.T) {
	b := New(0x80000000, 3<<20)
	defer b.Close()
	assert.Len(t, b.RAM, 3<<20)
	for _, off := range []int{0, 4095, 4096, 2 << 20, 3<<20 - 1} {
		assert.Zero(t, b.RAM[off])
		b.RAM[off] = 0xAB
		assert.Equal(t, byte(0xAB), b.RAM[off])
	}
}

func TestCloseReleasesRAM(t *testing.T) {
	b := New(0x80000000, 1<<20)
	b.Close()
	assert.Nil(t, b.RAM)
	b.Close() // twice is harmless
}

// A Bus may get the RAM of one closed before it (the pool on Linux): it
// must read zero everywhere all the same, touched pages and untouched.
func TestReusedRAMIsZeroed(t *testing.T) {
	const size = 6 << 20
	for range 3 {
		b := New(0x80000000, size)
		for off := 0; off < size; off += 4096 {
			if b.RAM[off] != 0 || b.RAM[off+4095] != 0 {
				t.Fatalf("byte at %#x or the page's last is not zero", off)
			}
		}
		for off := 0; off < size/2; off += 4096 {
			b.RAM[off+off/4096%4096] = 0x5A // the first half, one byte a page
		}
		b.Close()
	}
}
