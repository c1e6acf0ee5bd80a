package rv64

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cycles found at one anchor state with memory as it was at different
// times share one state id, so refindCycle compares the hart's state
// with it once; a cycle at another state gets an id of its own, and the
// comparison still tells them apart.
func TestKnownCyclesShareTheirAnchorState(t *testing.T) {
	h := newCycleHart(t, noisyScan...)
	h.Run(cycleQuota)
	require.True(t, h.Spinning(), "found")
	for v := uint32(1); v <= 3; v++ {
		setWord(t, h, dataOff+8, v)
		graceRuns(h)
		h.Run(cycleQuota)
		require.True(t, h.Spinning(), "found with noise %d", v)
	}
	c := &h.cyc
	var states []uint32
	for _, k := range c.known {
		if k.ok {
			states = append(states, k.state)
		}
	}
	require.Len(t, states, 4)
	for _, s := range states {
		assert.Equal(t, states[0], s, "one anchor state")
	}
	assert.NotZero(t, states[0])

	// The same cycle at another state (a register the scan does not use
	// differs) is another entry with its own id, and the hart, in the
	// first state, is at the first but not at the second.
	other := c.known[0]
	other.regs[a0] ^= 1
	require.Equal(t, 4, c.nextKnown)
	c.anchor, c.priv, c.regs, c.csr, c.f = other.anchor, other.priv, other.regs, other.csr, other.f
	c.nreads, c.nwrites = 0, 0
	h.rememberCycle()
	assert.NotEqual(t, states[0], c.known[4].state, "a state of its own")
	assert.NotZero(t, c.known[4].state)

	var at atKnown
	assert.True(t, at.state(h, &c.known[0]))
	assert.False(t, at.state(h, &c.known[4]))
	assert.True(t, at.state(h, &c.known[1]), "the first state again")
}
