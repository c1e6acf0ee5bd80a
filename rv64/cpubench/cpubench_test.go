package cpubench

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/rv64"
)

// TestGuestRunsInSMode checks that the benchmark really measures S-mode
// code under translation and never stops.
func TestGuestRunsInSMode(t *testing.T) {
	b, err := NewBoard()
	require.NoError(t, err)
	assert.Equal(t, uint64(2_000_000), b.Hart.Run(2_000_000))
	assert.Equal(t, rv64.PrivS, b.Hart.Priv())
	assert.False(t, b.Hart.Waiting())
}

// BenchmarkGuest reports guest MIPS for the benchmark workload.
func BenchmarkGuest(b *testing.B) {
	board, err := NewBoard()
	require.NoError(b, err)
	board.Hart.Run(1_000_000)
	const chunk = 1_000_000
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	cpu := threadCPU()
	for i := 0; i < b.N; i++ {
		board.Hart.Run(chunk)
	}
	cpu = threadCPU() - cpu
	b.ReportMetric(mips(uint64(b.N)*chunk, b.Elapsed()), "MIPS")
	b.ReportMetric(mips(uint64(b.N)*chunk, cpu), "cpuMIPS")
}
