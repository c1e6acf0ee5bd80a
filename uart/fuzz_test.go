package uart

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

// FuzzRegisters drives the UART with arbitrary accesses and input bytes.
// Each op is 3 bytes: kind, offset, value. It must never panic, and the
// line, IIR and FIFO must stay consistent.
func FuzzRegisters(f *testing.F) {
	f.Add([]byte{1, 2, 0x07, 1, 1, 0x03, 2, 0, 'a', 0, 2, 0, 0, 0, 0})
	f.Add([]byte{1, 4, 0x10, 1, 0, 'x', 1, 0, 'y', 0, 5, 0})
	f.Add([]byte{1, 3, 0x80, 1, 0, 3, 1, 3, 3, 1, 1, 2, 0, 2, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		out := &bytes.Buffer{}
		irq := &bus.IRQ{}
		u := New(out, irq)
		for len(ops) >= 3 {
			kind, off, v := ops[0], uint64(ops[1]%10), ops[2]
			ops = ops[3:]
			switch kind % 4 {
			case 0:
				u.Read(off, 1)
			case 1:
				u.Write(off, 1, uint64(v))
			case 2:
				if can := u.CanReceive(); can != u.Receive(v) {
					require.Fail(t, "Receive disagrees with CanReceive", "CanReceive was %v", can)
				}
			case 3:
				u.Read(off, 1<<(v%4))
			}
			// Plain checks first: testify per op would slow the fuzzer down.
			lsr := u.lsr()
			if u.rxN > u.capacity() || (u.cause() != IIRNone) != irq.Level() ||
				(u.rxN > 0) != (lsr&LSRDataReady != 0) || lsr&LSRTxEmpty == 0 {
				require.Fail(t, "inconsistent state", "rxN %d cap %d cause %#x line %v lsr %#x",
					u.rxN, u.capacity(), u.cause(), irq.Level(), lsr)
			}
		}
	})
}
