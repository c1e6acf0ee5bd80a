package sv39

// TLBSize is the number of entries in one TLB (a power of two).
const TLBSize = 256

// invalidTag can never equal va>>12 for a 64-bit va, so it marks an empty
// entry without a separate valid bit.
const invalidTag = ^uint64(0)

// TLBEntry maps one 4 KiB virtual page to RAM. Delta is the offset from the
// virtual address to the index in the bus RAM slice, so a hit costs one
// compare and one add.
type TLBEntry struct {
	Tag   uint64 // va >> 12, or invalidTag
	Delta uint64 // ramIndex = va + Delta (mod 2^64)
}

// TLB is a direct-mapped cache of translations that end in RAM, valid for
// one translation context (privilege, satp, mstatus bits). Only successful
// translations are cached; a miss falls back to a walk.
type TLB struct {
	e [TLBSize]TLBEntry
}

// NewTLB returns an empty TLB.
func NewTLB() *TLB {
	t := &TLB{}
	t.Flush()
	return t
}

// Lookup returns the RAM index of va if its page is cached.
func (t *TLB) Lookup(va uint64) (ramIndex uint64, ok bool) {
	vpn := va >> pageShift
	e := &t.e[vpn&(TLBSize-1)]
	if e.Tag != vpn {
		return 0, false
	}
	return va + e.Delta, true
}

// Insert caches the translation of va's page to the RAM page starting at
// RAM index ramPage (a multiple of 4096).
func (t *TLB) Insert(va, ramPage uint64) {
	vpn := va >> pageShift
	t.e[vpn&(TLBSize-1)] = TLBEntry{Tag: vpn, Delta: ramPage - vpn<<pageShift}
}

// Flush empties the TLB.
func (t *TLB) Flush() {
	for i := range t.e {
		t.e[i].Tag = invalidTag
	}
}

// FlushPage drops the entry for va's page, if cached.
func (t *TLB) FlushPage(va uint64) {
	vpn := va >> pageShift
	if e := &t.e[vpn&(TLBSize-1)]; e.Tag == vpn {
		e.Tag = invalidTag
	}
}
