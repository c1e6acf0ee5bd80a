package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A guarded Run stops before the first fetch from a guarded page, with
// nothing there executed, and runs at full speed elsewhere; an unguarded
// Run goes on from there.
func TestGuardedRunStopsBeforeTheGuardedPage(t *testing.T) {
	// Page 0 counts a0 up to 1000 and jumps to page 1, which sets a1.
	h, b, _ := newTestHart(t,
		asmADDI(t0, 0, 1000),
		asmADDI(a0, a0, 1),
		asmBNE(a0, t0, -4),
		asmJAL(0, 0x1000-12), // to 0x1000
	)
	binary.LittleEndian.PutUint32(b.RAM[0x1000:], asmADDI(a1, 0, 7))
	binary.LittleEndian.PutUint32(b.RAM[0x1004:], asmWFI())

	h.SetGuards([]uint64{(testBase + 0x1000) >> 12})
	n := h.Run(1 << 20)
	assert.True(t, h.Guarded())
	assert.Equal(t, uint64(testBase+0x1000), h.PC(), "stopped before the guarded page")
	assert.Equal(t, uint64(1+2*1000+1), n, "everything before it ran")
	assert.Zero(t, h.Reg(a1), "nothing on the guarded page ran")

	// A Run that starts on a guarded page stops at once.
	assert.Zero(t, h.Run(100))
	assert.True(t, h.Guarded())

	h.SetGuards(nil)
	h.Run(100)
	assert.False(t, h.Guarded())
	assert.Equal(t, uint64(7), h.Reg(a1))
	assert.True(t, h.Waiting())
}
