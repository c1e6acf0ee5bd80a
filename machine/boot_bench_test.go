package machine_test

import (
	"bytes"
	"testing"

	"github.com/xv6emu/xv6emu/machine"
)

// BenchmarkBootToPrompt measures booting the embedded image to its first
// shell prompt on 3 harts.
func BenchmarkBootToPrompt(b *testing.B) {
	prompt := []byte(machine.DefaultPrompt)
	var insns uint64
	for i := 0; i < b.N; i++ {
		m, _ := newXV6(b, 3, 0)
		stop := m.Run(func() bool { return bytes.HasSuffix(m.Output(), prompt) })
		if stop.Reason != machine.StopCondition {
			b.Fatalf("boot: %v", stop)
		}
		insns = m.Retired()
	}
	b.ReportMetric(float64(insns), "insns/boot")
}
