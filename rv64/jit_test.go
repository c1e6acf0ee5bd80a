package rv64

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The translator is held to the interpreter: two harts on the same guest,
// one translating every block on its first entry and one interpreting,
// run in the same Runs must end in the same state, down to the counts
// spin and cycle detection read (effects) and compare's counters.

// runJITAndInterpreter runs data's guest (as FuzzExecute builds it) on
// both, in Runs of chunk instructions, and compares them.
func runJITAndInterpreter(t *testing.T, data []byte, chunk uint64, cycles bool) (native, total uint64) {
	t.Helper()
	jit, ref := fuzzHart(data), fuzzHart(data)
	jit.jit.heat = 1
	ref.SetJIT(false)
	jit.cyc.off, ref.cyc.off = !cycles, !cycles
	const steps = 4000
	for i := 0; i < 200 && ref.Instret() < steps; i++ {
		jit.Run(chunk)
		ref.Run(chunk)
		require.Equal(t, ref.Instret(), jit.Instret(), "instruction count after Run %d", i)
		require.Equal(t, ref.pc, jit.pc, "pc after Run %d", i)
	}
	require.Equal(t, [32]uint64(ref.x[:32]), [32]uint64(jit.x[:32]), "registers")
	require.Equal(t, ref.f, jit.f, "FP registers")
	require.Equal(t, ref.csr, jit.csr, "CSRs")
	require.Equal(t, ref.priv, jit.priv, "privilege")
	require.Equal(t, ref.traps, jit.traps, "exceptions")
	require.Equal(t, ref.effects, jit.effects, "effects")
	require.Equal(t, ref.ctr, jit.ctr, "counters")
	require.Equal(t, ref.Spinning(), jit.Spinning(), "spinning")
	require.True(t, bytes.Equal(ref.ram, jit.ram), "memory")
	return jit.jit.ran, jit.Instret()
}

// FuzzJITMatchesInterpreter runs any guest both ways.
func FuzzJITMatchesInterpreter(f *testing.F) {
	f.Add([]byte{0x13, 0x05, 0x10, 0x00, 0x6f, 0x00, 0x00, 0x00}, uint8(0), false)
	f.Add(mProg(asmADDI(a0, a0, 1), asmSW(a0, t1, 0), asmLW(a1, t1, 0), asmBNE(a0, t3, -12)), uint8(2), true)
	f.Add(mProg(callsOnPage()...), uint8(4), false)
	for seed := range uint64(8) {
		f.Add(jitProgram(seed), uint8(seed*7), seed&1 == 0)
		f.Add(jitCallsProgram(seed), uint8(seed*5), seed&1 == 1)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, cycles bool) {
		runJITAndInterpreter(t, data, 1+uint64(chunk)*37, cycles)
	})
}

// TestJITMatchesInterpreter runs random programs of every op the
// translator writes, in S-mode with translation bare and in M-mode, in
// long Runs and short ones.
func TestJITMatchesInterpreter(t *testing.T) {
	var native, total uint64
	for seed := range uint64(200) {
		for _, data := range [][]byte{jitProgram(seed), jitCallsProgram(seed)} {
			for _, chunk := range []uint64{5000, 97, 13} {
				n, all := runJITAndInterpreter(t, data, chunk, seed%3 == 0)
				native, total = native+n, total+all
			}
		}
	}
	t.Logf("%d of %d instructions ran translated", native, total)
	if jitSupported {
		require.Greater(t, native, total/8, "translated code ran")
	}
}

// jitProgram is fuzz input (see fuzzHart) for a random loop of the ops the
// translator writes. Loads, stores and AMOs go through four base registers
// the loop never writes: two into a data page (one misaligned), one near
// a page's end (some accesses cross it) and one into the code itself.
func jitProgram(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x6a17))
	data := make([]byte, 32, 32+0x1000)
	data[0] = []uint8{1, 2}[seed&1] // S-mode (bare) or M-mode
	binary.LittleEndian.PutUint64(data[8:], uint64(rng.IntN(4))<<13|mstatusSIE*uint64(rng.IntN(2)))
	const loop = 0x40 + 4*7
	data[16] = loop / 4 // mtvec: faults go round the loop again, in M-mode
	prog := []uint32{
		0x3017 | 20<<7,         // auipc x20, 3
		asmADDI(21, 20, 2047),  // x21: odd
		0x5017 | 22<<7,         // auipc x22, 5
		asmADDI(22, 22, -0x60), // x22: 24 bytes before a page's end
		0x0017 | 23<<7,         // auipc x23, 0: the code
		asmADDI(23, 23, 0x100),
		asmADDI(1, 0, 1),
	}
	reg := func() int { return 1 + rng.IntN(15) }
	base := func() int { return []int{20, 20, 21, 22, 22, 23}[rng.IntN(6)] }
	imm12 := func() int32 { return int32(rng.IntN(4096)) - 2048 }
	rType := [...][3]uint32{ // funct3, funct7, opcode
		{0, 0, 0x33}, {0, 0x20, 0x33}, {1, 0, 0x33}, {2, 0, 0x33}, {3, 0, 0x33}, {4, 0, 0x33},
		{5, 0, 0x33}, {5, 0x20, 0x33}, {6, 0, 0x33}, {7, 0, 0x33},
		{0, 1, 0x33}, {1, 1, 0x33}, {2, 1, 0x33}, {3, 1, 0x33}, {4, 1, 0x33}, {5, 1, 0x33}, {6, 1, 0x33}, {7, 1, 0x33},
		{0, 0, 0x3b}, {0, 0x20, 0x3b}, {1, 0, 0x3b}, {5, 0, 0x3b}, {5, 0x20, 0x3b},
		{0, 1, 0x3b}, {4, 1, 0x3b}, {5, 1, 0x3b}, {6, 1, 0x3b}, {7, 1, 0x3b},
	}
	for range 0x80 + rng.IntN(0x200) {
		rd, rs1, rs2 := reg(), reg(), reg()
		var w uint32
		switch rng.IntN(16) {
		case 0, 1:
			f := rType[rng.IntN(len(rType))]
			w = f[1]<<25 | uint32(rs2)<<20 | uint32(rs1)<<15 | f[0]<<12 | uint32(rd)<<7 | f[2]
		case 2, 3: // I-type ALU
			f3 := uint32(rng.IntN(8))
			imm := imm12()
			switch f3 {
			case 1:
				imm = int32(rng.IntN(64))
			case 5:
				imm = int32(rng.IntN(64)) | int32(rng.IntN(2))<<10
			}
			w = encI(0x13, f3, rd, rs1, imm)
		case 4: // W immediates
			switch rng.IntN(4) {
			case 0:
				w = encI(0x1b, 0, rd, rs1, imm12())
			case 1:
				w = encI(0x1b, 1, rd, rs1, int32(rng.IntN(32)))
			default:
				w = encI(0x1b, 5, rd, rs1, int32(rng.IntN(32))|int32(rng.IntN(2))<<10)
			}
		case 5: // lui, auipc
			w = rng.Uint32()&0xFFFFF000 | uint32(rd)<<7 | []uint32{0x37, 0x17}[rng.IntN(2)]
		case 6, 7: // loads
			w = encI(0x03, uint32(rng.IntN(7)), rd, base(), int32(rng.IntN(64))-8)
		case 8, 9: // stores
			w = asmStore(uint32(rng.IntN(4)), rs2, base(), int32(rng.IntN(64))-8)
		case 10: // amoswap.w, amoswap.d, amoadd.w
			w = asmAMOW(1, rd, rs2, base())
			if rng.IntN(3) == 0 {
				w |= 1 << 12
			}
			if rng.IntN(4) == 0 {
				w = asmAMOW(0, rd, rs2, base())
			}
		case 11: // sstatus, and the trap path's plain CSRs
			csr := []int{csrSstatus, csrSstatus, csrSscratch, csrSepc, csrScause, csrStval, csrStvec}[rng.IntN(7)]
			switch rng.IntN(3) {
			case 0:
				w = asmCSRRS(rd, csr, 0)
			case 1:
				w = asmCSRRW(rd, csr, rs1)
			default:
				w = asmCSRRC(0, csr, rs1)
			}
		case 12: // forward branches over one or two instructions
			w = asmBranch([]uint32{0, 1, 4, 5, 6, 7}[rng.IntN(6)], rs1, rs2, int32(4+4*rng.IntN(2)))
		case 13: // a forward jal, a call through auipc+jalr on the page
			if rng.IntN(2) == 0 {
				w = asmJAL(rd*rng.IntN(2), 8)
			} else {
				prog = append(prog, asmAUIPC(rd))
				w = asmJALR(rd, rd, 12)
			}
		case 14: // a fence, or a branch back a little (an inner loop)
			w = asmFENCE()
			if rng.IntN(2) == 0 {
				w = asmBranch([]uint32{0, 1, 4, 5, 6, 7}[rng.IntN(6)], rs1, rs2, -4*int32(1+rng.IntN(3)))
			}
		default:
			w = asmADDI(rd, rs1, imm12())
		}
		prog = append(prog, w)
	}
	prog = append(prog, asmJAL(0, -4*int32(len(prog)-7)))
	code := binary.LittleEndian.AppendUint32(nil, asmJAL(0, 0x40))
	code = append(code, make([]byte, 0x3c)...)
	for _, w := range prog {
		code = binary.LittleEndian.AppendUint32(code, w)
	}
	return append(data, code...)
}

// jitCallsProgram is fuzz input for a loop that calls functions on three
// pages (auipc+jalr, as MIT's kernel calls), some of which call on, with
// jal and branches between pages too: translated code chains into blocks
// on other pages and back through their returns.
func jitCallsProgram(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0xca11))
	data := jitProgram(seed)[:32]
	code := make([]byte, 0x3000)
	put := func(off int, ws ...uint32) int {
		for _, w := range ws {
			binary.LittleEndian.PutUint32(code[off:], w)
			off += 4
		}
		return off
	}
	regs := []int{5, 6, 7, 9, 10, 11, 12, 13, 14, 15}
	reg := func() int { return regs[rng.IntN(len(regs))] }
	op := func() uint32 {
		rd, rs1, rs2 := reg(), reg(), reg()
		switch rng.IntN(6) {
		case 0:
			return encI(0x03, uint32(rng.IntN(4)), rd, 20+rng.IntN(3), int32(rng.IntN(32)))
		case 1:
			return asmStore(uint32(rng.IntN(4)), rs2, 20+rng.IntN(4), int32(rng.IntN(32)))
		case 2:
			return uint32(rs2)<<20 | uint32(rs1)<<15 | uint32(rd)<<7 | 0x33 // add
		case 3:
			return asmAMOW(1, rd, rs2, 20)
		default:
			return asmADDI(rd, rs1, int32(rng.IntN(200))-100)
		}
	}
	// call returns the two words that call target from off (ra = x1).
	call := func(off, target int) []uint32 {
		d := int32(target - off)
		hi := (d + 0x800) &^ 0xFFF
		return []uint32{uint32(hi) | 1<<7 | 0x17, asmJALR(1, 1, d-hi)}
	}
	// Leaf functions at 0x1100, 0x2200, 0x2e00; an inner caller at
	// 0x1800 that saves ra in s0 and calls the leaf on page 2.
	leaves := []int{0x1100, 0x2200, 0x2e00}
	for _, f := range leaves {
		at := f
		for range 3 + rng.IntN(12) {
			at = put(at, op())
		}
		if rng.IntN(3) == 0 { // an early return on a branch
			at = put(at, asmBranch(0, reg(), reg(), 8), op())
		}
		put(at, asmJALR(0, 1, 0))
	}
	at := put(0x1800, asmADDI(8, 1, 0))
	at = put(at, call(at, leaves[1])...)
	at = put(at, op(), asmADDI(1, 8, 0), asmJALR(0, 1, 0))
	_ = at
	// The main loop at 0x40, after the base registers are set.
	at = put(0x40,
		0x3017|20<<7, asmADDI(21, 20, 2047), 0x5017|22<<7, asmADDI(22, 22, -0x60),
		0x0017|23<<7, asmADDI(23, 23, 0x200), asmADDI(8, 0, 0))
	loop := at
	for range 20 + rng.IntN(40) {
		switch rng.IntN(5) {
		case 0, 1:
			at = put(at, call(at, append(leaves, 0x1800)[rng.IntN(4)])...)
		case 2:
			at = put(at, asmBranch(1, reg(), reg(), 8), op())
		default:
			at = put(at, op())
		}
	}
	put(at, asmJAL(0, int32(loop-at)))
	put(0, asmJAL(0, 0x40))
	data[16] = byte(loop / 4) // traps go round the loop again
	return append(data, code...)
}
