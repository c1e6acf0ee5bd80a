package clint

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct{ t uint64 }

func (c *clock) now() uint64 { return c.t }

func newCLINT(harts int) (*CLINT, *clock) {
	clk := &clock{}
	return New(harts, clk.now), clk
}

// Reset values as QEMU 7.2 shows them: comparators at 0, so MTIP is
// pending once the board first updates the lines.
func TestResetValues(t *testing.T) {
	c, clk := newCLINT(3)
	clk.t = 1234
	for h := 0; h < 3; h++ {
		assert.Zero(t, c.Read(MSIPBase+4*uint64(h), 4), "msip %d", h)
		assert.Zero(t, c.Read(MTimeCmpBase+8*uint64(h), 8), "mtimecmp %d", h)
		assert.False(t, c.MSIP(h).Level())
	}
	assert.Equal(t, uint64(1234), c.Read(MTime, 8))
	_, ok := c.NextDeadline()
	assert.False(t, ok)
	c.Update()
	for h := 0; h < 3; h++ {
		assert.True(t, c.MTIP(h).Level(), "mtime >= 0")
	}
}

func TestDisarmedComparatorIsNoDeadline(t *testing.T) {
	c, _ := newCLINT(1)
	c.Write(MTimeCmpBase, 8, math.MaxUint64)
	assert.False(t, c.MTIP(0).Level())
	_, ok := c.NextDeadline()
	assert.False(t, ok, "all ones means disarmed")
}

func TestMSIP(t *testing.T) {
	c, _ := newCLINT(2)
	c.Write(MSIPBase+4, 4, 0xffffffff)
	assert.Equal(t, uint64(1), c.Read(MSIPBase+4, 4), "only bit 0 is writable")
	assert.True(t, c.MSIP(1).Level())
	assert.False(t, c.MSIP(0).Level())

	c.Write(MSIPBase+4, 4, 2)
	assert.Zero(t, c.Read(MSIPBase+4, 4))
	assert.False(t, c.MSIP(1).Level())

	c.Write(MSIPBase, 1, 1)
	assert.False(t, c.MSIP(0).Level(), "byte writes are dropped (QEMU faults them)")
	c.Write(MSIPBase, 8, 1)
	assert.False(t, c.MSIP(0).Level(), "so are 8-byte ones")
	c.Write(MSIPBase, 4, 1)
	assert.Zero(t, c.Read(MSIPBase, 1))
	assert.Zero(t, c.Read(MSIPBase, 8))
	assert.Equal(t, uint64(1), c.Read(MSIPBase, 4))
}

func TestMTimeCmpAndMTIP(t *testing.T) {
	c, clk := newCLINT(2)
	clk.t = 100
	c.Write(MTimeCmpBase+8, 8, 150)
	assert.False(t, c.MTIP(1).Level())
	assert.Equal(t, uint64(150), c.Read(MTimeCmpBase+8, 8))

	dl, ok := c.NextDeadline()
	require.True(t, ok)
	assert.Equal(t, uint64(150), dl)

	clk.t = 149
	c.Update()
	assert.False(t, c.MTIP(1).Level())
	clk.t = 150
	c.Update()
	assert.True(t, c.MTIP(1).Level(), "mtime >= mtimecmp")
	assert.True(t, c.MTIP(0).Level(), "hart 0's comparator is still at its reset value 0")
	_, ok = c.NextDeadline()
	assert.False(t, ok, "a comparator already passed is no deadline")

	// Writing a later comparator lowers the line at once.
	c.Write(MTimeCmpBase+8, 8, 1000)
	assert.False(t, c.MTIP(1).Level())
	// Writing one in the past raises it at once, without Update.
	c.Write(MTimeCmpBase, 8, 10)
	assert.True(t, c.MTIP(0).Level())
}

func TestMTimeCmpHalves(t *testing.T) {
	c, clk := newCLINT(1)
	clk.t = 0x1_0000_0000
	// The RV32 sequence: high word to all ones first, then low, then high.
	c.Write(MTimeCmpBase+4, 4, 0xffffffff)
	c.Write(MTimeCmpBase, 4, 0x10)
	assert.False(t, c.MTIP(0).Level())
	c.Write(MTimeCmpBase+4, 4, 0x1)
	assert.Equal(t, uint64(0x1_0000_0010), c.Read(MTimeCmpBase, 8))
	assert.Equal(t, uint64(0x10), c.Read(MTimeCmpBase, 4))
	assert.Equal(t, uint64(0x1), c.Read(MTimeCmpBase+4, 4))
	assert.False(t, c.MTIP(0).Level())
	clk.t += 0x10
	c.Update()
	assert.True(t, c.MTIP(0).Level())
}

func TestMTimeWrite(t *testing.T) {
	c, clk := newCLINT(1)
	clk.t = 500
	c.Write(MTimeCmpBase, 8, 1000)
	c.Write(MTime, 8, 2000)
	assert.Equal(t, uint64(2000), c.Read(MTime, 8))
	assert.True(t, c.MTIP(0).Level(), "jumping mtime past mtimecmp raises MTIP")

	clk.t = 510
	assert.Equal(t, uint64(2010), c.Read(MTime, 8), "mtime keeps counting from the written value")
	assert.Equal(t, uint64(2010), c.MTime())

	c.Write(MTime, 8, 0)
	assert.False(t, c.MTIP(0).Level())
	dl, ok := c.NextDeadline()
	require.True(t, ok)
	assert.Equal(t, uint64(510+1000), dl, "deadline is in board-clock time")

	// Write the upper half only.
	c.Write(MTime+4, 4, 3)
	assert.Equal(t, uint64(3)<<32, c.Read(MTime, 8))
	assert.Equal(t, uint64(3), c.Read(MTime+4, 4))
	c.Write(MTime, 2, 0)
	assert.Equal(t, uint64(3)<<32, c.Read(MTime, 8), "halfword writes are dropped")
	assert.Zero(t, c.Read(MTime+4, 2))
}

func TestNextDeadlinePicksNearest(t *testing.T) {
	c, clk := newCLINT(3)
	clk.t = 50
	c.Write(MTimeCmpBase+0, 8, 900)
	c.Write(MTimeCmpBase+8, 8, 300)
	c.Write(MTimeCmpBase+16, 8, 20) // already passed
	dl, ok := c.NextDeadline()
	require.True(t, ok)
	assert.Equal(t, uint64(300), dl)
}

func TestOutsideRegisters(t *testing.T) {
	c, _ := newCLINT(2)
	tests := []struct {
		name   string
		offset uint64
		size   int
	}{
		{"msip of missing hart", 8, 4},
		{"gap before mtimecmp", 0x3ff8, 8},
		{"mtimecmp of missing hart", MTimeCmpBase + 16, 8},
		{"straddling two comparators", MTimeCmpBase + 4, 8},
		{"straddling msip words", 2, 4},
		{"past mtime", MTime + 8, 4},
		{"end of region", Size - 4, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.Write(tc.offset, tc.size, math.MaxUint64)
			assert.Zero(t, c.Read(tc.offset, tc.size))
		})
	}
	for h := 0; h < 2; h++ {
		assert.Zero(t, c.Read(MSIPBase+4*uint64(h), 4))
		assert.Zero(t, c.Read(MTimeCmpBase+8*uint64(h), 8))
	}
}
