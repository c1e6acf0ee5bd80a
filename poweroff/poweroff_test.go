package poweroff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCommands(t *testing.T) {
	tests := []struct {
		name              string
		offset            uint64
		size              int
		value             uint64
		done, reset, call bool
		code              int
	}{
		{name: "pass", size: 4, value: 0x5555, done: true, call: true},
		{name: "fail with code", size: 4, value: 0x3333 | 3<<16, done: true, code: 3, call: true},
		{name: "fail max code", size: 4, value: 0xffff3333, done: true, code: 0xffff, call: true},
		{name: "reset", size: 4, value: 0x7777, reset: true, call: true},
		{name: "halfword pass", size: 2, value: 0x5555, done: true, call: true},
		{name: "doubleword uses low word", size: 8, value: 0x1_0000_5555, done: true, call: true},
		{name: "byte ignored", size: 1, value: 0x55},
		{name: "other offset ignored", offset: 4, size: 4, value: 0x5555},
		{name: "unknown value ignored", size: 4, value: 0x1234},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New()
			calls := 0
			d.OnHalt = func() { calls++ }
			d.Write(tc.offset, tc.size, tc.value)
			done, code, reset := d.Halted()
			assert.Equal(t, tc.done, done)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.reset, reset)
			want := 0
			if tc.call {
				want = 1
			}
			assert.Equal(t, want, calls)
			assert.Zero(t, d.Read(0, 4))
		})
	}
}

func TestFirstCommandWinsUntilClear(t *testing.T) {
	d := New()
	d.Write(0, 4, 0x3333|7<<16)
	d.Write(0, 4, 0x5555)
	done, code, _ := d.Halted()
	assert.True(t, done)
	assert.Equal(t, 7, code)

	d.Clear()
	done, code, reset := d.Halted()
	assert.False(t, done || reset)
	assert.Zero(t, code)
	d.Write(0, 4, 0x5555)
	done, code, _ = d.Halted()
	assert.True(t, done)
	assert.Zero(t, code)
}
