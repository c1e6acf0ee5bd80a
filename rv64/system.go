package rv64

// This file owns the SYSTEM instructions: CSR access, ecall/ebreak, xRET,
// wfi and sfence.vma.

// system executes in, returning false if it raised an exception. The
// caller moves pc to npc afterwards, except after MRET and SRET.
func (h *Hart) system(in *insn, npc uint64) bool {
	s := h.csr.mstatus
	switch in.op {
	case opCSRRW, opCSRRS, opCSRRC, opCSRRWI, opCSRRSI, opCSRRCI:
		return h.csrInsn(in)
	case opECALL:
		h.exception(excEcallU+uint64(h.priv), 0)
		return false
	case opEBREAK:
		h.exception(excBreakpoint, h.pc)
		return false
	case opMRET:
		if h.priv != PrivM {
			break
		}
		h.mret()
		return true
	case opSRET:
		if h.priv == PrivU || (h.priv == PrivS && s&mstatusTSR != 0) {
			break
		}
		h.sret()
		return true
	case opWFI:
		if h.priv == PrivU || (h.priv == PrivS && s&mstatusTW != 0) {
			break
		}
		return true
	case opSFENCEVMA:
		if h.priv == PrivU || (h.priv == PrivS && s&mstatusTVM != 0) {
			break
		}
		h.sfence()
		return true
	}
	h.illegalInsn(in)
	return false
}

// csrInsn executes one of the six CSR instructions. A CSRRS/CSRRC with x0
// (or a zero immediate) does not write, so it may read read-only CSRs.
func (h *Hart) csrInsn(in *insn) bool {
	if in.imm == csrSstatus && h.priv != PrivU {
		return h.sstatusInsn(in)
	}
	return h.csrGeneral(in)
}

// csrGeneral is csrInsn for any CSR.
func (h *Hart) csrGeneral(in *insn) bool {
	num := uint64(in.imm)
	src := h.x[in.rs1]
	if in.op >= opCSRRWI {
		src = uint64(in.rs1)
	}
	write := true
	switch in.op {
	case opCSRRS, opCSRRC, opCSRRSI, opCSRRCI:
		write = in.rs1 != 0
	}
	if !h.csrAccessible(num, write) {
		h.illegalInsn(in)
		return false
	}
	old, ok := h.readCSR(num)
	if !ok {
		h.illegalInsn(in)
		return false
	}
	if write {
		v := src
		switch in.op {
		case opCSRRS, opCSRRSI:
			v = h.rmwBase(num, old) | src
		case opCSRRC, opCSRRCI:
			v = h.rmwBase(num, old) &^ src
		}
		if !h.writeCSR(num, v) {
			h.illegalInsn(in)
			return false
		}
	}
	h.x[in.rd] = old
	return true
}

// sstatusInsn is csrInsn for sstatus from S or M mode, where every access
// is legal: xv6's push_off and pop_off read it and clear or set SIE on
// every acquire and release, so it skips the general checks and lookups.
func (h *Hart) sstatusInsn(in *insn) bool {
	old := h.mstatusRead() & sstatusVisible
	src := h.x[in.rs1]
	if in.op >= opCSRRWI {
		src = uint64(in.rs1)
	}
	switch in.op {
	case opCSRRW, opCSRRWI:
		h.writeMstatus(src, sstatusWritable)
	case opCSRRS, opCSRRSI:
		if in.rs1 != 0 {
			h.writeMstatus(old|src, sstatusWritable)
		}
	default:
		if in.rs1 != 0 {
			h.writeMstatus(old&^src, sstatusWritable)
		}
	}
	h.x[in.rd] = old
	return true
}

// writesX reports whether op writes integer register rd.
func writesX(o op) bool {
	switch {
	case o >= opLUI && o <= opJALR, o >= opLB && o <= opLWU, o >= opADDI && o <= opREMUW:
		return true
	case o >= opCSRRW && o <= opAMOMAXU:
		return true
	case o == opFEQ, o == opFLT, o == opFLE, o == opFCLASS, o == opFMVXF,
		o >= opFCVTWF && o <= opFCVTLUF:
		return true
	}
	return false
}

// writesF reports whether op writes FP register rd.
func writesF(o op) bool {
	return o >= opFirstFP && o != opFSW && o != opFSD && !writesX(o)
}
