package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func asmJALR(rd, rs1 int, imm int32) uint32 { return encI(0x67, 0, rd, rs1, imm) }

// asmAUIPCHi encodes auipc rd, hi (hi a multiple of 4096).
func asmAUIPCHi(rd int, hi int32) uint32 { return uint32(hi)&0xFFFFF000 | uint32(rd)<<7 | 0x17 }

const ra = 1

// callsOnPage is a guest whose blocks follow jumps on their page: a jal
// over an instruction, a call through auipc+jalr (relaxed by no linker) to
// a function that returns, a jal back, and calls whose jalr the block
// cannot follow (another register, another page).
func callsOnPage() []uint32 {
	return []uint32{
		asmADDI(a0, a0, 1),     // 0
		asmJAL(0, 8),           // 4: over 8
		asmADDI(a0, a0, 100),   // 8: skipped
		asmAUIPCHi(ra, 0),      // 12
		asmJALR(ra, ra, 64-12), // 16: call 64
		asmADDI(a1, a1, 3),     // 20
		asmAUIPCHi(t1, 0),      // 24
		asmJALR(ra, t0, 0),     // 28: through t0 (= 0x80000000+64, set at 64)
		asmAUIPCHi(t1, 0x1000), // 32: call 0x1000+40: next page
		asmJALR(ra, t1, 40-32), // 36
		asmJAL(0, -40),         // 40: back to 0
		0, 0, 0, 0, 0,          // 44..60
		asmADDI(t3, t3, 1),  // 64: the function
		asmAUIPCHi(t0, 0),   // 68
		asmADDI(t0, t0, -4), // 72: t0 = its own address
		asmJALR(0, ra, 0),   // 76: return
	}
}

func TestBlocksFollowJumpsOnPage(t *testing.T) {
	prog := callsOnPage()
	data := mProg(prog...)
	// The function on the next page: return at once.
	for len(data) < 32+0x1000+40 {
		data = append(data, 0)
	}
	data = binary.LittleEndian.AppendUint32(data, asmJALR(0, ra, 0))
	for _, chunk := range []uint64{2, 5, 13, 64, 1000} {
		runBlocksAndSteps(t, data, chunk)
	}

	h := blockHart(data)
	h.Run(2000)
	d := h.icache.pages[0]
	require.NotNil(t, d)
	e := d.entry[0]
	require.NotZero(t, e, "a block starts at 0")
	blk := d.code[e>>8 : e>>8+e&0xff]
	var ops []op
	for _, in := range blk {
		ops = append(ops, in.op)
	}
	// 0 4 | 12 16 | 64 68 72 76: the jal and the auipc+jalr go on at
	// their targets; the return ends the block.
	assert.Equal(t, []op{opADDI, opJAL, opAUIPC, opJALR, opADDI, opAUIPC, opADDI, opJALR}, ops)
	assert.NotZero(t, h.Reg(t3))
}

// A store into a function a block has followed a call into drops the
// page, so the next call runs the new instruction.
func TestStoreIntoFollowedCallee(t *testing.T) {
	h, _, _ := newTestHart(t,
		asmAUIPCHi(ra, 0),      // 0
		asmJALR(ra, ra, 32),    // 4: call 32
		asmAUIPCHi(t1, 0),      // 8
		asmLW(t0, t1, 40-8),    // 12: the word at 40
		asmSW(t0, t1, 32-8),    // 16: over the callee's first instruction
		asmAUIPCHi(ra, 0),      // 20
		asmJALR(ra, ra, 32-20), // 24: call 32 again
		asmJAL(0, 0),           // 28
		asmADDI(a0, a0, 1),     // 32: the callee, becomes addi a0,a0,100
		asmJALR(0, ra, 0),      // 36
		asmADDI(a0, a0, 100),   // 40
	)
	h.Run(13)
	assert.Equal(t, uint64(1+100), h.Reg(a0))
	assert.Equal(t, uint64(testBase+28), h.PC())
}
