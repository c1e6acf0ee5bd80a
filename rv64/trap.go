package rv64

// This file owns traps: taking exceptions and interrupts (with delegation
// to S-mode), returning from them, and choosing which interrupt goes first.

// Exception causes.
const (
	excInsnMisaligned  = 0
	excInsnAccess      = 1
	excIllegal         = 2
	excBreakpoint      = 3
	excLoadMisaligned  = 4
	excLoadAccess      = 5
	excStoreMisaligned = 6
	excStoreAccess     = 7
	excEcallU          = 8
	excEcallS          = 9
	excEcallM          = 11
	excInsnPageFault   = 12
	excLoadPageFault   = 13
	excStorePageFault  = 15
)

const interruptFlag = 1 << 63

// exception raises a synchronous trap at the current pc. The instruction
// does not retire but still takes a step of time.
func (h *Hart) exception(cause, tval uint64) {
	h.steps++
	h.traps++
	h.countException(cause)
	h.trap(cause, tval, h.pc)
}

// illegalInsn raises an illegal-instruction exception for in.
func (h *Hart) illegalInsn(in *insn) {
	h.exception(excIllegal, uint64(in.raw))
}

// trap enters the handler for cause (with interruptFlag for interrupts),
// in S-mode if delegated and not coming from M, else in M-mode.
func (h *Hart) trap(cause, tval, epc uint64) {
	h.effects++
	c := &h.csr
	code := cause &^ interruptFlag
	deleg := c.medeleg
	if cause&interruptFlag != 0 {
		deleg = c.mideleg
	}
	s := c.mstatus
	if h.priv != PrivM && deleg>>code&1 != 0 {
		c.scause, c.sepc, c.stval = cause, epc, tval
		s &^= mstatusSPIE | mstatusSPP
		if s&mstatusSIE != 0 {
			s |= mstatusSPIE
		}
		s |= uint64(h.priv) << 8
		s &^= mstatusSIE
		h.pc = vector(c.stvec, cause)
		h.setMstatusRaw(s)
		h.setPriv(PrivS)
	} else {
		c.mcause, c.mepc, c.mtval = cause, epc, tval
		s &^= mstatusMPIE | mstatusMPP
		if s&mstatusMIE != 0 {
			s |= mstatusMPIE
		}
		s |= uint64(h.priv) << mstatusMPPShift
		s &^= mstatusMIE
		h.pc = vector(c.mtvec, cause)
		h.setMstatusRaw(s)
		h.setPriv(PrivM)
	}
	h.reserved = false
}

// setMstatusRaw replaces mstatus from inside the hart (traps, xRET),
// switching translation context if it changed how loads and stores
// translate.
func (h *Hart) setMstatusRaw(s uint64) {
	changed := (s^h.csr.mstatus)&mstatusTranslation != 0
	h.csr.mstatus = s
	if changed {
		h.switchTLB()
	}
}

// vector returns the handler address for cause under trap-vector base tvec.
func vector(tvec, cause uint64) uint64 {
	base := tvec &^ 3
	if tvec&1 != 0 && cause&interruptFlag != 0 {
		return base + 4*(cause&^interruptFlag)
	}
	return base
}

// mret returns from an M-mode trap.
func (h *Hart) mret() {
	s := h.csr.mstatus
	prev := uint8(s >> mstatusMPPShift & 3)
	s &^= mstatusMIE
	if s&mstatusMPIE != 0 {
		s |= mstatusMIE
	}
	s |= mstatusMPIE
	s &^= mstatusMPP // MPP becomes U, the least privileged mode
	if prev != PrivM {
		s &^= mstatusMPRV
	}
	h.pc = h.csr.mepc
	h.setMstatusRaw(s)
	h.setPriv(prev)
	h.checkInt = true
}

// sret returns from an S-mode trap.
func (h *Hart) sret() {
	s := h.csr.mstatus
	prev := uint8(s >> 8 & 1)
	s &^= mstatusSIE
	if s&mstatusSPIE != 0 {
		s |= mstatusSIE
	}
	s |= mstatusSPIE
	s &^= mstatusSPP
	s &^= mstatusMPRV // sret always leaves for a mode below M
	h.pc = h.csr.sepc
	h.setMstatusRaw(s)
	h.setPriv(prev)
	h.checkInt = true
	if prev == PrivU {
		h.noteUserEntry()
	}
}

// interruptOrder is the priority of simultaneous interrupts, highest first.
var interruptOrder = [...]uint64{IntMEI, IntMSI, IntMTI, IntSEI, IntSSI, IntSTI}

// pendingInterrupt returns the interrupt to take now, if any: pending,
// enabled in mie, and globally enabled for the mode it traps to.
func (h *Hart) pendingInterrupt() (uint64, bool) {
	pend := h.mip() & h.csr.mie
	if pend == 0 {
		return 0, false
	}
	s := h.csr.mstatus
	mLevel := pend &^ h.csr.mideleg
	if h.priv < PrivM || s&mstatusMIE != 0 {
		if i, ok := highest(mLevel); ok {
			return i, true
		}
	}
	sLevel := pend & h.csr.mideleg
	if h.priv < PrivS || (h.priv == PrivS && s&mstatusSIE != 0) {
		return highest(sLevel)
	}
	return 0, false
}

func highest(set uint64) (uint64, bool) {
	if set == 0 {
		return 0, false
	}
	for _, i := range interruptOrder {
		if set>>i&1 != 0 {
			return i, true
		}
	}
	return 0, false
}

// pollInterrupts takes the highest-priority takeable interrupt, if any.
func (h *Hart) pollInterrupts() {
	h.checkInt = false
	if i, ok := h.pendingInterrupt(); ok {
		h.waiting = false
		h.trap(interruptFlag|i, 0, h.pc)
	}
}
