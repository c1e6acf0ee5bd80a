package rv64

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/sv39"
)

// This file owns the A extension: LR/SC with a one-address reservation and
// the AMOs. They must be naturally aligned (a misaligned one raises an
// address-misaligned exception); LR faults as a load, SC and AMOs as stores.
// For spin detection, SC and AMOs that change memory are effects; LR is a
// load (only SC reads the reservation it leaves).

func (h *Hart) atomic(in *insn) bool {
	h.countAtomic(in)
	va := h.x[in.rs1]
	size := uint64(in.size)
	if in.op >= opAMOSWAP && va&(size-1) == 0 {
		// An AMO on a page the store TLB maps (a spinlock's
		// test-and-set): that page is RAM, readable and writable, and the
		// aligned word is inside it.
		if r, ok := h.tlb.store.Lookup(va); ok {
			return h.amoRAM(in, r, size)
		}
	}
	acc, misaligned, accessFault := sv39.Store, uint64(excStoreMisaligned), uint64(excStoreAccess)
	if in.op == opLR {
		acc, misaligned, accessFault = sv39.Load, excLoadMisaligned, excLoadAccess
	}
	if va&(size-1) != 0 {
		h.exception(misaligned, va)
		return false
	}
	pa, ok := h.atomicAddress(va, acc)
	if !ok {
		return false
	}
	if in.op == opSC {
		h.effects++
		success := h.reserved && h.reservation == pa
		h.reserved = false
		if success && !h.physStore(pa, size, h.x[in.rs2]) {
			h.exception(accessFault, va)
			return false
		}
		h.x[in.rd] = b2u(!success)
		return true
	}
	old, ok := h.physLoad(pa, size)
	if !ok {
		h.exception(accessFault, va)
		return false
	}
	if size == 4 {
		old = sext32(old)
	}
	if in.op == opLR {
		h.reservation, h.reserved = pa, true
		h.x[in.rd] = old
		return true
	}
	v := amoResult(in.op, old, h.x[in.rs2], size)
	if (v^old)<<(64-8*size) != 0 {
		// An AMO that leaves memory as it was (a test-and-set on a
		// held lock) is no effect, so spinning on one is detected.
		h.effects++
		if in.op == opAMOADD && in.rd == zeroSink {
			h.tallies++
			h.tally = tally{pa: pa, add: h.x[in.rs2], size: size}
		}
	}
	if !h.physStore(pa, size, v) {
		h.exception(accessFault, va)
		return false
	}
	h.x[in.rd] = old
	return true
}

// amoRAM performs AMO in on the aligned value at RAM index r, as atomic
// does through physLoad and physStore.
func (h *Hart) amoRAM(in *insn, r, size uint64) bool {
	var old uint64
	if size == 4 {
		old = sext32(uint64(binary.LittleEndian.Uint32(h.ram[r:])))
	} else {
		old = binary.LittleEndian.Uint64(h.ram[r:])
	}
	v := amoResult(in.op, old, h.x[in.rs2], size)
	if (v^old)<<(64-8*size) != 0 {
		h.effects++
		if in.op == opAMOADD && in.rd == zeroSink {
			h.tallies++
			h.tally = tally{pa: h.ramBase + r, add: h.x[in.rs2], size: size}
		}
	}
	h.storeRAM(r, size, v)
	h.x[in.rd] = old
	return true
}

// atomicAddress translates an atomic's address, through the TLB when it
// can: a spinlock's test-and-set must not walk the page table every time,
// both for speed and because a walk counts as an effect for spin detection.
// A store-TLB hit implies the page is readable and writable, which is what
// SC and AMOs need; LR needs only a load-TLB hit.
func (h *Hart) atomicAddress(va uint64, acc sv39.Access) (uint64, bool) {
	tlb := &h.tlb.store
	if acc == sv39.Load {
		tlb = &h.tlb.load
	}
	if i, ok := tlb.Lookup(va); ok {
		return h.ramBase + i, true
	}
	pa, cause, ok := h.translate(va, acc)
	if !ok {
		h.exception(cause, va)
		return 0, false
	}
	if idx, ok := h.ramIndex(pa, 8); ok {
		tlb.Insert(va, idx&^pageMask)
	}
	return pa, true
}

// amoResult computes the value an AMO stores. For word AMOs old is
// sign-extended and the operands compare as 32-bit values.
func amoResult(o op, old, src, size uint64) uint64 {
	if size == 4 {
		src = sext32(src)
	}
	switch o {
	case opAMOSWAP:
		return src
	case opAMOADD:
		return old + src
	case opAMOXOR:
		return old ^ src
	case opAMOAND:
		return old & src
	case opAMOOR:
		return old | src
	case opAMOMIN:
		if int64(src) < int64(old) {
			return src
		}
	case opAMOMAX:
		if int64(src) > int64(old) {
			return src
		}
	case opAMOMINU:
		if lessUnsigned(src, old, size) {
			return src
		}
	case opAMOMAXU:
		if lessUnsigned(old, src, size) {
			return src
		}
	}
	return old
}

func lessUnsigned(a, b, size uint64) bool {
	if size == 4 {
		return uint32(a) < uint32(b)
	}
	return a < b
}

// physLoad reads an aligned value at a physical address.
func (h *Hart) physLoad(pa, size uint64) (uint64, bool) {
	if idx, ok := h.ramIndex(pa, size); ok {
		return bus.ReadLE(h.ram[idx:], int(size)), true
	}
	h.checkInt = true
	h.effects++
	return h.bus.Load(pa, int(size))
}

// physStore writes an aligned value at a physical address.
func (h *Hart) physStore(pa, size, v uint64) bool {
	if idx, ok := h.ramIndex(pa, size); ok {
		h.storeRAM(idx, size, v)
		return true
	}
	h.checkInt = true
	h.effects++
	return h.bus.Store(pa, int(size), v)
}
