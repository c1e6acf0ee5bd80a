package rv64

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const a2, a3, a4, a5 = 12, 13, 14, 15

// MIT xv6's byte loops, as gcc -O emits them (uncompressed here).
var (
	fillLoop = []uint32{
		asmSB(a1, a5, 0),
		asmADDI(a5, a5, 1),
		asmBNE(a5, a4, -8),
		asmWFI(),
	}
	copyLoop = []uint32{
		asmADDI(a1, a1, 1),
		asmADDI(a4, a4, 1),
		asmLBU(a3, a1, -1),
		asmSB(a3, a4, -1),
		asmBNE(a1, a5, -16),
		asmWFI(),
	}
)

// runBoth runs prog on two harts set up by setup: one in Runs of chunk
// instructions (loops run in one go where they can), one an instruction
// at a time (they never do). Both must end in the same state.
func runBoth(t *testing.T, prog []uint32, chunk uint64, setup func(h *Hart)) *Hart {
	t.Helper()
	fast, _, _ := newTestHart(t, prog...)
	slow, _, _ := newTestHart(t, prog...)
	for _, h := range []*Hart{fast, slow} {
		h.cyc.off = true
		setup(h)
	}
	for i := 0; !fast.Waiting(); i++ {
		require.Less(t, i, 1<<20, "the fast hart never finished")
		fast.Run(chunk)
	}
	for i := 0; !slow.Waiting(); i++ {
		require.Less(t, i, 1<<24, "the slow hart never finished")
		slow.Run(1)
	}
	assert.Equal(t, slow.x, fast.x, "registers")
	assert.Equal(t, slow.pc, fast.pc)
	assert.Equal(t, slow.Instret(), fast.Instret(), "instruction count (guest time)")
	assert.True(t, bytes.Equal(slow.ram, fast.ram), "memory")
	return fast
}

func slotAt(h *Hart, off uint64) *insn { return &h.icache.pages[0].slots[off>>1] }

func TestFillLoopRunsInOneGo(t *testing.T) {
	for _, chunk := range []uint64{1 << 20, 4096, 7} {
		h := runBoth(t, fillLoop, chunk, func(h *Hart) {
			h.SetReg(a5, testBase+0x8000-100) // crosses a page boundary
			h.SetReg(a4, testBase+0x8000+5000)
			h.SetReg(a1, 0x15A) // only the low byte is stored
		})
		assert.Equal(t, idiomFill, slotAt(h, 8).idiom)
		assert.Equal(t, byte(0x5A), h.ram[0x8000+4999])
		assert.Equal(t, byte(0), h.ram[0x8000+5000])
	}
}

func TestCopyLoopRunsInOneGo(t *testing.T) {
	tests := []struct {
		name          string
		src, dst, len uint64
		oneGo         bool
	}{
		{"disjoint across pages", 0x8000 - 50, 0x20000 - 70, 9000, true},
		{"destination ahead, overlapping", 0x9000, 0x9003, 3000, true},
		{"destination behind, overlapping", 0x9003, 0x9000, 3000, true},
		// Writes to the loop's own page drop its decoded code, so each
		// iteration is interpreted.
		{"into the code page", 0x9000, 0x100, 64, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := runBoth(t, copyLoop, 4096, func(h *Hart) {
				for i := range uint64(0x2000) {
					h.ram[0x8000+i] = byte(i*7 + 3)
				}
				h.SetReg(a1, testBase+tc.src)
				h.SetReg(a5, testBase+tc.src+tc.len)
				h.SetReg(a4, testBase+tc.dst)
			})
			if tc.oneGo {
				assert.Equal(t, idiomCopy, slotAt(h, 16).idiom)
			}
		})
	}
}

func TestOtherLoopsAreNotIdioms(t *testing.T) {
	// Stores a word, not a byte: an ordinary loop.
	prog := []uint32{asmSW(a1, a5, 0), asmADDI(a5, a5, 1), asmBNE(a5, a4, -8), asmWFI()}
	h := runBoth(t, prog, 4096, func(h *Hart) {
		h.SetReg(a5, testBase+0x8000)
		h.SetReg(a4, testBase+0x8000+100)
	})
	assert.Equal(t, idiomNone, slotAt(h, 8).idiom)

	// The end register is the value stored: still a fill (the end does not move).
	prog = []uint32{asmSB(a4, a5, 0), asmADDI(a5, a5, 1), asmBNE(a4, a5, -8), asmWFI()}
	h = runBoth(t, prog, 4096, func(h *Hart) {
		h.SetReg(a5, testBase+0x8000)
		h.SetReg(a4, testBase+0x8000+100)
	})
	assert.Equal(t, idiomFill, slotAt(h, 8).idiom)
}

// romDevice serves one instruction word at every offset.
type romDevice struct{ word uint32 }

func (d romDevice) Read(off uint64, size int) uint64 {
	return uint64(d.word) >> (8 * (off & 3)) & (1<<(8*uint(size)) - 1)
}
func (romDevice) Write(uint64, int, uint64) {}

// A taken back edge fetched from a device (no decoded page) is looked at
// and run like any other branch.
func TestBackEdgeInDeviceCode(t *testing.T) {
	h, b, _ := newTestHart(t)
	require.NoError(t, b.Map(0x10000000, 0x1000, romDevice{asmBNE(a1, a2, 0)}, "rom"))
	h.SetReg(a1, 1)
	h.pc = 0x10000000
	assert.Equal(t, uint64(100), h.Run(100))
	assert.Equal(t, uint64(0x10000000), h.PC())
}

// Word fills as gcc -O2 emits them for our memset (`sd v,-8(p); addi
// p,p,8; bgeu end,p`) and their kin: each must end as the loop run an
// instruction at a time does, whatever the bound, across page ends, and
// in Runs that end mid-loop.
func TestWordFillLoopsRunInOneGo(t *testing.T) {
	tests := []struct {
		name       string
		prog       []uint32
		start, end uint64 // offsets from testBase for p and the bound
	}{
		{"sd, -8, bgeu", []uint32{asmSD(a1, a5, -8), asmADDI(a5, a5, 8), asmBGEU(a4, a5, -8), asmWFI()}, 0x8008, 0x8000 + 6000},
		{"sd, -8, bgeu, end on the last word", []uint32{asmSD(a1, a5, -8), asmADDI(a5, a5, 8), asmBGEU(a4, a5, -8), asmWFI()}, 0x8008, 0x8000 + 6000 - 8},
		{"sw, 0, bltu, end not a whole word on", []uint32{asmSW(a1, a5, 0), asmADDI(a5, a5, 4), asmBLTU(a5, a4, -8), asmWFI()}, 0x7f00, 0x7f00 + 5003},
		{"sd, 0, bne", []uint32{asmSD(a1, a5, 0), asmADDI(a5, a5, 8), asmBNE(a4, a5, -8), asmWFI()}, 0x8000, 0x8000 + 8*700},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []uint64{1 << 20, 4096, 7} {
				h := runBoth(t, tc.prog, chunk, func(h *Hart) {
					h.SetReg(a5, testBase+tc.start)
					h.SetReg(a4, testBase+tc.end)
					h.SetReg(a1, 0x0123456789ABCDEF)
				})
				assert.Equal(t, idiomFill, slotAt(h, 8).idiom)
			}
		})
	}

}

// fillTrips counts the iterations left from a taken back edge, or says 0
// where the loop does not end in whole steps before the address wraps.
func TestFillTrips(t *testing.T) {
	bne, bltu, bgeu := &insn{op: opBNE}, &insn{op: opBLTU}, &insn{op: opBGEU}
	for _, tc := range []struct {
		br           *insn
		p, end, size uint64
		want         uint64
	}{
		{bne, 0x1000, 0x1040, 8, 8},
		{bne, 0x1000, 0x1044, 8, 0}, // steps over the end
		{bltu, 0x1000, 0x1041, 8, 9},
		{bltu, 0x1000, 0x1040, 8, 8},
		{bgeu, 0x1000, 0x1040, 8, 9}, // stores until p passes end
		{bgeu, 0x1000, 0x1047, 8, 9},
		{bgeu, 0x1000, 0x1000, 8, 1},
		{bgeu, 0x1000, ^uint64(0) - 3, 8, 0}, // p wraps before it passes end
	} {
		assert.Equal(t, tc.want, fillTrips(tc.br, tc.p, tc.end, tc.size), "%v p %#x end %#x", tc.br.op, tc.p, tc.end)
	}
}
