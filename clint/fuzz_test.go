package clint

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRegisters: arbitrary accesses and clock steps never panic, and after
// each one the timer lines agree with mtime >= mtimecmp.
func FuzzRegisters(f *testing.F) {
	f.Add([]byte{1, 0x00, 0x40, 8, 0x10, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 0xf8, 0xbf, 4, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		clk := &clock{}
		c := New(2, clk.now)
		c.Update()
		for len(ops) >= 12 {
			kind, off, size := ops[0], uint64(binary.LittleEndian.Uint16(ops[1:])), int(ops[3]%9)
			v := binary.LittleEndian.Uint64(ops[4:])
			ops = ops[12:]
			switch kind % 3 {
			case 0:
				c.Read(off, size)
			case 1:
				c.Write(off, size, v)
			case 2:
				clk.t += v % 1000
				c.Update()
			}
			for h := 0; h < 2; h++ {
				if (c.MTime() >= c.mtimecmp[h]) != c.MTIP(h).Level() || (c.msip[h] != 0) != c.MSIP(h).Level() {
					require.Fail(t, "line disagrees with registers", "hart %d", h)
				}
			}
			if dl, ok := c.NextDeadline(); ok && dl <= clk.t {
				require.Fail(t, "deadline not in the future", "%d <= %d", dl, clk.t)
			}
		}
	})
}
