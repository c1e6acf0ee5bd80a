package x86

import "testing"

// An iret to ring 3 counts as a thread switch when its frame (the
// thread's kernel stack) is not the CPU's previous one's; the first one is
// not a switch.
func TestThreadSwitchesCount(t *testing.T) {
	c, _ := newFuzzCPU(t, []byte{0xF4}, false, false)
	for i, s := range []struct {
		frame uint32
		want  uint64
	}{{0x8010_0ff4, 0}, {0x8010_0ff4, 0}, {0x8020_0ff4, 1}, {0x8010_0ff4, 2}, {0x8010_0ff4, 2}} {
		c.noteUserEntry(s.frame)
		if got := c.Stats.ThreadSwitches; got != s.want {
			t.Fatalf("entry %d: %d switches, want %d", i, got, s.want)
		}
	}
}
