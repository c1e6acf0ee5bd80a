package bus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// regs is a device that records accesses and reads back what was written.
type regs struct {
	mem    map[uint64]uint64
	reads  []uint64
	writes []uint64
	sizes  []int
}

func newRegs() *regs { return &regs{mem: map[uint64]uint64{}} }

func (r *regs) Read(off uint64, size int) uint64 {
	r.reads = append(r.reads, off)
	r.sizes = append(r.sizes, size)
	return r.mem[off]
}

func (r *regs) Write(off uint64, size int, v uint64) {
	r.writes = append(r.writes, off)
	r.sizes = append(r.sizes, size)
	r.mem[off] = v
}

func TestNewRoundsRAMToPages(t *testing.T) {
	b := New(0x80000000, 5000)
	assert.Len(t, b.RAM, 8192)
	assert.Len(t, b.Code, 2)
	assert.Equal(t, uint64(0x80000000), b.RAMBase)
}

func TestRAMLoadStore(t *testing.T) {
	b := New(0x80000000, 4096)
	for _, size := range []int{1, 2, 4, 8} {
		require.True(t, b.Store(0x80000010, size, 0x1122334455667788))
		v, ok := b.Load(0x80000010, size)
		require.True(t, ok)
		mask := ^uint64(0) >> (64 - 8*size)
		assert.Equal(t, uint64(0x1122334455667788)&mask, v, "size %d", size)
	}
	b.Store(0x80000000, 8, 0x0807060504030201)
	assert.Equal(t, []byte{1, 2, 3, 4, 5, 6, 7, 8}, b.RAM[:8], "little-endian")
	v, _ := b.Load(0x80000001, 2)
	assert.Equal(t, uint64(0x0302), v, "unaligned RAM access")
	v, _ = b.Load(0x80000000, 4)
	assert.Equal(t, uint64(0x04030201), v)
}

func TestRAMBounds(t *testing.T) {
	b := New(0x80000000, 4096)
	assert.True(t, b.IsRAM(0x80000000, 4096))
	assert.True(t, b.IsRAM(0x80000ff8, 8))
	assert.False(t, b.IsRAM(0x80000ff9, 8), "runs past the end")
	assert.False(t, b.IsRAM(0x7fffffff, 1))
	assert.False(t, b.IsRAM(0x80001000, 1))
	assert.False(t, b.IsRAM(^uint64(0), 8), "no wrap-around")
	_, ok := b.Load(0x80000ffc, 8)
	assert.False(t, ok)
	assert.False(t, b.Store(0x1000, 4, 0))
	_, ok = b.Load(0, 1)
	assert.False(t, ok, "nothing mapped")
}

func TestDevices(t *testing.T) {
	b := New(0x80000000, 4096)
	d := newRegs()
	require.NoError(t, b.Map(0x10000000, 0x100, d, "dev"))
	require.True(t, b.Store(0x10000008, 4, 0xabcd))
	v, ok := b.Load(0x10000008, 4)
	require.True(t, ok)
	assert.Equal(t, uint64(0xabcd), v)
	assert.Equal(t, []uint64{8}, d.writes, "offsets are relative to the region")
	assert.Equal(t, []int{4, 4}, d.sizes)
	_, ok = b.Load(0x100000fc, 8)
	assert.False(t, ok, "an access running past the region is unmapped")
	_, ok = b.Load(0x10000100, 1)
	assert.False(t, ok)
}

func TestMapErrors(t *testing.T) {
	b := New(0x80000000, 4096)
	assert.ErrorContains(t, b.Map(0x1000, 0, newRegs(), "empty"), "empty region")
	assert.ErrorContains(t, b.Map(0x7ffff000, 0x2000, newRegs(), "ramclash"), "overlaps RAM")
	require.NoError(t, b.Map(0x1000, 0x1000, newRegs(), "a"))
	assert.ErrorContains(t, b.Map(0x1800, 0x1000, newRegs(), "b"), "overlaps a")
	require.NoError(t, b.Map(0x2000, 0x1000, newRegs(), "c"), "adjacent regions are fine")
	// Regions are looked up correctly whatever the order they were mapped in.
	lo := newRegs()
	require.NoError(t, b.Map(0x100, 0x100, lo, "lo"))
	b.Store(0x180, 1, 7)
	assert.Equal(t, []uint64{0x80}, lo.writes)
}

func TestPorts(t *testing.T) {
	b := New(0, 4096)
	d := newRegs()
	require.NoError(t, b.MapPorts(0x3f8, 8, d, "uart"))
	assert.ErrorContains(t, b.MapPorts(0x3fc, 8, newRegs(), "x"), "overlaps uart")
	b.Out(0x3f9, 1, 0x42)
	assert.Equal(t, uint64(0x42), b.In(0x3f9, 1))
	assert.Equal(t, []uint64{1}, d.writes)
	assert.Equal(t, uint64(0xff), b.In(0x60, 1), "unmapped ports read all ones")
	assert.Equal(t, uint64(0xffff), b.In(0x60, 2))
	assert.Equal(t, uint64(0xffffffff), b.In(0x60, 4))
	b.Out(0x60, 1, 1) // dropped, no panic
}

func TestDMA(t *testing.T) {
	b := New(0x80000000, 8192)
	require.NoError(t, b.WriteRAM(0x80000ffe, []byte{1, 2, 3, 4}))
	buf := make([]byte, 4)
	require.NoError(t, b.ReadRAM(0x80000ffe, buf))
	assert.Equal(t, []byte{1, 2, 3, 4}, buf)
	assert.ErrorContains(t, b.WriteRAM(0x80001fff, []byte{1, 2}), "outside RAM")
	assert.ErrorContains(t, b.ReadRAM(0x1000, buf), "outside RAM")
	require.NoError(t, b.WriteRAM(0x80000000, nil))
}

func TestCodeWriteNotification(t *testing.T) {
	b := New(0x80000000, 4*PageSize)
	var got []uint64
	b.OnCodeWrite(func(p uint64) { got = append(got, p) })
	var got2 []uint64
	b.OnCodeWrite(func(p uint64) { got2 = append(got2, p) })

	b.Store(0x80000000, 8, 1)
	assert.Empty(t, got, "unmarked pages are not reported")

	b.Code[1] = 1
	b.Code[2] = 1
	b.Store(0x80001008, 4, 1)
	assert.Equal(t, []uint64{1}, got)
	assert.Equal(t, []uint64{1}, got2, "every watcher is told")
	assert.Zero(t, b.Code[1], "the mark is cleared")
	b.Store(0x80001008, 4, 1)
	assert.Equal(t, []uint64{1}, got, "cleared: not reported again")

	// A DMA write spanning pages 1..3 reports the marked one (2).
	require.NoError(t, b.WriteRAM(0x80001ff0, make([]byte, 2*PageSize)))
	assert.Equal(t, []uint64{1, 2}, got)
	assert.Zero(t, b.Code[2])
}

func TestIRQ(t *testing.T) {
	var line IRQ
	assert.False(t, line.Level())
	line.Set(true) // no sink yet: just remembered
	assert.True(t, line.Level())

	var seen []bool
	line.Connect(func(l bool) { seen = append(seen, l) })
	assert.Equal(t, []bool{true}, seen, "Connect reports the current level")
	line.Set(true)
	assert.Equal(t, []bool{true}, seen, "no change, no call")
	line.Set(false)
	line.Set(true)
	assert.Equal(t, []bool{true, false, true}, seen)

	var nilLine *IRQ
	nilLine.Set(true) // an unconnected device output: harmless
	assert.False(t, nilLine.Level())
	line.Connect(nil)
	line.Set(false)
	assert.False(t, line.Level())
}
