package cpubench

import (
	"runtime"
	"testing"
)

// TestGuestRunsPaged checks that the benchmark measures ring-0 code with
// paging on and never stops or faults.
func TestGuestRunsPaged(t *testing.T) {
	c, b, err := NewCPU()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := c.Run(3_000_000); got != 3_000_000 {
		t.Fatalf("ran %d of 3000000 steps (eip %#x)", got, c.EIP())
	}
	if c.CR0()&(1<<31) == 0 || c.CPL() != 0 {
		t.Errorf("CR0 %#x CPL %d: want paging on in ring 0", c.CR0(), c.CPL())
	}
	for v, n := range c.Stats.Exceptions {
		if n != 0 {
			t.Errorf("%d exceptions with vector %d", n, v)
		}
	}
}

// BenchmarkGuest reports guest MIPS for the benchmark workload.
func BenchmarkGuest(b *testing.B) {
	c, bs, err := NewCPU()
	if err != nil {
		b.Fatal(err)
	}
	defer bs.Close()
	c.Run(1_000_000)
	const chunk = 1_000_000
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	cpu := threadCPU()
	for i := 0; i < b.N; i++ {
		c.Run(chunk)
	}
	cpu = threadCPU() - cpu
	b.ReportMetric(mips(uint64(b.N)*chunk, b.Elapsed()), "MIPS")
	b.ReportMetric(mips(uint64(b.N)*chunk, cpu), "cpuMIPS")
}
