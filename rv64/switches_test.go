package rv64

import "testing"

// A return to U-mode counts as a thread switch when its page table or its
// trapframe (sscratch) is not the hart's previous return's; the first one
// is not a switch.
func TestThreadSwitchesCount(t *testing.T) {
	h, _, _ := newTestHart(t)
	steps := []struct {
		satp, sscratch uint64
		want           uint64
	}{
		{0x8000000000080001, 0x3fffffe000, 0}, // first entry: nothing to switch from
		{0x8000000000080001, 0x3fffffe000, 0}, // the same thread again
		{0x8000000000080001, 0x3fffffd000, 1}, // another thread of the process
		{0x8000000000080002, 0x3fffffd000, 2}, // another process
		{0x8000000000080002, 0x3fffffd000, 2},
		{0x8000000000080001, 0x3fffffe000, 3},
	}
	for i, s := range steps {
		h.csr.satp, h.csr.sscratch = s.satp, s.sscratch
		h.noteUserEntry()
		if got := h.Counters().ThreadSwitches; got != s.want {
			t.Fatalf("entry %d: %d switches, want %d", i, got, s.want)
		}
	}
}
