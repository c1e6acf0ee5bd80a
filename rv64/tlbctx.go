package rv64

import (
	"github.com/xv6emu/xv6emu/sv39"
)

// Translation contexts. What a translation depends on besides the address
// is the context: satp, the privilege of fetches and of data accesses, and
// mstatus.SUM/MXR. xv6 switches context at least four times per trap (U to
// S, the trampoline's two satp writes, S back to U) and flushes with
// sfence.vma around each satp write. Clearing the TLBs each time cost more
// than the kernel's own trap path, so the hart keeps a few sets of TLBs,
// one per recent context, and switching context is a pointer change.
//
// Cached translations stay correct without flushing because the hart only
// ever caches what a walk of current memory produced, and the bus counts
// every write to a page a walk read PTEs from (bus.PageTableWrites). An
// sfence.vma with no such write since the last flush can keep everything:
// a fresh walk would give the same answers. After a page-table write, the
// next sfence.vma empties the current set at once and every other set
// before it is next used (flushGen). Between the write and the sfence the
// hart may still use old translations, which the privileged spec allows.

// tlbSets is how many contexts keep their translations: per process, xv6
// uses two (U, and S in the trampoline), plus the kernel's and M-mode's.
const tlbSets = 8

// tlbKey identifies a translation context. For bare translation (M-mode
// without MPRV, or satp in Bare mode) satp does not matter and is zero.
type tlbKey struct {
	satp uint64
	mode uint32 // fetch priv | data priv<<2 | SUM<<4 | MXR<<5 | bare<<6
}

// tlbSet holds the translations of one context, per access kind.
type tlbSet struct {
	key                tlbKey
	fetch, load, store sv39.TLB
	flushGen           uint64 // Hart.flushGen when this set was last emptied
	lastUse            uint64 // for choosing a set to reuse
}

func (s *tlbSet) empty(gen uint64) {
	s.fetch.Flush()
	s.load.Flush()
	s.store.Flush()
	s.flushGen = gen
}

// tlbState is the hart's translation caching.
type tlbState struct {
	sets     [tlbSets]tlbSet
	uses     uint64 // counts context switches, for lastUse
	flushGen uint64 // bumped when every set must be emptied before use
	ptWrites uint64 // bus.PageTableWrites when the sets were last emptied
}

// contextKey is the hart's current translation context.
func (h *Hart) contextKey() tlbKey {
	fetch, data := h.priv, h.dataPriv()
	s := h.csr.mstatus
	k := tlbKey{mode: uint32(fetch) | uint32(data)<<2}
	if s&mstatusSUM != 0 {
		k.mode |= 1 << 4
	}
	if s&mstatusMXR != 0 {
		k.mode |= 1 << 5
	}
	if h.csr.satp>>60 == sv39.ModeBare {
		k.mode |= 1 << 6
	} else {
		k.satp = h.csr.satp
	}
	if fetch == PrivM && data == PrivM {
		k = tlbKey{mode: PrivM | PrivM<<2 | 1<<6} // all bare
	}
	return k
}

// switchTLB makes the TLB set of the current context the active one. It is
// called whenever satp, the privilege level or mstatus's translation bits
// change.
func (h *Hart) switchTLB() {
	k := h.contextKey()
	t := &h.tlbs
	if h.tlb != nil && h.tlb.key == k {
		return
	}
	h.icache.forgetFetchPage()
	t.uses++
	var victim *tlbSet
	for i := range t.sets {
		s := &t.sets[i]
		if s.key == k && s.lastUse != 0 {
			victim = s
			break
		}
		if victim == nil || s.lastUse < victim.lastUse {
			victim = s
		}
	}
	if victim.key != k || victim.lastUse == 0 {
		victim.key = k
		victim.empty(t.flushGen)
	} else if victim.flushGen != t.flushGen {
		victim.empty(t.flushGen)
	}
	victim.lastUse = t.uses
	h.tlb = victim
}

// sfence handles sfence.vma: translations survive unless a page table was
// written since they were cached. (The address and ASID operands only
// narrow what must be dropped; dropping all is always allowed.)
func (h *Hart) sfence() {
	if h.bus.PageTableWrites != h.tlbs.ptWrites {
		h.flushTLB()
	}
}

// flushTLB drops every cached translation of every context, including the
// current fetch page.
func (h *Hart) flushTLB() {
	t := &h.tlbs
	t.ptWrites = h.bus.PageTableWrites
	t.flushGen++
	h.switchTLB()
	h.tlb.empty(t.flushGen)
	h.icache.forgetFetchPage()
}
