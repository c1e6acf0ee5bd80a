package plic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

// The virt board: riscv,ndev 96 (lines 1..95 usable), 2 harts (contexts 0..3).
func newVirt(t *testing.T) (*PLIC, []*bus.IRQ) {
	t.Helper()
	p := New(96, 4)
	lines := make([]*bus.IRQ, 96)
	for id := 1; id <= 95; id++ {
		lines[id] = &bus.IRQ{}
		lines[id].Connect(p.Input(id))
	}
	return p, lines
}

func priorityReg(id int) uint64     { return PriorityBase + 4*uint64(id) }
func enableReg(ctx, w int) uint64   { return EnableBase + EnableStride*uint64(ctx) + 4*uint64(w) }
func thresholdReg(ctx int) uint64   { return ContextBase + ContextStride*uint64(ctx) }
func claimReg(ctx int) uint64       { return thresholdReg(ctx) + ClaimOffset }
func claim(p *PLIC, ctx int) int    { return int(p.Read(claimReg(ctx), 4)) }
func complete(p *PLIC, ctx, id int) { p.Write(claimReg(ctx), 4, uint64(id)) }

// enable turns on source id for ctx with the given priority.
func enable(p *PLIC, ctx, id int, prio uint64) {
	p.Write(priorityReg(id), 4, prio)
	w := uint64(id / 32)
	p.Write(enableReg(ctx, int(w)), 4, p.Read(enableReg(ctx, int(w)), 4)|1<<(id%32))
}

func TestResetValues(t *testing.T) {
	p, _ := newVirt(t)
	for id := 1; id <= 95; id++ {
		assert.Zero(t, p.Read(priorityReg(id), 4))
	}
	for w := 0; w < 3; w++ {
		assert.Zero(t, p.Read(PendingBase+4*uint64(w), 4))
		for ctx := 0; ctx < 4; ctx++ {
			assert.Zero(t, p.Read(enableReg(ctx, w), 4))
		}
	}
	for ctx := 0; ctx < 4; ctx++ {
		assert.Zero(t, p.Read(thresholdReg(ctx), 4))
		assert.Zero(t, claim(p, ctx))
		assert.False(t, p.Output(ctx).Level())
	}
	assert.Equal(t, uint64(0x204000), p.Size())
}

func TestRegisterMasks(t *testing.T) {
	p, _ := newVirt(t)
	tests := []struct {
		name        string
		offset      uint64
		write, read uint64
	}{
		{"priority is 3 bits", priorityReg(10), 0xffffffff, 7},
		{"priority source 95", priorityReg(95), 5, 5},
		{"source 0 has no priority", priorityReg(0), 7, 0},
		{"source 96 has a priority, as on QEMU", priorityReg(96), 3, 3},
		{"source 97 does not exist", priorityReg(97), 7, 0},
		{"enable bits are all writable, as on QEMU", enableReg(1, 0), 0xffffffff, 0xffffffff},
		{"enable word 2", enableReg(1, 2), 0xffffffff, 0xffffffff},
		{"enable word 3 does not exist", enableReg(1, 3), 0xffffffff, 0},
		{"pending word 3 does not exist", PendingBase + 12, 0, 0},
		{"threshold is 3 bits", thresholdReg(3), 0xff, 7},
		{"no fifth context", thresholdReg(4), 1, 0},
		{"pending is read-only", PendingBase, 0xffffffff, 0},
		{"gap after claim", thresholdReg(0) + 8, 1, 0},
		{"misaligned", priorityReg(1) + 1, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p.Write(tc.offset, 4, tc.write)
			assert.Equal(t, tc.read, p.Read(tc.offset, 4))
		})
	}
}

func TestNarrowAndWideAccesses(t *testing.T) {
	p, _ := newVirt(t)
	p.Write(priorityReg(2), 1, 5)
	assert.Zero(t, p.Read(priorityReg(2), 4), "byte writes are ignored")
	p.Write(priorityReg(2), 8, 3|6<<32)
	assert.Equal(t, uint64(3), p.Read(priorityReg(2), 4))
	assert.Equal(t, uint64(6), p.Read(priorityReg(3), 4))
	assert.Equal(t, uint64(3|6<<32), p.Read(priorityReg(2), 8))
	assert.Zero(t, p.Read(priorityReg(2), 2))
}

// pulse re-asserts a line that may already be high, as a device does to
// ask for another interrupt.
func pulse(l *bus.IRQ) {
	l.Set(false)
	l.Set(true)
}

func TestClaimComplete(t *testing.T) {
	p, lines := newVirt(t)
	const s = 1 // hart 0 S-mode context
	enable(p, s, 10, 1)

	lines[10].Set(true)
	assert.True(t, p.Pending(10))
	assert.Equal(t, uint64(1<<10), p.Read(PendingBase, 4))
	assert.True(t, p.Output(s).Level())
	assert.False(t, p.Output(0).Level(), "not enabled for the M context")

	require.Equal(t, 10, claim(p, s))
	assert.False(t, p.Pending(10), "claim clears pending")
	assert.False(t, p.Output(s).Level())
	assert.Zero(t, claim(p, s), "in service: nothing more to claim")

	// Line still high at completion, but no new edge: nothing pends.
	complete(p, s, 10)
	assert.False(t, p.Pending(10))
	assert.False(t, p.Output(s).Level())
	assert.Zero(t, claim(p, s))

	// A re-assertion is a new request.
	pulse(lines[10])
	assert.True(t, p.Output(s).Level())
	require.Equal(t, 10, claim(p, s))

	// A re-assertion while in service latches, and waits for completion.
	pulse(lines[10])
	assert.True(t, p.Pending(10))
	assert.False(t, p.Output(s).Level(), "in service")
	assert.Zero(t, claim(p, s))
	complete(p, s, 10)
	assert.True(t, p.Output(s).Level())
	require.Equal(t, 10, claim(p, s))
	lines[10].Set(false)
	complete(p, s, 10)
	assert.False(t, p.Output(s).Level())
	assert.Zero(t, claim(p, s))
}

func TestLineDropsBeforeClaim(t *testing.T) {
	p, lines := newVirt(t)
	enable(p, 1, 1, 1)
	lines[1].Set(true)
	lines[1].Set(false)
	assert.True(t, p.Pending(1), "a request stays latched when the line falls")
	assert.True(t, p.Output(1).Level())
	assert.Equal(t, 1, claim(p, 1), "and is claimed anyway, as on QEMU")
	assert.False(t, p.Output(1).Level())
}

func TestConnectToHighLine(t *testing.T) {
	p := New(95, 2)
	var l bus.IRQ
	l.Set(true)
	l.Connect(p.Input(5))
	assert.True(t, p.Pending(5), "wiring a line that is already high is an edge")
}

func TestPriorityOrderAndTies(t *testing.T) {
	p, lines := newVirt(t)
	const ctx = 3
	enable(p, ctx, 1, 2)
	enable(p, ctx, 10, 5)
	enable(p, ctx, 40, 5)
	enable(p, ctx, 33, 7)
	for _, id := range []int{1, 10, 40, 33} {
		lines[id].Set(true)
	}
	assert.Equal(t, uint64(1<<1|1<<10), p.Read(PendingBase, 4))
	assert.Equal(t, uint64(1<<1|1<<8), p.Read(PendingBase+4, 4))
	got := []int{claim(p, ctx), claim(p, ctx), claim(p, ctx), claim(p, ctx), claim(p, ctx)}
	assert.Equal(t, []int{33, 10, 40, 1, 0}, got, "highest priority first, lowest id on ties")
}

func TestThreshold(t *testing.T) {
	p, lines := newVirt(t)
	enable(p, 1, 5, 3)
	lines[5].Set(true)
	p.Write(thresholdReg(1), 4, 3)
	assert.False(t, p.Output(1).Level(), "priority must exceed the threshold")
	assert.Zero(t, claim(p, 1), "claim honours the threshold, as QEMU does")
	assert.True(t, p.Pending(5))

	p.Write(thresholdReg(1), 4, 2)
	assert.True(t, p.Output(1).Level())
	assert.Equal(t, 5, claim(p, 1))
}

func TestPriorityZeroNeverInterrupts(t *testing.T) {
	p, lines := newVirt(t)
	enable(p, 1, 7, 0)
	lines[7].Set(true)
	assert.True(t, p.Pending(7))
	assert.False(t, p.Output(1).Level())
	assert.Zero(t, claim(p, 1))
	p.Write(priorityReg(7), 4, 1)
	assert.True(t, p.Output(1).Level(), "raising the priority re-evaluates the output")
}

func TestTwoContextsShareASource(t *testing.T) {
	p, lines := newVirt(t)
	enable(p, 1, 10, 1)
	enable(p, 3, 10, 1)
	lines[10].Set(true)
	assert.True(t, p.Output(1).Level())
	assert.True(t, p.Output(3).Level())
	require.Equal(t, 10, claim(p, 3))
	assert.False(t, p.Output(1).Level(), "claimed by the other hart")
	assert.Zero(t, claim(p, 1))
}

func TestCompleteRules(t *testing.T) {
	p, lines := newVirt(t)
	enable(p, 1, 10, 1)
	lines[10].Set(true)
	require.Equal(t, 10, claim(p, 1))
	pulse(lines[10]) // pending again, waiting for the end of service

	complete(p, 0, 10) // not enabled for context 0: ignored
	assert.False(t, p.Output(1).Level(), "still in service")
	complete(p, 1, 0)
	complete(p, 1, 96)
	complete(p, 1, 1<<31)
	complete(p, 1, 11) // enabled for nobody, not in service
	assert.False(t, p.Output(1).Level())

	complete(p, 1, 10)
	assert.True(t, p.Output(1).Level())
}

func TestEnableChangeUpdatesOutput(t *testing.T) {
	p, lines := newVirt(t)
	p.Write(priorityReg(1), 4, 1)
	lines[1].Set(true)
	assert.False(t, p.Output(1).Level())
	p.Write(enableReg(1, 0), 4, 2)
	assert.True(t, p.Output(1).Level())
	p.Write(enableReg(1, 0), 4, 0)
	assert.False(t, p.Output(1).Level())
}

func TestGeometryChecks(t *testing.T) {
	assert.Panics(t, func() { New(0, 1) })
	assert.Panics(t, func() { New(MaxSources+1, 1) })
	assert.Panics(t, func() { New(10, 0) })
	p := New(MaxSources, 1)
	assert.NotNil(t, p.Input(MaxSources))
	assert.Panics(t, func() { p.Input(0) })
	assert.Panics(t, func() { p.Input(MaxSources + 1) })
	v := New(96, 1)
	assert.NotNil(t, v.Input(95))
	assert.Panics(t, func() { v.Input(96) }, "no enable or pending bit for it")
}

// An xv6 boot: enable uart and virtio on hart 0's S context, set the
// threshold to 0, and service both.
func TestXv6Sequence(t *testing.T) {
	p, lines := newVirt(t)
	p.Write(priorityReg(10), 4, 1)
	p.Write(priorityReg(1), 4, 1)
	p.Write(0x2080, 4, 1<<10|1<<1) // PLIC_SENABLE(0)
	p.Write(0x201000, 4, 0)        // PLIC_SPRIORITY(0)
	lines[1].Set(true)
	lines[10].Set(true)
	assert.True(t, p.Output(1).Level())
	irq := int(p.Read(0x201004, 4)) // PLIC_SCLAIM(0)
	assert.Equal(t, 1, irq)
	lines[1].Set(false) // virtio_disk_intr acks the device
	p.Write(0x201004, 4, uint64(irq))
	assert.Equal(t, 10, int(p.Read(0x201004, 4)))
	lines[10].Set(false)
	p.Write(0x201004, 4, 10)
	assert.False(t, p.Output(1).Level())
}
