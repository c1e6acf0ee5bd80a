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
