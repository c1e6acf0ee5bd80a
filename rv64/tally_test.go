package rv64

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func asmADDIW(rd, rs1 int, imm int32) uint32 { return encI(0x1b, 0, rd, rs1, imm) }

// tallyLoop is MIT's lock-lab acquire as gcc -O emits it: count a failed
// test-and-set into the word at lock+28, try again; a0 = 1 once the lock
// is taken. t1 points at the lock (the spin tests' flag word).
var tallyLoop = []uint32{
	asmADDI(t0, 0, 1),      // 0
	asmJAL(0, 16),          // 4: first try
	asmADDI(a5, t1, 28),    // 8: &nts
	asmFENCE(),             // 12
	asmAMOW(0, 0, t0, a5),  // 16: amoadd.w zero, t0, (a5)
	asmADDI(a3, t0, 0),     // 20: mv a3, t0
	asmAMOW(1, a3, a3, t1), // 24: amoswap.w a3, a3, (t1)
	asmADDIW(a3, a3, 0),    // 28: sext.w
	asmBNE(a3, 0, -24),     // 32
	asmADDI(a0, 0, 1),      // 36
	asmWFI(),               // 40
}

// lockOff is where the tally tests keep their lock, a page away from the
// code as in a kernel (stores to a code page drop its decoded
// instructions, and a loop must be decoded to be skipped).
const lockOff = 0x2000

// newTallyHart returns a test hart running prog with t1 = &lock, the lock
// held, and a5 = &lock+28.
func newTallyHart(t *testing.T, prog ...uint32) *Hart {
	t.Helper()
	h, b, _ := newTestHart(t, prog...)
	binary.LittleEndian.PutUint32(b.RAM[lockOff:], 1)
	h.SetReg(t1, testBase+lockOff)
	h.SetReg(a5, testBase+lockOff+28)
	h.cyc.off = true
	return h
}

// releaseLock frees the lock from outside the hart, between Runs.
func releaseLock(t *testing.T, h *Hart) {
	t.Helper()
	require.NoError(t, h.bus.WriteRAM(testBase+lockOff, []byte{0, 0, 0, 0}))
}

// runTo runs h until it has retired n instructions, in Runs of at most
// chunk.
func runTo(t *testing.T, h *Hart, n, chunk uint64) {
	t.Helper()
	for i := 0; h.Instret() < n; i++ {
		require.Less(t, i, 1<<24)
		h.Run(min(chunk, n-h.Instret()))
	}
}

// A hart spinning on a held lock with the lab's counting loop ends each
// Run exactly as if it had run every pass: same counter, registers, pc,
// instruction count and A-extension counters as a hart run an instruction
// at a time, and it skips nearly every pass. When the lock is released it
// takes it.
func TestTallyingSpinSkipsPassesExactly(t *testing.T) {
	for _, chunk := range []uint64{1 << 20, 4096, 1000, 7} {
		fast := newTallyHart(t, tallyLoop...)
		slow := newTallyHart(t, tallyLoop...)
		for _, n := range []uint64{50_000, 123_457} {
			runTo(t, fast, n, chunk)
			runTo(t, slow, n, 1)
			assert.Equal(t, slow.x[:32], fast.x[:32], "chunk %d: registers (x[32] is where writes to x0 go)", chunk)
			assert.Equal(t, slow.pc, fast.pc, "chunk %d", chunk)
			assert.Equal(t, slow.Instret(), fast.Instret(), "chunk %d", chunk)
			assert.Equal(t, slow.Counters(), fast.Counters(), "chunk %d", chunk)
			assert.True(t, bytes.Equal(slow.ram, fast.ram), "chunk %d: memory", chunk)
		}
		nts := binary.LittleEndian.Uint32(fast.ram[lockOff+28:])
		assert.Greater(t, nts, uint32(123_457/7-2), "chunk %d: every failed try counted", chunk)
		if chunk >= 1000 {
			assert.Greater(t, fast.spin.skipped, uint64(100_000), "chunk %d: passes skipped", chunk)
		} else {
			assert.Zero(t, fast.spin.skipped, "chunk %d: too short to skip a pass", chunk)
		}
		for _, h := range []*Hart{fast, slow} {
			releaseLock(t, h)
			h.Run(100)
			assert.Equal(t, uint64(1), h.Reg(a0), "chunk %d: took the lock once it was free", chunk)
		}
		assert.Equal(t, binary.LittleEndian.Uint32(slow.ram[lockOff+28:]), binary.LittleEndian.Uint32(fast.ram[lockOff+28:]))
	}
}

// Loops that count but could see their count, or do more than count, are
// interpreted pass by pass.
func TestTallyingLoopsThatAreNotSkipped(t *testing.T) {
	const amoadd = 0
	tests := []struct {
		name string
		prog []uint32
	}{
		{"a load in the body", []uint32{
			asmADDI(t0, 0, 1),
			asmLW(a4, t1, 28), // reads the counter
			asmAMOW(amoadd, 0, t0, a5),
			asmADDI(a4, 0, 0),
			asmBNE(t0, 0, -12),
		}},
		{"the result kept", []uint32{
			asmADDI(t0, 0, 1),
			asmAMOW(amoadd, a4, t0, a5), // a4 = the old count
			asmADDI(a4, 0, 0),
			asmBNE(t0, 0, -8),
		}},
		{"two tallies", []uint32{
			asmADDI(t0, 0, 1),
			asmAMOW(amoadd, 0, t0, a5),
			asmAMOW(amoadd, 0, t0, a5),
			asmBNE(t0, 0, -8),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fast := newTallyHart(t, tc.prog...)
			slow := newTallyHart(t, tc.prog...)
			runTo(t, fast, 20_000, 4096)
			runTo(t, slow, 20_000, 1)
			assert.Zero(t, fast.spin.skipped)
			assert.False(t, fast.Spinning())
			assert.Equal(t, slow.x[:32], fast.x[:32])
			assert.True(t, bytes.Equal(slow.ram, fast.ram))
		})
	}
}
