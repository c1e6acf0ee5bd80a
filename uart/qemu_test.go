package uart

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/plic"
)

// probeStep is one access of a recorded probe and the value QEMU gave.
type probeStep struct {
	name string
	do   func() uint64
	want uint64
}

// TestQEMUProbeReplay replays, register access by register access, a
// bare-metal probe run on qemu-system-riscv64 7.2 (UART wired to PLIC
// source 10, hart 0's S context), and expects the pending words and claims
// QEMU showed. It pins down when the UART re-asserts its line.
func TestQEMUProbeReplay(t *testing.T) {
	irq := &bus.IRQ{}
	u := New(nil, irq)
	p := plic.New(96, 2)
	irq.Connect(p.Input(10))
	const (
		pend  = plic.PendingBase
		claim = plic.ContextBase + plic.ContextStride + plic.ClaimOffset
	)
	p.Write(4*10, 4, 1)
	p.Write(plic.EnableBase+plic.EnableStride, 4, 1<<10)
	p.Write(plic.ContextBase+plic.ContextStride, 4, 0)
	var steps []probeStep
	rd := func(off uint64) func() uint64 { return func() uint64 { return u.Read(off, 1) } }
	wr := func(off uint64, v uint8) func() uint64 { return func() uint64 { u.Write(off, 1, uint64(v)); return 0 } }
	pending := func() uint64 { return p.Read(pend, 4) }
	var claimed uint64
	doClaim := func() uint64 { claimed = p.Read(claim, 4); return claimed }
	doComplete := func() uint64 { p.Write(claim, 4, claimed); return 0 }
	add := func(name string, do func() uint64, want uint64) {
		steps = append(steps, probeStep{name, do, want})
	}
	add("fcr", wr(IIR, 0x07), 0)
	add("a.pend.initial", pending, 0)
	add("ier=2", wr(IER, 2), 0)
	add("a.pend.after.ier.edge", pending, 0x400)
	add("a.claim", doClaim, 10)
	add("complete", doComplete, 0)
	add("a.pend.after.complete(line high)", pending, 0)
	add("lsr", rd(LSR), 0x60)
	add("lsr", rd(LSR), 0x60)
	add("a.pend.after.lsr.reads", pending, 0)
	add("mcr", wr(MCR, 0x08), 0)
	add("lcr", wr(LCR, 0x03), 0)
	add("scr", wr(SCR, 5), 0)
	add("a.pend.after.mcr.lcr.scr", pending, 0)
	add("ier=3", wr(IER, 3), 0)
	add("b.pend.after.ier.change.no.thri.edge", pending, 0x400)
	add("b.claim", doClaim, 10)
	add("complete", doComplete, 0)
	add("ier=3 again", wr(IER, 3), 0)
	add("b.pend.after.ier.same", pending, 0)
	add("fcr=7", wr(IIR, 0x07), 0)
	add("b.pend.after.fcr", pending, 0x400)
	add("claim", doClaim, 10)
	add("complete", doComplete, 0)
	add("ier=0", wr(IER, 0), 0)
	add("ier=2", wr(IER, 2), 0)
	add("c.pend.after.edge", pending, 0x400)
	add("c.iir", rd(IIR), 0xc2)
	add("c.pend.after.iir.ack(line low)", pending, 0x400)
	add("c.claim.spurious", doClaim, 10)
	add("complete", doComplete, 0)
	add("ier=3", wr(IER, 3), 0)
	add("d.pend.before", pending, 0)
	add("thr", wr(RBR, '!'), 0)
	add("d.pend.after.thr", pending, 0x400)
	add("d.claim", doClaim, 10)
	add("thr", wr(RBR, '?'), 0)
	add("d.pend.after.thr.inservice", pending, 0x400)
	add("complete", doComplete, 0)
	add("d.pend.after.complete", pending, 0x400)
	add("d.claim2", doClaim, 10)
	add("complete", doComplete, 0)
	add("d.pend.end", pending, 0)
	add("e.pend.before.rx", pending, 0)
	add("receive", func() uint64 { u.Receive('x'); return 0 }, 0)
	add("e.pend.after.rx", pending, 0x400)
	add("e.claim", doClaim, 10)
	add("e.rbr", rd(RBR), 'x')
	add("e.pend.after.rbr.inservice", pending, 0x400)
	add("complete", doComplete, 0)
	add("e.pend.after.complete", pending, 0x400)
	add("e.claim2", doClaim, 10)
	for i, s := range steps {
		assert.Equal(t, s.want, s.do(), "step %d: %s", i, s.name)
	}
}
