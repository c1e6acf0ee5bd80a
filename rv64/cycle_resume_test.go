package rv64

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A probe whose iteration is spoiled (the scan found its lock taken by
// another hart, which released it in between) stops single-stepping: the
// hart sniffs at full speed back to the anchor, where the same probe
// starts afresh and finds the cycle.
func TestSpoiledProbeSniffsBackToItsAnchor(t *testing.T) {
	h := newCycleHart(t, mIdleScan...)
	for !h.cyc.probing {
		require.NotZero(t, h.Run(1), "a sniff starts a probe")
	}
	anchor := h.cyc.anchor
	require.Equal(t, uint64(testBase+36), anchor, "at the scan's back edge")

	setWord(t, h, dataOff, 1) // taken elsewhere
	h.Run(cycleQuota)
	require.True(t, h.Spinning(), "waits for the lock")
	require.True(t, h.cyc.probing, "inside the probe")

	setWord(t, h, dataOff, 0) // released: the probe's logs miss that store
	h.Run(3)
	assert.True(t, h.cyc.spoiled, "the iteration is spoiled")
	assert.False(t, h.cyc.probing, "the probe stopped single-stepping")
	assert.True(t, h.cyc.sniffing, "and the hart sniffs its way back")

	n := h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "found")
	assert.Equal(t, anchor, h.PC())
	assert.Less(t, n, uint64(2*len(mIdleScan)), "within the iteration and one more")
	assert.Equal(t, uint64(1), h.cyc.probes, "by the same probe")
	assert.Zero(t, word(h, dataOff), "the lock is free")
}

// When the anchor is not a sniffed edge (the probe re-anchored after a
// trap, say), there is no edge to sniff back to, and the probe goes on
// stepping to the anchor as before.
func TestSpoiledProbeAwayFromAnEdgeKeepsStepping(t *testing.T) {
	h := newCycleHart(t, mIdleScan...)
	for !h.cyc.probing {
		require.NotZero(t, h.Run(1))
	}
	h.cyc.edges = [len(h.cyc.edges)]sniffedEdge{}
	setWord(t, h, dataOff, 1)
	h.Run(cycleQuota)
	require.True(t, h.cyc.probing)
	setWord(t, h, dataOff, 0)
	h.Run(3)
	assert.True(t, h.cyc.probing, "still probing")
	h.Run(cycleQuota)
	assert.True(t, h.Spinning(), "found at the next visit but one")
	assert.Equal(t, uint64(1), h.cyc.probes)
}
