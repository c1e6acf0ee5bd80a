package rv64

// This file turns instruction bits into an insn. It is pure: no hart state.

// field returns raw[hi:lo].
func field(raw uint32, hi, lo uint) uint32 {
	return raw >> lo & (1<<(hi-lo+1) - 1)
}

// signExtend treats the low n bits of v as a two's complement number.
func signExtend(v uint64, n uint) int64 {
	return int64(v<<(64-n)) >> (64 - n)
}

// signExtend32 is signExtend for an immediate (n < 32).
func signExtend32(v uint64, n uint) int32 { return int32(signExtend(v, n)) }

// decode decodes one instruction. raw holds 32 bits; only the low 16 are
// used when they encode a compressed instruction.
func decode(raw uint32) insn {
	var in insn
	if raw&3 != 3 {
		in = decodeCompressed(uint16(raw))
	} else {
		in = decode32(raw)
		in.len = 4
		in.raw = raw
	}
	if in.rd == 0 && writesX(in.op) {
		in.rd = zeroSink
	}
	return in
}

// zeroSink is the register index that writes to x0 are redirected to.
const zeroSink = 32

func illegal(raw uint32) insn { return insn{op: opIllegal} }

func decode32(raw uint32) insn {
	rd := uint8(field(raw, 11, 7))
	rs1 := uint8(field(raw, 19, 15))
	rs2 := uint8(field(raw, 24, 20))
	f3 := field(raw, 14, 12)
	f7 := field(raw, 31, 25)
	immI := int32(raw) >> 20
	immS := int32(raw)>>25<<5 | int32(field(raw, 11, 7))
	immB := signExtend32(uint64(field(raw, 31, 31)<<12|field(raw, 7, 7)<<11|field(raw, 30, 25)<<5|field(raw, 11, 8)<<1), 13)
	immU := int32(raw & 0xFFFFF000)
	immJ := signExtend32(uint64(field(raw, 31, 31)<<20|field(raw, 19, 12)<<12|field(raw, 20, 20)<<11|field(raw, 30, 21)<<1), 21)
	r := func(o op) insn { return insn{op: o, rd: rd, rs1: rs1, rs2: rs2} }
	i := func(o op) insn { return insn{op: o, rd: rd, rs1: rs1, imm: immI} }
	s := func(o op) insn { return insn{op: o, rs1: rs1, rs2: rs2, imm: immS} }

	switch raw & 0x7F {
	case 0x37:
		return insn{op: opLUI, rd: rd, imm: immU}
	case 0x17:
		return insn{op: opAUIPC, rd: rd, imm: immU}
	case 0x6F:
		return insn{op: opJAL, rd: rd, imm: immJ}
	case 0x67:
		if f3 == 0 {
			return i(opJALR)
		}
	case 0x63:
		ops := [8]op{opBEQ, opBNE, opIllegal, opIllegal, opBLT, opBGE, opBLTU, opBGEU}
		return insn{op: ops[f3], rs1: rs1, rs2: rs2, imm: immB}
	case 0x03:
		ops := [8]op{opLB, opLH, opLW, opLD, opLBU, opLHU, opLWU, opIllegal}
		return i(ops[f3])
	case 0x23:
		ops := [8]op{opSB, opSH, opSW, opSD, opIllegal, opIllegal, opIllegal, opIllegal}
		return s(ops[f3])
	case 0x13:
		return decodeOpImm(raw, i(opADDI), f3)
	case 0x1B:
		return decodeOpImm32(raw, i(opADDIW), f3)
	case 0x33:
		return decodeOp(r(opADD), f3, f7)
	case 0x3B:
		return decodeOp32(r(opADDW), f3, f7)
	case 0x0F:
		switch f3 {
		case 0:
			return insn{op: opFENCE}
		case 1:
			return insn{op: opFENCEI}
		}
	case 0x73:
		return decodeSystem(raw, rd, rs1, rs2, f3, f7)
	case 0x2F:
		return decodeAtomic(r(opLR), f3, raw)
	case 0x07, 0x27:
		return decodeFPMem(raw, rd, rs1, rs2, f3, immI, immS)
	case 0x43, 0x47, 0x4B, 0x4F:
		return decodeFMA(raw, rd, rs1, rs2, f3)
	case 0x53:
		return decodeFPOp(raw, rd, rs1, rs2, f3, f7)
	}
	return illegal(raw)
}

func decodeOpImm(raw uint32, in insn, f3 uint32) insn {
	shamt := int32(field(raw, 25, 20))
	switch f3 {
	case 0:
		in.op = opADDI
	case 1:
		if field(raw, 31, 26) != 0 {
			return illegal(raw)
		}
		in.op, in.imm = opSLLI, shamt
	case 2:
		in.op = opSLTI
	case 3:
		in.op = opSLTIU
	case 4:
		in.op = opXORI
	case 5:
		switch field(raw, 31, 26) {
		case 0:
			in.op = opSRLI
		case 0x10:
			in.op = opSRAI
		default:
			return illegal(raw)
		}
		in.imm = shamt
	case 6:
		in.op = opORI
	case 7:
		in.op = opANDI
	}
	return in
}

func decodeOpImm32(raw uint32, in insn, f3 uint32) insn {
	shamt := int32(field(raw, 24, 20))
	f7 := field(raw, 31, 25)
	switch {
	case f3 == 0:
		in.op = opADDIW
	case f3 == 1 && f7 == 0:
		in.op, in.imm = opSLLIW, shamt
	case f3 == 5 && f7 == 0:
		in.op, in.imm = opSRLIW, shamt
	case f3 == 5 && f7 == 0x20:
		in.op, in.imm = opSRAIW, shamt
	default:
		return illegal(raw)
	}
	return in
}

func decodeOp(in insn, f3, f7 uint32) insn {
	switch f7 {
	case 0:
		in.op = [8]op{opADD, opSLL, opSLT, opSLTU, opXOR, opSRL, opOR, opAND}[f3]
	case 0x20:
		in.op = [8]op{opSUB, opIllegal, opIllegal, opIllegal, opIllegal, opSRA, opIllegal, opIllegal}[f3]
	case 1:
		in.op = [8]op{opMUL, opMULH, opMULHSU, opMULHU, opDIV, opDIVU, opREM, opREMU}[f3]
	default:
		in.op = opIllegal
	}
	return in
}

func decodeOp32(in insn, f3, f7 uint32) insn {
	switch f7 {
	case 0:
		in.op = [8]op{opADDW, opSLLW, opIllegal, opIllegal, opIllegal, opSRLW, opIllegal, opIllegal}[f3]
	case 0x20:
		in.op = [8]op{opSUBW, opIllegal, opIllegal, opIllegal, opIllegal, opSRAW, opIllegal, opIllegal}[f3]
	case 1:
		in.op = [8]op{opMULW, opIllegal, opIllegal, opIllegal, opDIVW, opDIVUW, opREMW, opREMUW}[f3]
	default:
		in.op = opIllegal
	}
	return in
}

func decodeSystem(raw uint32, rd, rs1, rs2 uint8, f3, f7 uint32) insn {
	if f3 == 0 {
		if f7 == 0x09 && rd == 0 {
			return insn{op: opSFENCEVMA, rs1: rs1, rs2: rs2}
		}
		if rd != 0 || rs1 != 0 {
			return illegal(raw)
		}
		switch field(raw, 31, 20) {
		case 0x000:
			return insn{op: opECALL}
		case 0x001:
			return insn{op: opEBREAK}
		case 0x102:
			return insn{op: opSRET}
		case 0x302:
			return insn{op: opMRET}
		case 0x105:
			return insn{op: opWFI}
		}
		return illegal(raw)
	}
	ops := [8]op{opIllegal, opCSRRW, opCSRRS, opCSRRC, opIllegal, opCSRRWI, opCSRRSI, opCSRRCI}
	return insn{op: ops[f3], rd: rd, rs1: rs1, imm: int32(field(raw, 31, 20))}
}

func decodeAtomic(in insn, f3 uint32, raw uint32) insn {
	switch f3 {
	case 2:
		in.size = 4
	case 3:
		in.size = 8
	default:
		return illegal(raw)
	}
	switch field(raw, 31, 27) {
	case 0x02:
		if in.rs2 != 0 {
			return illegal(raw)
		}
		in.op = opLR
	case 0x03:
		in.op = opSC
	case 0x01:
		in.op = opAMOSWAP
	case 0x00:
		in.op = opAMOADD
	case 0x04:
		in.op = opAMOXOR
	case 0x0C:
		in.op = opAMOAND
	case 0x08:
		in.op = opAMOOR
	case 0x10:
		in.op = opAMOMIN
	case 0x14:
		in.op = opAMOMAX
	case 0x18:
		in.op = opAMOMINU
	case 0x1C:
		in.op = opAMOMAXU
	default:
		return illegal(raw)
	}
	return in
}

func decodeFPMem(raw uint32, rd, rs1, rs2 uint8, f3 uint32, immI, immS int32) insn {
	load := raw&0x7F == 0x07
	switch {
	case load && f3 == 2:
		return insn{op: opFLW, rd: rd, rs1: rs1, imm: immI}
	case load && f3 == 3:
		return insn{op: opFLD, rd: rd, rs1: rs1, imm: immI}
	case !load && f3 == 2:
		return insn{op: opFSW, rs1: rs1, rs2: rs2, imm: immS}
	case !load && f3 == 3:
		return insn{op: opFSD, rs1: rs1, rs2: rs2, imm: immS}
	}
	return illegal(raw)
}

// fpFormat maps the fmt field to an operand size, 0 if unsupported.
func fpFormat(fmt uint32) uint8 {
	switch fmt {
	case 0:
		return 4
	case 1:
		return 8
	}
	return 0
}

func validStaticRM(rm uint32) bool { return rm != 5 && rm != 6 }

func decodeFMA(raw uint32, rd, rs1, rs2 uint8, f3 uint32) insn {
	size := fpFormat(field(raw, 26, 25))
	if size == 0 || !validStaticRM(f3) {
		return illegal(raw)
	}
	ops := map4(raw&0x7F, opFMADD, opFMSUB, opFNMSUB, opFNMADD)
	return insn{op: ops, rd: rd, rs1: rs1, rs2: rs2, fpr: uint8(field(raw, 31, 27)<<3 | f3), size: size}
}

func map4(opcode uint32, a, b, c, d op) op {
	switch opcode {
	case 0x43:
		return a
	case 0x47:
		return b
	case 0x4B:
		return c
	}
	return d
}

func decodeFPOp(raw uint32, rd, rs1, rs2 uint8, f3, f7 uint32) insn {
	size := fpFormat(f7 & 3)
	if size == 0 {
		return illegal(raw)
	}
	in := insn{rd: rd, rs1: rs1, rs2: rs2, fpr: uint8(f3), size: size}
	withRM := func(o op) insn {
		if !validStaticRM(f3) {
			return illegal(raw)
		}
		in.op = o
		return in
	}
	switch f7 >> 2 {
	case 0x00:
		return withRM(opFADD)
	case 0x01:
		return withRM(opFSUB)
	case 0x02:
		return withRM(opFMUL)
	case 0x03:
		return withRM(opFDIV)
	case 0x0B:
		if rs2 == 0 {
			return withRM(opFSQRT)
		}
	case 0x04:
		if f3 <= 2 {
			in.op = [3]op{opFSGNJ, opFSGNJN, opFSGNJX}[f3]
			return in
		}
	case 0x05:
		if f3 <= 1 {
			in.op = [2]op{opFMIN, opFMAX}[f3]
			return in
		}
	case 0x14:
		if f3 <= 2 {
			in.op = [3]op{opFLE, opFLT, opFEQ}[f3]
			return in
		}
	case 0x08: // fcvt.s.d (size 4, rs2=1) / fcvt.d.s (size 8, rs2=0)
		if size == 4 && rs2 == 1 {
			return withRM(opFCVTSD)
		}
		if size == 8 && rs2 == 0 {
			return withRM(opFCVTDS)
		}
	case 0x18:
		if rs2 <= 3 {
			return withRM([4]op{opFCVTWF, opFCVTWUF, opFCVTLF, opFCVTLUF}[rs2])
		}
	case 0x1A:
		if rs2 <= 3 {
			return withRM([4]op{opFCVTFW, opFCVTFWU, opFCVTFL, opFCVTFLU}[rs2])
		}
	case 0x1C:
		if rs2 == 0 && f3 == 0 {
			in.op = opFMVXF
			return in
		}
		if rs2 == 0 && f3 == 1 {
			in.op = opFCLASS
			return in
		}
	case 0x1E:
		if rs2 == 0 && f3 == 0 {
			in.op = opFMVFX
			return in
		}
	}
	return illegal(raw)
}
