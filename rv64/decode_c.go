package rv64

// This file expands RV64C compressed instructions into the same insn the
// equivalent 32-bit instruction decodes to, so the run loop never sees a
// compressed form.

func decodeCompressed(c uint16) insn {
	raw := uint32(c)
	in := expand(raw)
	in.len = 2
	in.raw = raw
	return in
}

// Register fields of the compressed formats. The 3-bit ones name x8..x15.
func cRd(raw uint32) uint8    { return uint8(field(raw, 11, 7)) }
func cRs2(raw uint32) uint8   { return uint8(field(raw, 6, 2)) }
func cRdP(raw uint32) uint8   { return uint8(8 + field(raw, 4, 2)) }
func cRs1P(raw uint32) uint8  { return uint8(8 + field(raw, 9, 7)) }
func cImm6(raw uint32) int32  { return signExtend32(uint64(field(raw, 12, 12)<<5|field(raw, 6, 2)), 6) }
func cShamt(raw uint32) int32 { return int32(field(raw, 12, 12)<<5 | field(raw, 6, 2)) }

// Unsigned offsets of the load/store formats, scaled by access size.
func cOffW(raw uint32) int32 {
	return int32(field(raw, 12, 10)<<3 | field(raw, 6, 6)<<2 | field(raw, 5, 5)<<6)
}
func cOffD(raw uint32) int32 { return int32(field(raw, 12, 10)<<3 | field(raw, 6, 5)<<6) }
func cOffLWSP(raw uint32) int32 {
	return int32(field(raw, 12, 12)<<5 | field(raw, 6, 4)<<2 | field(raw, 3, 2)<<6)
}
func cOffLDSP(raw uint32) int32 {
	return int32(field(raw, 12, 12)<<5 | field(raw, 6, 5)<<3 | field(raw, 4, 2)<<6)
}
func cOffSWSP(raw uint32) int32 { return int32(field(raw, 12, 9)<<2 | field(raw, 8, 7)<<6) }
func cOffSDSP(raw uint32) int32 { return int32(field(raw, 12, 10)<<3 | field(raw, 9, 7)<<6) }

func cJumpOff(raw uint32) int32 {
	v := field(raw, 12, 12)<<11 | field(raw, 11, 11)<<4 | field(raw, 10, 9)<<8 | field(raw, 8, 8)<<10 |
		field(raw, 7, 7)<<6 | field(raw, 6, 6)<<7 | field(raw, 5, 3)<<1 | field(raw, 2, 2)<<5
	return signExtend32(uint64(v), 12)
}

func cBranchOff(raw uint32) int32 {
	v := field(raw, 12, 12)<<8 | field(raw, 11, 10)<<3 | field(raw, 6, 5)<<6 | field(raw, 4, 3)<<1 | field(raw, 2, 2)<<5
	return signExtend32(uint64(v), 9)
}

func expand(raw uint32) insn {
	f3 := field(raw, 15, 13)
	switch raw & 3 {
	case 0:
		return expandQ0(raw, f3)
	case 1:
		return expandQ1(raw, f3)
	}
	return expandQ2(raw, f3)
}

func expandQ0(raw uint32, f3 uint32) insn {
	rd, rs1 := cRdP(raw), cRs1P(raw)
	switch f3 {
	case 0: // c.addi4spn
		imm := int32(field(raw, 12, 11)<<4 | field(raw, 10, 7)<<6 | field(raw, 6, 6)<<2 | field(raw, 5, 5)<<3)
		if imm == 0 {
			return illegal(raw)
		}
		return insn{op: opADDI, rd: rd, rs1: 2, imm: imm}
	case 1:
		return insn{op: opFLD, rd: rd, rs1: rs1, imm: cOffD(raw)}
	case 2:
		return insn{op: opLW, rd: rd, rs1: rs1, imm: cOffW(raw)}
	case 3:
		return insn{op: opLD, rd: rd, rs1: rs1, imm: cOffD(raw)}
	case 5:
		return insn{op: opFSD, rs1: rs1, rs2: rd, imm: cOffD(raw)}
	case 6:
		return insn{op: opSW, rs1: rs1, rs2: rd, imm: cOffW(raw)}
	case 7:
		return insn{op: opSD, rs1: rs1, rs2: rd, imm: cOffD(raw)}
	}
	return illegal(raw)
}

func expandQ1(raw uint32, f3 uint32) insn {
	rd := cRd(raw)
	switch f3 {
	case 0: // c.addi (c.nop when rd = 0)
		return insn{op: opADDI, rd: rd, rs1: rd, imm: cImm6(raw)}
	case 1: // c.addiw
		if rd == 0 {
			return illegal(raw)
		}
		return insn{op: opADDIW, rd: rd, rs1: rd, imm: cImm6(raw)}
	case 2: // c.li
		return insn{op: opADDI, rd: rd, rs1: 0, imm: cImm6(raw)}
	case 3:
		if rd == 2 { // c.addi16sp
			v := field(raw, 12, 12)<<9 | field(raw, 6, 6)<<4 | field(raw, 5, 5)<<6 | field(raw, 4, 3)<<7 | field(raw, 2, 2)<<5
			if v == 0 {
				return illegal(raw)
			}
			return insn{op: opADDI, rd: 2, rs1: 2, imm: signExtend32(uint64(v), 10)}
		}
		imm := cImm6(raw) << 12 // c.lui
		if imm == 0 {
			return illegal(raw)
		}
		return insn{op: opLUI, rd: rd, imm: imm}
	case 4:
		return expandALU(raw)
	case 5:
		return insn{op: opJAL, rd: 0, imm: cJumpOff(raw)}
	case 6:
		return insn{op: opBEQ, rs1: cRs1P(raw), rs2: 0, imm: cBranchOff(raw)}
	}
	return insn{op: opBNE, rs1: cRs1P(raw), rs2: 0, imm: cBranchOff(raw)}
}

func expandALU(raw uint32) insn {
	rd := cRs1P(raw)
	switch field(raw, 11, 10) {
	case 0:
		return insn{op: opSRLI, rd: rd, rs1: rd, imm: cShamt(raw)}
	case 1:
		return insn{op: opSRAI, rd: rd, rs1: rd, imm: cShamt(raw)}
	case 2:
		return insn{op: opANDI, rd: rd, rs1: rd, imm: cImm6(raw)}
	}
	rs2 := cRdP(raw)
	var o op
	if field(raw, 12, 12) == 0 {
		o = [4]op{opSUB, opXOR, opOR, opAND}[field(raw, 6, 5)]
	} else {
		o = [4]op{opSUBW, opADDW, opIllegal, opIllegal}[field(raw, 6, 5)]
	}
	return insn{op: o, rd: rd, rs1: rd, rs2: rs2}
}

func expandQ2(raw uint32, f3 uint32) insn {
	rd, rs2 := cRd(raw), cRs2(raw)
	switch f3 {
	case 0:
		return insn{op: opSLLI, rd: rd, rs1: rd, imm: cShamt(raw)}
	case 1:
		return insn{op: opFLD, rd: rd, rs1: 2, imm: cOffLDSP(raw)}
	case 2:
		if rd == 0 {
			return illegal(raw)
		}
		return insn{op: opLW, rd: rd, rs1: 2, imm: cOffLWSP(raw)}
	case 3:
		if rd == 0 {
			return illegal(raw)
		}
		return insn{op: opLD, rd: rd, rs1: 2, imm: cOffLDSP(raw)}
	case 4:
		return expandJumpAdd(raw, rd, rs2)
	case 5:
		return insn{op: opFSD, rs1: 2, rs2: rs2, imm: cOffSDSP(raw)}
	case 6:
		return insn{op: opSW, rs1: 2, rs2: rs2, imm: cOffSWSP(raw)}
	}
	return insn{op: opSD, rs1: 2, rs2: rs2, imm: cOffSDSP(raw)}
}

func expandJumpAdd(raw uint32, rd, rs2 uint8) insn {
	if field(raw, 12, 12) == 0 {
		if rs2 == 0 { // c.jr
			if rd == 0 {
				return illegal(raw)
			}
			return insn{op: opJALR, rd: 0, rs1: rd}
		}
		return insn{op: opADD, rd: rd, rs1: 0, rs2: rs2} // c.mv
	}
	if rs2 == 0 {
		if rd == 0 {
			return insn{op: opEBREAK}
		}
		return insn{op: opJALR, rd: 1, rs1: rd} // c.jalr
	}
	return insn{op: opADD, rd: rd, rs1: rd, rs2: rs2}
}
