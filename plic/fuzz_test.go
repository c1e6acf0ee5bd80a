package plic

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

// FuzzRegisters drives a 2-hart virt PLIC with arbitrary register accesses
// and input line changes. Each op is 7 bytes: kind, a 2-byte register
// selector, a 4-byte value. It must never panic, and every context's
// output must equal "a claim would return a source".
func FuzzRegisters(f *testing.F) {
	f.Add([]byte{1, 10, 0, 1, 0, 0, 0, 2, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 1, 0, 1, 0, 0, 0, 1, 0x20, 0x08, 0xff, 0xff, 0xff, 0xff, 0, 0x04, 0x10, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		p := New(96, 4)
		lines := make([]bus.IRQ, 96)
		for id := 1; id <= 95; id++ {
			lines[id].Connect(p.Input(id))
		}
		for len(ops) >= 7 {
			kind := ops[0]
			sel := binary.LittleEndian.Uint16(ops[1:])
			v := binary.LittleEndian.Uint32(ops[3:])
			ops = ops[7:]
			off := fuzzOffset(sel)
			switch kind % 5 {
			case 0:
				p.Read(off, 4)
			case 1:
				p.Write(off, 4, uint64(v))
			case 2:
				lines[1+int(sel)%95].Set(v&1 != 0)
			case 3:
				p.Read(off, int(v%9))
			case 4:
				p.Write(off, int(v%9), uint64(v))
			}
			for ctx := 0; ctx < 4; ctx++ {
				if (p.best(ctx) != 0) != p.Output(ctx).Level() {
					require.Fail(t, "output disagrees with claimable sources", "context %d", ctx)
				}
			}
		}
	})
}

// fuzzOffset maps a selector onto the interesting parts of the register
// space, with some arbitrary offsets mixed in.
func fuzzOffset(sel uint16) uint64 {
	n := uint64(sel >> 3)
	switch sel & 7 {
	case 0:
		return PriorityBase + 4*(n%100)
	case 1:
		return PendingBase + 4*(n%5)
	case 2:
		return EnableBase + EnableStride*(n%5) + 4*(n/5%5)
	case 3:
		return ContextBase + ContextStride*(n%5)
	case 4:
		return ContextBase + ContextStride*(n%5) + ClaimOffset
	default:
		return uint64(sel) << 9
	}
}
