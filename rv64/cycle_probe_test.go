package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/xv6emu/xv6emu/bus"
)

// countingScan is shaped like one pass of MIT's idle scan (a lock taken
// with amoswap and released, a state word read, ALU work, a back jump),
// but it also counts its passes in memory, so no iteration is ever a
// cycle and a probe single-steps it to the end.
var countingScan = []uint32{
	asmLW(a2, t1, 8),       // 0: the pass counter
	asmADDI(a2, a2, 1),     // 4
	asmSW(a2, t1, 8),       // 8
	asmADDI(t0, 0, 1),      // 12
	asmAMOW(1, t2, t0, t1), // 16: amoswap.w t2, t0, (t1)
	asmBNE(t2, 0, -4),      // 20: held: try again
	asmLW(a1, t1, 4),       // 24: the state word
	asmSW(0, t1, 0),        // 28: release
	asmADDI(t3, t3, 0),     // 32
	asmJAL(0, -36),         // 36: round again
}

// BenchmarkProbeStep is what a probe costs per instruction it steps
// through: the instruction, and the logging and checks around it.
func BenchmarkProbeStep(b *testing.B) {
	bs := bus.New(testBase, 1<<20)
	for i, w := range countingScan {
		binary.LittleEndian.PutUint32(bs.RAM[4*i:], w)
	}
	h := New(0, bs, &fakeClock{})
	h.Reset(testBase)
	h.SetReg(t1, testBase+dataOff)
	if !h.writeCSR(csrMstatus, mstatusMIE) {
		b.Fatal("mstatus")
	}
	const steps = 4096
	c := &h.cyc
	for b.Loop() {
		c.probing, c.started, c.maxGap = true, h.steps, steps
		h.anchorCycle()
		before := h.steps
		h.probeCycle(steps)
		if h.steps-before != steps || h.Spinning() || !c.probing {
			b.Fatalf("the probe stepped %d instructions (spinning %v, probing %v)", h.steps-before, h.Spinning(), c.probing)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/steps, "ns/step")
}
