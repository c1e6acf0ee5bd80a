package rv64

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The interpreter runs blocks (see dpage). A Run of one instruction trims
// every block to its first instruction, so a hart stepped one instruction
// per Run never runs on inside a block: it finds each instruction's block
// afresh, at its own pc. These tests hold a hart that runs long Runs to
// one stepped that way, on the same guest.

// blockHart builds a hart from fuzz input as FuzzExecute does.
func blockHart(data []byte) *Hart {
	h := fuzzHart(data)
	// Cycle probes log accesses and stop where they find a cycle; spins
	// stop a long Run early too (the stepped hart then catches up to the
	// same count). Probing is no part of what is compared here.
	h.cyc.off = true
	return h
}

// runBlocksAndSteps runs a from data in Runs of chunk instructions, b in
// Runs of one, to the same instruction count, and compares them.
func runBlocksAndSteps(t *testing.T, data []byte, chunk uint64) {
	a, b := blockHart(data), blockHart(data)
	const total = 3000
	for i := 0; i < 100 && a.Instret() < total && !a.Waiting(); i++ {
		a.Run(min(chunk, total-a.Instret()))
	}
	for i := 0; i < 4*total && b.Instret() < a.Instret() && !b.Waiting(); i++ {
		b.Run(1)
	}
	require.Equal(t, a.Instret(), b.Instret(), "instruction count")
	require.Equal(t, a.pc, b.pc, "pc")
	require.Equal(t, [32]uint64(a.x[:32]), [32]uint64(b.x[:32]), "registers")
	require.Equal(t, a.f, b.f, "FP registers")
	require.Equal(t, a.csr, b.csr, "CSRs")
	require.Equal(t, a.priv, b.priv, "privilege")
	require.Equal(t, a.traps, b.traps, "exceptions")
	require.True(t, bytes.Equal(a.ram, b.ram), "memory")
}

// mProg is fuzz input for prog in M-mode with interrupts off.
func mProg(words ...uint32) []byte {
	data := make([]byte, 32, 32+4*len(words))
	data[0] = 2
	for _, w := range words {
		data = binary.LittleEndian.AppendUint32(data, w)
	}
	return data
}

// FuzzBlocksMatchSteps checks long Runs against single steps on any guest.
func FuzzBlocksMatchSteps(f *testing.F) {
	f.Add([]byte{0x13, 0x05, 0x10, 0x00, 0x6f, 0x00, 0x00, 0x00}, uint8(0))
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 0x80, 0x73, 0x10, 0x00, 0x18, 0x73, 0x00, 0x20, 0x30}, uint8(1))
	f.Add(mProg(asmADDI(a0, a0, 1), asmSW(a0, t1, 0), asmLW(a1, t1, 0), asmBNE(a0, t3, -12)), uint8(2))
	// A store into the block that is running: the rest of it must be the
	// new instruction (addi a0,a0,1 overwritten by addi a0,a0,2).
	f.Add(mProg(
		asmAUIPC(t1),
		asmLW(t0, t1, 16),
		asmSW(t0, t1, 12),
		asmADDI(a0, a0, 1),
		asmADDI(a0, a0, 2),
		asmJAL(0, 0)), uint8(3))
	// Jumps and calls that blocks follow on their page (blockjump_test.go).
	f.Add(mProg(callsOnPage()...), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		runBlocksAndSteps(t, data, 1+uint64(chunk)*37)
	})
}

// A store into the page of the running block drops its decoded
// instructions: the instructions after the store are the new ones.
func TestStoreIntoRunningBlock(t *testing.T) {
	h, _, _ := newTestHart(t,
		asmAUIPC(t1),         // 0
		asmLW(t0, t1, 20),    // 4: the word at 20
		asmSW(t0, t1, 16),    // 8: over the instruction at 16
		asmADDI(a0, 0, 7),    // 12
		asmADDI(a0, a0, 1),   // 16: becomes addi a0,a0,100
		asmADDI(a0, a0, 100), // 20
		asmJAL(0, 0),         // 24
	)
	h.Run(7)
	assert.Equal(t, uint64(7+100+100), h.Reg(a0), "the overwritten instruction ran as written")
	assert.Equal(t, uint64(testBase+24), h.PC())
}

// A 32-bit instruction whose second half is on the next page is decoded
// on its own each time, and blocks around it run as usual.
func TestInstructionAcrossPageEnd(t *testing.T) {
	h, b, _ := newTestHart(t, asmJAL(0, 0x1000-6)) // to 4090
	put := func(off uint64, w uint32) { binary.LittleEndian.PutUint32(b.RAM[off:], w) }
	put(0x1000-6, asmADDI(a0, 0, 5)) // 4090
	binary.LittleEndian.PutUint16(b.RAM[0x1000-2:], uint16(asmADDI(a0, a0, 3)))
	binary.LittleEndian.PutUint16(b.RAM[0x1000:], uint16(asmADDI(a0, a0, 3)>>16)) // 4094, across
	put(0x1002, asmADDI(a1, a0, 1))                                               // 4098
	put(0x1006, asmJAL(0, 0))
	for _, chunk := range []uint64{1, 2, 100} {
		h.Reset(testBase)
		for h.PC() != testBase+0x1006 && h.Instret() < 100 {
			h.Run(chunk)
		}
		assert.Equal(t, uint64(8), h.Reg(a0), "chunk %d", chunk)
		assert.Equal(t, uint64(9), h.Reg(a1), "chunk %d", chunk)
		assert.Zero(t, h.traps, "chunk %d", chunk)
	}
}

// An entry in the middle of runs that are already blocks copies their
// tails; when a page's block arena fills, its blocks start afresh.
func TestBlockArenaRefills(t *testing.T) {
	// 1000 addi a0,a0,1 then a jump back to the start: entered only at 0,
	// then at every instruction in turn by single steps.
	prog := make([]uint32, 0, 1001)
	for range 1000 {
		prog = append(prog, asmADDI(a0, a0, 1))
	}
	prog = append(prog, asmJAL(0, -4000))
	data := mProg(prog...)
	runBlocksAndSteps(t, data, 1000)
	h := blockHart(data)
	a0At0 := h.Reg(a0)
	for range 5000 {
		h.Run(1)
	}
	h.Run(1 << 20)
	d := h.icache.fetchPage
	require.NotNil(t, d)
	assert.LessOrEqual(t, d.used, len(d.code))
	assert.Equal(t, uint64(5000+1<<20-(5000+1<<20)/1001), h.Reg(a0)-a0At0, "every addi counted once")
}
