package rv64

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/sv39"
)

// This file owns what a debugger needs from a hart beyond what the board
// uses: CSRs by number without privilege checks, writable pc and FP
// registers, an address translation that changes nothing (no A/D bits, no
// TLB fill, no trap), and a look at the memory access the next instruction
// will make, for watchpoints. None of it is on the run loop's path.

// DebugReadCSR returns CSR num as M-mode would read it, whatever the hart's
// privilege and mstatus.FS are. ok is false for a CSR that does not exist.
func (h *Hart) DebugReadCSR(num uint64) (uint64, bool) {
	switch num {
	case csrFflags:
		return uint64(h.csr.fflags), true
	case csrFrm:
		return uint64(h.csr.frm), true
	case csrFcsr:
		return uint64(h.csr.frm)<<5 | uint64(h.csr.fflags), true
	}
	saved := h.priv
	h.priv = PrivM // readCSR only compares it; no translation depends on this
	v, ok := h.readCSR(num)
	h.priv = saved
	return v, ok
}

// DebugWriteCSR writes CSR num as M-mode would, reporting false for a CSR
// that does not exist or cannot be written.
func (h *Hart) DebugWriteCSR(num, v uint64) bool {
	switch num {
	case csrFflags:
		h.csr.fflags = uint8(v & 0x1F)
		return true
	case csrFrm:
		h.csr.frm = uint8(v & 7)
		return true
	case csrFcsr:
		h.csr.fflags, h.csr.frm = uint8(v&0x1F), uint8(v>>5&7)
		return true
	}
	if _, ok := h.DebugReadCSR(num); !ok || num>>10&3 == 3 {
		return false
	}
	saved := h.priv
	h.priv = PrivM
	ok := h.writeCSR(num, v)
	h.priv = saved
	h.debugChanged()
	return ok
}

// SetPC moves the hart to pc, as a debugger's "set $pc" does.
func (h *Hart) SetPC(pc uint64) {
	h.pc = pc
	h.waiting = false
	h.debugChanged()
}

// SetFReg sets the raw bits of FP register i.
func (h *Hart) SetFReg(i int, v uint64) {
	h.f[i&31] = v
	h.debugChanged()
}

// SetPriv changes the privilege level (0 U, 1 S, 3 M; 2 is ignored).
func (h *Hart) SetPriv(p int) {
	if p == PrivU || p == PrivS || p == PrivM {
		h.setPriv(uint8(p))
		h.debugChanged()
	}
}

// debugChanged drops whatever the hart derived from its state: a debugger
// may have changed anything.
func (h *Hart) debugChanged() {
	h.flushTLB()
	h.checkInt = true
	h.restartSpinWatch()
	h.forgetCycle()
}

// Step executes exactly the instruction at pc, taking no interrupt first
// (as QEMU single-steps for a debugger, with interrupts held off), and
// returns how many instructions it executed: 0 when the hart waits in WFI.
// An interrupt the instruction itself makes takeable is taken after it.
func (h *Hart) Step() uint64 {
	h.restartSpinWatch()
	h.forgetCycle()
	if !h.Wake() {
		return 0
	}
	start := h.steps
	if h.Trace != nil {
		h.step()
	} else {
		h.execute(1)
	}
	return h.steps - start
}

// Wake ends a WFI wait if an interrupt is pending and enabled, as Run
// would, and reports whether the hart is now able to run.
func (h *Hart) Wake() bool {
	if h.waiting && h.mip()&h.csr.mie != 0 {
		h.waiting = false
	}
	return !h.waiting
}

// RunOne executes one instruction as Run(1) does. With fresh set it first forgets
// the spin watch and LR reservation, as Run does because other harts may
// have run; otherwise both carry on from the previous call. A debugger
// that runs a hart one instruction at a time (checking watchpoints in
// between) calls it with fresh set first and then without while no other
// hart runs, so spin and cycle detection still see the loops an idle
// kernel goes round and the board can skip them, as without a debugger.
// It never calls Trace.
func (h *Hart) RunOne(fresh bool) (executed uint64) {
	if fresh {
		h.reserved = false
		h.restartSpinWatch()
	} else {
		h.spinning = false
	}
	start := h.steps
	if !h.Wake() {
		return 0
	}
	h.pollInterrupts()
	if h.watchForCycle(1) > 0 && !h.waiting && !h.spinning {
		h.execute(1)
	}
	return h.steps - start
}

// StopRun, called from Trace, makes the Run in progress return before the
// next instruction, so a debugger can stop a hart at a breakpoint without
// single-stepping it from outside. Until the next Run (or ClearStop) the
// hart reports Spinning, which is how Run's loop learns to stop; a board
// must not take it for a spin.
func (h *Hart) StopRun() { h.spinning = true }

// SetGuards makes Run stop before it fetches from a virtual page in vpns
// (page numbers: address >> 12), with Guarded reporting it, so that a
// debugger can let a hart run at full speed wherever it has no breakpoint
// and check each pc only on the pages that have one. Guards cost nothing
// per instruction: only a fetch that leaves the current page looks at
// them. nil removes them. While guards are set, cycle detection is off.
func (h *Hart) SetGuards(vpns []uint64) {
	h.guards = vpns
	if vpns != nil {
		h.forgetCycle()
		h.icache.forgetFetchPage() // the next fetch looks at the guards
	}
}

// Guarded reports whether the last Run stopped at a guarded page: the
// instruction at PC is on one and has not executed. Cleared by Run.
func (h *Hart) Guarded() bool { return h.guardStop }

// guarded reports whether pc is on a guarded page.
func (h *Hart) guarded(pc uint64) bool {
	for _, v := range h.guards {
		if v == pc>>12 {
			return true
		}
	}
	return false
}

// ClearStop undoes StopRun once the Run has returned.
func (h *Hart) ClearStop() { h.spinning = false }

// TrapVectors returns stvec and mtvec, where exceptions land (with no
// retired instruction for Trace to report first).
func (h *Hart) TrapVectors() (stvec, mtvec uint64) { return h.csr.stvec, h.csr.mtvec }

// TakeInterrupt takes the highest-priority takeable interrupt, if any, so
// that a debugger checking breakpoints sees the handler's first pc before
// it executes.
func (h *Hart) TakeInterrupt() { h.pollInterrupts() }

// DebugTranslate maps va to a physical address the way a debugger wants:
// in the hart's current translation (M-mode and Bare are identity), but
// ignoring U/SUM and R/W/X permissions, and without setting A or D bits or
// touching the TLBs. ok is false when va is not mapped.
func (h *Hart) DebugTranslate(va uint64) (pa uint64, ok bool) {
	if h.priv == PrivM || h.csr.satp>>60 == sv39.ModeBare {
		return va, true
	}
	if !sv39.Canonical(va) {
		return 0, false
	}
	table := (h.csr.satp & satpPPNMask) << 12
	for level := 2; level >= 0; level-- {
		shift := 12 + 9*uint(level)
		pte, ok := h.bus.Load(table+(va>>shift&0x1FF)*8, 8)
		if !ok || pte&sv39.PteV == 0 {
			return 0, false
		}
		ppn := pte >> 10 & satpPPNMask
		if pte&(sv39.PteR|sv39.PteX) == 0 {
			table = ppn << 12
			continue
		}
		off := uint64(1)<<shift - 1
		return ppn<<12&^off | va&off, true
	}
	return 0, false
}

// Access kinds reported by NextAccess.
const (
	AccessRead  = 1
	AccessWrite = 2
)

// NextAccess reports the data access the instruction at pc will make if it
// executes: its virtual address, size and kind (AccessRead, AccessWrite or
// both, for AMOs). ok is false when it is not a load, store or AMO, or when
// its bytes cannot be read. Nothing in the hart changes.
func (h *Hart) NextAccess() (va, size uint64, kind int, ok bool) {
	pa, ok := h.DebugTranslate(h.pc)
	if !ok {
		return 0, 0, 0, false
	}
	idx, inRAM := h.ramIndex(pa, 2)
	if !inRAM {
		return 0, 0, 0, false
	}
	raw := uint32(binary.LittleEndian.Uint16(h.ram[idx:]))
	if raw&3 == 3 {
		hi, ok := h.DebugTranslate(h.pc + 2)
		if !ok {
			return 0, 0, 0, false
		}
		j, inRAM := h.ramIndex(hi, 2)
		if !inRAM {
			return 0, 0, 0, false
		}
		raw |= uint32(binary.LittleEndian.Uint16(h.ram[j:])) << 16
	}
	in := decode(raw)
	addr := h.x[in.rs1] + uint64(in.imm)
	switch in.op {
	case opLD, opFLD:
		return addr, 8, AccessRead, true
	case opLW, opLWU, opFLW:
		return addr, 4, AccessRead, true
	case opLH, opLHU:
		return addr, 2, AccessRead, true
	case opLB, opLBU:
		return addr, 1, AccessRead, true
	case opSD, opFSD:
		return addr, 8, AccessWrite, true
	case opSW, opFSW:
		return addr, 4, AccessWrite, true
	case opSH:
		return addr, 2, AccessWrite, true
	case opSB:
		return addr, 1, AccessWrite, true
	case opLR:
		return h.x[in.rs1], uint64(in.size), AccessRead, true
	case opSC:
		return h.x[in.rs1], uint64(in.size), AccessWrite, true
	case opAMOSWAP, opAMOADD, opAMOXOR, opAMOAND, opAMOOR, opAMOMIN, opAMOMAX, opAMOMINU, opAMOMAXU:
		return h.x[in.rs1], uint64(in.size), AccessRead | AccessWrite, true
	}
	return 0, 0, 0, false
}
