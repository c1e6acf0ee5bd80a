package rv64

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A three-level Sv39 table in test RAM that maps one virtual page, for
// checking that translations survive exactly as long as they may.
const (
	ctxRoot  = 0x10000 // RAM offsets of the root, level-1 and leaf tables
	ctxL1    = 0x11000
	ctxL0    = 0x12000
	ctxRoot2 = 0x13000 // a second address space sharing the lower levels
	ctxPageA = 0x20000 // two data pages the virtual page can map to
	ctxPageB = 0x21000
	ctxVA    = 0x1000
)

func pteTo(off uint64, leaf bool) uint64 {
	pte := (testBase+off)>>12<<10 | 1 // V
	if leaf {
		pte |= 1<<1 | 1<<2 | 1<<6 | 1<<7 // R W A D
	}
	return pte
}

// newContextHart returns a hart in S-mode under the first address space,
// with ctxVA mapped to page A (which holds 0xA) and page B holding 0xB.
func newContextHart(t *testing.T) *Hart {
	t.Helper()
	h, _, _ := newTestHart(t)
	ram := h.ram
	binary.LittleEndian.PutUint64(ram[ctxRoot:], pteTo(ctxL1, false))
	binary.LittleEndian.PutUint64(ram[ctxRoot2:], pteTo(ctxL1, false))
	binary.LittleEndian.PutUint64(ram[ctxL1:], pteTo(ctxL0, false))
	binary.LittleEndian.PutUint64(ram[ctxL0+8*(ctxVA>>12):], pteTo(ctxPageA, true))
	binary.LittleEndian.PutUint64(ram[ctxPageA:], 0xA)
	binary.LittleEndian.PutUint64(ram[ctxPageB:], 0xB)
	h.setPriv(PrivS)
	setSatp(t, h, ctxRoot)
	return h
}

func setSatp(t *testing.T, h *Hart, root uint64) {
	t.Helper()
	require.True(t, h.writeCSR(csrSatp, 8<<60|(testBase+root)>>12))
}

func loadVA(t *testing.T, h *Hart) uint64 {
	t.Helper()
	v, ok := h.read(ctxVA, 8) // through the TLB, as the interpreter loads
	require.True(t, ok, "the load faulted")
	return v
}

func cached(h *Hart) bool {
	_, ok := h.tlb.load.Lookup(ctxVA)
	return ok
}

// The leaf PTE's RAM offset, and its new value mapping page B.
var (
	leafOff = uint64(ctxL0 + 8*(ctxVA>>12))
	leafToB = pteTo(ctxPageB, true)
)

func TestSfenceWithoutPageTableWritesKeepsTranslations(t *testing.T) {
	h := newContextHart(t)
	assert.Equal(t, uint64(0xA), loadVA(t, h))
	require.True(t, cached(h))
	h.sfence()
	assert.True(t, cached(h), "nothing a walk read has changed")
}

func TestPageTableWriteBySelfIsSeenAfterSfence(t *testing.T) {
	h := newContextHart(t)
	assert.Equal(t, uint64(0xA), loadVA(t, h))

	// The kernel remaps the page with a store through its own mapping
	// (bare M-mode here), then fences.
	h.setPriv(PrivM)
	require.True(t, h.store(testBase+leafOff, 8, leafToB))
	h.setPriv(PrivS)
	h.sfence()
	assert.Equal(t, uint64(0xB), loadVA(t, h))
}

func TestPageTableWriteByAnotherAgentIsSeenAfterSfence(t *testing.T) {
	h := newContextHart(t)
	assert.Equal(t, uint64(0xA), loadVA(t, h))

	var pte [8]byte
	binary.LittleEndian.PutUint64(pte[:], leafToB)
	require.NoError(t, h.bus.WriteRAM(testBase+leafOff, pte[:])) // another hart or DMA
	h.sfence()
	assert.Equal(t, uint64(0xB), loadVA(t, h))
}

func TestContextsKeepTheirTranslations(t *testing.T) {
	h := newContextHart(t)
	loadVA(t, h)
	first := h.tlb

	setSatp(t, h, ctxRoot2)
	assert.NotSame(t, first, h.tlb, "another address space, another set")
	assert.False(t, cached(h))
	loadVA(t, h)

	setSatp(t, h, ctxRoot)
	assert.Same(t, first, h.tlb)
	assert.True(t, cached(h), "switching back costs no walk")

	h.setPriv(PrivU)
	assert.False(t, cached(h), "U-mode has a set of its own")
}

// A page-table write made while another context is active empties that
// context's set before it is used again, once a fence has been executed.
func TestFenceEmptiesInactiveContexts(t *testing.T) {
	h := newContextHart(t)
	assert.Equal(t, uint64(0xA), loadVA(t, h))

	setSatp(t, h, ctxRoot2) // shares the leaf table
	var pte [8]byte
	binary.LittleEndian.PutUint64(pte[:], leafToB)
	require.NoError(t, h.bus.WriteRAM(testBase+leafOff, pte[:]))
	h.sfence()

	setSatp(t, h, ctxRoot)
	assert.Equal(t, uint64(0xB), loadVA(t, h))
}

// Setting A or D during a walk changes no translation, so it does not make
// the next fence drop anything.
func TestWalkerFlagUpdatesAreNotPageTableWrites(t *testing.T) {
	h := newContextHart(t)
	binary.LittleEndian.PutUint64(h.ram[leafOff:], pteTo(ctxPageA, true)&^(1<<6|1<<7))
	writes := h.bus.PageTableWrites
	assert.Equal(t, uint64(0xA), loadVA(t, h))
	assert.True(t, h.store(ctxVA, 8, 0xC))
	assert.Equal(t, writes, h.bus.PageTableWrites)
	assert.NotZero(t, binary.LittleEndian.Uint64(h.ram[leafOff:])&(1<<7), "D set")
	h.sfence()
	assert.True(t, cached(h))
}

// More contexts than sets: the least recently used one is reused, and
// every context still translates correctly.
func TestMoreContextsThanSets(t *testing.T) {
	h := newContextHart(t)
	for i := range 2 * tlbSets {
		h.writeCSR(csrSatp, 8<<60|uint64(i+1)<<44|(testBase+ctxRoot)>>12) // ASIDs
		assert.Equal(t, uint64(0xA), loadVA(t, h))
	}
}

// Mapping a page into an empty PTE of a table in use (a process growing)
// changes no cached translation, so the fence keeps them; the new mapping
// is walked on first use. Changing a valid PTE on the same page afterwards
// still counts.
func TestFillingAnEmptyPTEIsNotAPageTableWrite(t *testing.T) {
	h := newContextHart(t)
	assert.Equal(t, uint64(0xA), loadVA(t, h))
	writes := h.bus.PageTableWrites

	const nextVA = ctxVA + 0x1000
	h.setPriv(PrivM)
	require.True(t, h.store(testBase+leafOff+8, 8, pteTo(ctxPageB, true)))
	h.setPriv(PrivS)
	assert.Equal(t, writes, h.bus.PageTableWrites)
	h.sfence()
	assert.True(t, cached(h), "the old translation survives")
	v, ok := h.read(nextVA, 8)
	require.True(t, ok)
	assert.Equal(t, uint64(0xB), v, "the new mapping is walked")

	h.setPriv(PrivM)
	require.True(t, h.store(testBase+leafOff, 8, leafToB))
	h.setPriv(PrivS)
	assert.NotEqual(t, writes, h.bus.PageTableWrites, "a valid PTE changed")
	h.sfence()
	assert.Equal(t, uint64(0xB), loadVA(t, h))
}
