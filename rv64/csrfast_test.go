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
