package rv64

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/sv39"
)

// This file owns the hart's view of memory: address translation, the slow
// paths behind the TLB fast path, misaligned accesses, and instruction fetch.

const pageMask = bus.PageSize - 1

var (
	pageFaultCause   = [3]uint64{excInsnPageFault, excLoadPageFault, excStorePageFault}
	accessFaultCause = [3]uint64{excInsnAccess, excLoadAccess, excStoreAccess}
)

// dataPriv is the privilege loads and stores are checked against: MPP when
// M-mode has set MPRV.
func (h *Hart) dataPriv() uint8 {
	if h.priv == PrivM && h.csr.mstatus&mstatusMPRV != 0 {
		return uint8(h.csr.mstatus >> mstatusMPPShift & 3)
	}
	return h.priv
}

// translate maps va to a physical address. On failure it returns the
// exception cause to raise (with va, or the faulting part of it, as tval).
func (h *Hart) translate(va uint64, acc sv39.Access) (pa, cause uint64, ok bool) {
	priv := h.priv
	if acc != sv39.Fetch {
		priv = h.dataPriv()
	}
	if priv == PrivM || h.csr.satp>>60 == sv39.ModeBare {
		return va, 0, true
	}
	ctx := sv39.Context{
		Satp: h.csr.satp,
		Priv: priv,
		SUM:  h.csr.mstatus&mstatusSUM != 0,
		MXR:  h.csr.mstatus&mstatusMXR != 0,
	}
	h.effects++ // the walk may set A and D bits
	pa, f := sv39.Walk(h.bus, ctx, va, acc)
	switch f {
	case sv39.PageFault:
		return 0, pageFaultCause[acc], false
	case sv39.AccessFault:
		return 0, accessFaultCause[acc], false
	}
	return pa, 0, true
}

// ramIndex returns the index of physical address pa in RAM if the whole
// access of size bytes is in RAM.
func (h *Hart) ramIndex(pa, size uint64) (uint64, bool) {
	off := pa - h.ramBase
	return off, pa >= h.ramBase && off < uint64(len(h.ram)) && uint64(len(h.ram))-off >= size
}

// crossesPage reports whether an access of size bytes at va spans two pages.
func crossesPage(va, size uint64) bool { return va&pageMask > bus.PageSize-size }

// load reads size bytes at va (zero-extended), raising an exception and
// returning ok=false on failure. It is the slow path behind the load TLB.
func (h *Hart) load(va, size uint64) (uint64, bool) {
	if crossesPage(va, size) {
		return h.loadSplit(va, size)
	}
	pa, cause, ok := h.translate(va, sv39.Load)
	if !ok {
		h.exception(cause, va)
		return 0, false
	}
	if idx, ok := h.ramIndex(pa, size); ok {
		h.tlb.load.Insert(va, idx&^pageMask)
		return bus.ReadLE(h.ram[idx:], int(size)), true
	}
	h.effects++ // a device read can change the device
	v, ok := h.bus.Load(pa, int(size))
	if !ok {
		h.exception(excLoadAccess, va)
		return 0, false
	}
	h.checkInt = true // a device read can change interrupt lines
	return v, true
}

// store writes size bytes of v at va; the slow path behind the store TLB.
func (h *Hart) store(va, size, v uint64) bool {
	if crossesPage(va, size) {
		return h.storeSplit(va, size, v)
	}
	pa, cause, ok := h.translate(va, sv39.Store)
	if !ok {
		h.exception(cause, va)
		return false
	}
	if idx, ok := h.ramIndex(pa, size); ok {
		h.tlb.store.Insert(va, idx&^pageMask)
		h.storeRAM(idx, size, v)
		return true
	}
	h.effects++
	if !h.bus.Store(pa, int(size), v) {
		h.exception(excStoreAccess, va)
		return false
	}
	h.checkInt = true
	return true
}

// storeRAM writes to RAM index idx, dropping decoded code on that page
// and counting a write to a page table in use (see bus.PageTableWrites).
// Filling an empty PTE is not such a write: no TLB holds a translation
// from an invalid entry, so sfence.vma may keep them all. (A kernel that
// grows a process maps pages into a page table it walks all the time;
// MIT usertests' countfree does that 32K times in a row.)
func (h *Hart) storeRAM(idx, size, v uint64) {
	if m := h.code[idx>>12]; m != 0 {
		fillsEmptyPTE := m == bus.MarkPageTable && size == 8 && idx&7 == 0 && h.ram[idx]&sv39.PteV == 0
		if !fillsEmptyPTE {
			h.bus.CodeWritten(idx >> 12)
		}
	}
	bus.WriteLE(h.ram[idx:], int(size), v)
}

// read loads size bytes at va through the load TLB (for FP loads).
func (h *Hart) read(va, size uint64) (uint64, bool) {
	if i, ok := h.tlb.load.Lookup(va); ok && !crossesPage(va, size) {
		return bus.ReadLE(h.ram[i:], int(size)), true
	}
	return h.load(va, size)
}

// write stores size bytes of v at va through the store TLB.
func (h *Hart) write(va, size, v uint64) bool {
	if i, ok := h.tlb.store.Lookup(va); ok && !crossesPage(va, size) {
		h.storeRAM(i, size, v)
		return true
	}
	return h.store(va, size, v)
}

// splitPages translates both pages of a page-crossing access. Nothing is
// accessed until both translations succeed.
func (h *Hart) splitPages(va uint64, acc sv39.Access) (pa1, pa2 uint64, ok bool) {
	pa1, cause, ok := h.translate(va, acc)
	if !ok {
		h.exception(cause, va)
		return 0, 0, false
	}
	second := va&^pageMask + bus.PageSize
	pa2, cause, ok = h.translate(second, acc)
	if !ok {
		h.exception(cause, second)
		return 0, 0, false
	}
	return pa1, pa2, true
}

// loadSplit performs a load that crosses a page boundary, byte by byte.
func (h *Hart) loadSplit(va, size uint64) (uint64, bool) {
	pa1, pa2, ok := h.splitPages(va, sv39.Load)
	if !ok {
		return 0, false
	}
	h.effects++ // it goes through the bus, maybe to a device
	first := bus.PageSize - va&pageMask
	var v uint64
	for i := uint64(0); i < size; i++ {
		pa := pa1 + i
		if i >= first {
			pa = pa2 + i - first
		}
		b, ok := h.bus.Load(pa, 1)
		if !ok {
			h.exception(excLoadAccess, va)
			return 0, false
		}
		v |= b << (8 * i)
	}
	return v, true
}

// storeSplit performs a store that crosses a page boundary, byte by byte,
// after checking that every byte is writable.
func (h *Hart) storeSplit(va, size, v uint64) bool {
	pa1, pa2, ok := h.splitPages(va, sv39.Store)
	if !ok {
		return false
	}
	first := bus.PageSize - va&pageMask
	addr := func(i uint64) uint64 {
		if i >= first {
			return pa2 + i - first
		}
		return pa1 + i
	}
	for i := uint64(0); i < size; i++ {
		if !h.bus.IsRAM(addr(i), 1) {
			if _, mapped := h.bus.Load(addr(i), 1); !mapped {
				h.exception(excStoreAccess, va)
				return false
			}
		}
	}
	for i := uint64(0); i < size; i++ {
		h.bus.Store(addr(i), 1, v>>(8*i))
	}
	return true
}

// fetch returns the decoded instruction at pc, or nil if fetching it
// raised an exception (the hart is then at the handler).
func (h *Hart) fetch() *insn {
	c := &h.icache
	pc := h.pc
	if pc>>12 == c.fetchVPN {
		in := &c.fetchPage.slots[pc&pageMask>>1]
		if in.op != opNone {
			return in
		}
		return h.decodeSlot(in, c.fetchBase, pc)
	}
	return h.fetchSlow(pc)
}

// fetchSlow switches the fetch page to the one holding pc.
func (h *Hart) fetchSlow(pc uint64) *insn {
	c := &h.icache
	if h.guards != nil && h.guarded(pc) {
		h.guardStop = true
		return nil
	}
	if pc>>12 == c.prevVPN {
		c.switchFetchPage(c.prevVPN, c.prevBase, c.prevPage)
		in := &c.fetchPage.slots[pc&pageMask>>1]
		if in.op != opNone {
			return in
		}
		return h.decodeSlot(in, c.fetchBase, pc)
	}
	idx, ok := h.tlb.fetch.Lookup(pc)
	if !ok {
		pa, cause, ok := h.translate(pc, sv39.Fetch)
		if !ok {
			h.exception(cause, pc)
			return nil
		}
		i, inRAM := h.ramIndex(pa, 2)
		if !inRAM {
			return h.fetchDevice(pc, pa)
		}
		idx = i
		h.tlb.fetch.Insert(pc, idx&^pageMask)
	}
	base := idx &^ pageMask
	c.switchFetchPage(pc>>12, base, c.page(base>>12, h.code))
	in := &c.fetchPage.slots[pc&pageMask>>1]
	if in.op != opNone {
		return in
	}
	return h.decodeSlot(in, base, pc)
}

// decodeSlot decodes the instruction at pc (on the RAM page at index base)
// into its cache slot. An instruction whose second half is on the next page
// is decoded into a scratch insn instead, since that half may change
// independently.
func (h *Hart) decodeSlot(in *insn, base, pc uint64) *insn {
	off := pc & pageMask
	lo := uint32(binary.LittleEndian.Uint16(h.ram[base+off:]))
	if lo&3 != 3 {
		*in = decode(lo)
		return in
	}
	if off+4 <= bus.PageSize {
		*in = decode(binary.LittleEndian.Uint32(h.ram[base+off:]))
		return in
	}
	next := pc + 2
	pa, cause, ok := h.translate(next, sv39.Fetch)
	if !ok {
		h.exception(cause, next)
		return nil
	}
	if !h.bus.IsRAM(pa, 2) {
		h.effects++ // a device read
	}
	hi, ok := h.bus.Load(pa, 2)
	if !ok {
		h.exception(excInsnAccess, next)
		return nil
	}
	h.scratch[0] = decode(lo | uint32(hi)<<16)
	return &h.scratch[0]
}

// fetchDevice fetches from a device region, uncached.
func (h *Hart) fetchDevice(pc, pa uint64) *insn {
	h.effects++
	lo, ok := h.bus.Load(pa, 2)
	if !ok {
		h.exception(excInsnAccess, pc)
		return nil
	}
	raw := uint32(lo)
	if raw&3 == 3 {
		hi, ok := h.bus.Load(pa+2, 2)
		if !ok {
			h.exception(excInsnAccess, pc+2)
			return nil
		}
		raw |= uint32(hi) << 16
	}
	h.scratch[0] = decode(raw)
	return &h.scratch[0]
}
