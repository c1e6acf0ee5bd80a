// Package sv39 translates RISC-V virtual addresses: the Sv39 page-table
// walk (with hardware A/D updates, as QEMU does) and the small direct-mapped
// TLB a hart keeps per access kind.
//
// The package knows nothing about harts or traps. Walk reports a Fault kind;
// the hart turns it into the exception that matches the access.
package sv39

import "github.com/xv6emu/xv6emu/bus"

// Access is the kind of memory access being translated.
type Access uint8

const (
	Fetch Access = iota
	Load
	Store // stores and AMOs (and SC): they need write permission
)

// Fault is the outcome of a translation.
type Fault uint8

const (
	OK          Fault = iota
	PageFault         // the page tables forbid the access
	AccessFault       // a PTE lies outside anything mapped on the bus
)

// satp fields.
const (
	SatpModeShift = 60
	ModeBare      = 0
	ModeSv39      = 8
	ppnMask       = 1<<44 - 1
)

// PTE bits.
const (
	PteV = 1 << 0
	PteR = 1 << 1
	PteW = 1 << 2
	PteX = 1 << 3
	PteU = 1 << 4
	PteG = 1 << 5
	PteA = 1 << 6
	PteD = 1 << 7
)

const (
	pageShift = 12
	levels    = 3
	vpnBits   = 9
	pteSize   = 8
	// Bits 63:54 of a PTE are reserved (Svnapot/Svpbmt are not implemented)
	// and must be zero.
	pteReservedMask = 0x3FF << 54
)

// Context is what a translation depends on besides the address: the
// effective privilege of the access and the relevant mstatus bits.
type Context struct {
	Satp uint64
	Priv uint8 // 0 = U, 1 = S (M never reaches the walker)
	SUM  bool  // S-mode may access U pages (not fetch them)
	MXR  bool  // loads may read execute-only pages
}

// Canonical reports whether va is a valid Sv39 address: bits 63:39 all equal
// to bit 38.
func Canonical(va uint64) bool {
	top := int64(va) >> 38
	return top == 0 || top == -1
}

// Walk translates va for an access of kind acc under ctx, setting A (and D
// for stores) in the leaf PTE when they are clear. It returns the physical
// address. The caller handles Bare mode and M-mode; Walk assumes Sv39.
// Every page a PTE is read from is marked bus.MarkPageTable, so a later
// write to it shows in bus.PageTableWrites.
func Walk(b *bus.Bus, ctx Context, va uint64, acc Access) (pa uint64, f Fault) {
	if !Canonical(va) {
		return 0, PageFault
	}
	table := (ctx.Satp & ppnMask) << pageShift
	for level := levels - 1; level >= 0; level-- {
		shift := pageShift + uint(level)*vpnBits
		pteAddr := table + (va>>shift&(1<<vpnBits-1))*pteSize
		pte, ok := b.Load(pteAddr, pteSize)
		if !ok {
			return 0, AccessFault
		}
		// A write to this page from now on may change what the caller
		// caches; the bus counts such writes (see bus.PageTableWrites).
		b.MarkPageTableAt(pteAddr)
		if pte&PteV == 0 || (pte&PteR == 0 && pte&PteW != 0) || pte&pteReservedMask != 0 {
			return 0, PageFault
		}
		ppn := pte >> 10 & ppnMask
		if pte&(PteR|PteX) == 0 {
			// Pointer to the next level. (A, D and U are reserved here
			// but, as in QEMU and Spike, not checked.)
			if level == 0 {
				return 0, PageFault
			}
			table = ppn << pageShift
			continue
		}
		if !permitted(pte, ctx, acc) {
			return 0, PageFault
		}
		// A superpage's PPN must be aligned to its size.
		lowMask := uint64(1)<<(uint(level)*vpnBits) - 1
		if ppn&lowMask != 0 {
			return 0, PageFault
		}
		want := uint64(PteA)
		if acc == Store {
			want |= PteD
		}
		if pte&want != want {
			if !b.StorePTEFlags(pteAddr, pteSize, pte|want) {
				return 0, AccessFault
			}
		}
		offMask := uint64(1)<<shift - 1
		return ppn<<pageShift&^offMask | va&offMask, OK
	}
	return 0, PageFault
}

// permitted applies the R/W/X, U, SUM and MXR rules to a leaf PTE.
func permitted(pte uint64, ctx Context, acc Access) bool {
	if pte&PteU != 0 {
		if ctx.Priv == 1 && (acc == Fetch || !ctx.SUM) {
			return false
		}
	} else if ctx.Priv == 0 {
		return false
	}
	switch acc {
	case Fetch:
		return pte&PteX != 0
	case Load:
		return pte&PteR != 0 || (ctx.MXR && pte&PteX != 0)
	default:
		return pte&PteW != 0
	}
}
