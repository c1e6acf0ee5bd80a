package rv64

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sstatus fast path gives exactly what the general CSR path gives:
// same rd, same mstatus, same translation context, and it asks for an
// interrupt poll whenever the general path's result could need one.
func TestSstatusFastPathMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, f3 := range []uint32{1, 2, 3, 5, 6, 7} {
		for _, priv := range []uint8{PrivS, PrivM} {
			for range 100 {
				rs1 := r.IntN(4) // x0 and a few others, also as a zimm
				raw := encI(0x73, f3, a0, rs1, csrSstatus)
				in := decode(raw)
				require.Equal(t, int32(csrSstatus), in.imm)

				fast, _, _ := newTestHart(t)
				general, _, _ := newTestHart(t)
				for _, h := range []*Hart{fast, general} {
					h.setPriv(priv)
					h.writeCSR(csrMstatus, r.Uint64())
					h.x[1], h.x[2], h.x[3] = r.Uint64(), r.Uint64(), r.Uint64()
				}
				general.csr.mstatus = fast.csr.mstatus
				general.x = fast.x
				general.switchTLB()
				before := fast.csr.mstatus
				fast.checkInt, general.checkInt = false, false

				require.True(t, fast.csrInsn(&in))
				require.True(t, general.csrGeneral(&in))
				assert.Equal(t, general.x[a0], fast.x[a0], "rd, f3 %d rs1 %d", f3, rs1)
				assert.Equal(t, general.csr.mstatus, fast.csr.mstatus, "mstatus, f3 %d rs1 %d", f3, rs1)
				assert.Equal(t, general.tlb.key, fast.tlb.key)
				if fast.csr.mstatus&^before&(mstatusSIE|mstatusMIE) != 0 {
					assert.True(t, fast.checkInt, "an enable turned on")
				}
			}
		}
	}
}

// From U-mode sstatus is illegal, through either path.
func TestSstatusFromUserTraps(t *testing.T) {
	h, _, _ := newTestHart(t)
	h.setPriv(PrivU)
	in := decode(asmCSRRS(a0, csrSstatus, 0))
	assert.False(t, h.csrInsn(&in))
	assert.Equal(t, uint64(excIllegal), h.csr.mcause)
}

// An AMO whose page the store TLB maps (amoRAM) does what the walk path
// does: same old value, memory, effects and tally.
func TestAMOFastPathMatchesSlow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, o := range []op{opAMOSWAP, opAMOADD, opAMOXOR, opAMOAND, opAMOOR, opAMOMIN, opAMOMAX, opAMOMINU, opAMOMAXU} {
		for _, size := range []uint8{4, 8} {
			for _, rd := range []uint8{a0, zeroSink} {
				for range 20 {
					fast, _, _ := newTestHart(t)
					slow, _, _ := newTestHart(t)
					addr := uint64(testBase + 0x800 + 8*r.IntN(8))
					mem, src := r.Uint64(), r.Uint64()
					if r.IntN(4) == 0 {
						src = mem // a swap that changes nothing
					}
					in := insn{op: o, rd: rd, rs1: t1, rs2: t0, size: size, len: 4}
					for _, h := range []*Hart{fast, slow} {
						binary.LittleEndian.PutUint64(h.ram[addr-testBase:], mem)
						h.x[t1], h.x[t0] = addr, src
					}
					require.True(t, fast.atomic(&in)) // fills the TLB
					binary.LittleEndian.PutUint64(fast.ram[addr-testBase:], mem)
					fast.effects, fast.tallies, fast.tally = 0, 0, tally{}
					fast.x[a0] = 0
					_, hit := fast.tlb.store.Lookup(addr)
					require.True(t, hit)
					require.True(t, fast.atomic(&in))
					slow.tlb.store.Flush()
					require.True(t, slow.atomic(&in))
					assert.Equal(t, slow.x[a0], fast.x[a0], "old value, op %d size %d", o, size)
					assert.Equal(t, slow.ram[0x800:0x840], fast.ram[0x800:0x840], "memory")
					assert.Equal(t, slow.effects, fast.effects, "effects")
					assert.Equal(t, slow.tallies, fast.tallies, "tallies")
					assert.Equal(t, slow.tally, fast.tally, "tally")
				}
			}
		}
	}
}

// The interpreter runs csrr and csrw of sstatus inside blocks; whatever
// path it takes, the result is the general CSR path's: rd, mstatus, the
// translation context, and an interrupt that the write makes takeable is
// taken right after it.
func TestSstatusInBlockMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, raw := range []uint32{asmCSRRS(a0, csrSstatus, 0), asmCSRRW(a0, csrSstatus, t0), asmCSRRW(t0, csrSstatus, t0)} {
		for _, priv := range []uint8{PrivS, PrivM} {
			for range 100 {
				h, _, _ := newTestHart(t, raw, asmADDI(a1, a1, 1), asmJAL(0, 0))
				ref, _, _ := newTestHart(t)
				for _, x := range []*Hart{h, ref} {
					x.setPriv(priv)
					x.writeCSR(csrStvec, testBase+0x400)
					x.writeCSR(csrMtvec, testBase+0x400)
				}
				ms, src := r.Uint64(), r.Uint64()
				if r.IntN(2) == 0 {
					src &= mstatusSIE | mstatusSPP // only what push_off and pop_off change
				}
				pending := r.IntN(2) == 0
				if pending {
					ms &^= mstatusSIE // nothing takeable before the CSR instruction
				}
				h.writeCSR(csrMstatus, ms)
				ref.writeCSR(csrMstatus, ms)
				h.x[t0], ref.x[t0] = src, src
				if pending {
					h.csr.mie, h.csr.mipSW = 1<<IntSSI, 1<<IntSSI
					h.csr.mideleg = 1 << IntSSI
				}
				h.checkInt = false

				in := decode(raw)
				require.True(t, ref.csrGeneral(&in))
				ref.checkInt = false
				h.Run(2)
				assert.Equal(t, ref.x[a0], h.x[a0], "rd")
				assert.Equal(t, ref.x[t0], h.x[t0], "rd=rs1")
				if !pending {
					assert.Equal(t, ref.csr.mstatus, h.csr.mstatus, "mstatus")
					assert.Equal(t, uint64(1), h.x[a1], "the addi ran after it")
					assert.Equal(t, ref.tlb.key, h.tlb.key, "translation context")
					continue
				}
				// An enabled, pending SSI delegated to S is taken after the
				// CSR instruction exactly when the new mstatus allows it.
				takeable := priv == PrivS && ref.csr.mstatus&mstatusSIE != 0
				if takeable {
					assert.Equal(t, uint64(testBase+0x400), h.pc&^3, "trapped to stvec")
					assert.Equal(t, uint64(0), h.x[a1])
				} else {
					assert.Equal(t, uint64(1), h.x[a1], "no interrupt")
				}
			}
		}
	}
}

// amoswap.w inside a block gives atomic's result: old value, memory,
// effects and the counter compare reads.
func TestAMOSwapInBlockMatchesAtomic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	prog := []uint32{asmAMOW(1, a0, t0, t1), asmADDI(a1, a1, 1), asmJAL(0, 0)}
	for range 100 {
		h, _, _ := newTestHart(t, prog...)
		ref, _, _ := newTestHart(t)
		addr := uint64(testBase + 0x800 + 4*r.IntN(8))
		mem, src := r.Uint64(), r.Uint64()
		if r.IntN(2) == 0 {
			src = mem // a test-and-set on a held lock: no effect
		}
		for _, x := range []*Hart{h, ref} {
			binary.LittleEndian.PutUint64(x.ram[0x800:], r.Uint64())
			binary.LittleEndian.PutUint64(x.ram[addr-testBase:], mem)
			x.x[t1], x.x[t0] = addr, src
		}
		copy(ref.ram[0x800:0x840], h.ram[0x800:0x840])
		h.tlb.store.Insert(addr, 0) // so the block takes its fast path
		in := decode(prog[0])
		effects := ref.effects
		require.True(t, ref.atomic(&in))
		hEffects := h.effects
		h.Run(2)
		assert.Equal(t, uint64(1), h.x[a1], "the addi ran after it")
		assert.Equal(t, ref.x[a0], h.x[a0], "old value")
		assert.Equal(t, ref.ram[0x800:0x840], h.ram[0x800:0x840], "memory")
		assert.Equal(t, ref.effects-effects, h.effects-hEffects, "effects")
		assert.Equal(t, ref.ctr.AMOSwapW, h.ctr.AMOSwapW, "counted")
	}
}
