package rv64

// A tiny assembler for the Go-level tests: just the encodings they use.

func encI(opcode, f3 uint32, rd, rs1 int, imm int32) uint32 {
	return uint32(imm)<<20 | uint32(rs1)<<15 | f3<<12 | uint32(rd)<<7 | opcode
}

func asmADDI(rd, rs1 int, imm int32) uint32 { return encI(0x13, 0, rd, rs1, imm) }
func asmAUIPC(rd int) uint32                { return uint32(rd)<<7 | 0x17 }
func asmCSRRW(rd, csr, rs1 int) uint32      { return encI(0x73, 1, rd, rs1, int32(csr)) }
func asmCSRRS(rd, csr, rs1 int) uint32      { return encI(0x73, 2, rd, rs1, int32(csr)) }
func asmCSRRC(rd, csr, rs1 int) uint32      { return encI(0x73, 3, rd, rs1, int32(csr)) }
func asmLD(rd, rs1 int, imm int32) uint32   { return encI(0x03, 3, rd, rs1, imm) }
func asmWFI() uint32                        { return 0x10500073 }
func asmMRET() uint32                       { return 0x30200073 }

// asmJAL encodes jal rd, off (off a multiple of 2 within ±1 MiB).
func asmJAL(rd int, off int32) uint32 {
	u := uint32(off)
	return (u>>20&1)<<31 | (u>>1&0x3FF)<<21 | (u>>11&1)<<20 | (u>>12&0xFF)<<12 | uint32(rd)<<7 | 0x6F
}

// asmBranch encodes a conditional branch with funct3 f3: rs1, rs2, off.
func asmBranch(f3 uint32, rs1, rs2 int, off int32) uint32 {
	u := uint32(off)
	return (u>>12&1)<<31 | (u>>5&0x3F)<<25 | uint32(rs2)<<20 | uint32(rs1)<<15 | f3<<12 |
		(u>>1&0xF)<<8 | (u>>11&1)<<7 | 0x63
}

func asmBNE(rs1, rs2 int, off int32) uint32  { return asmBranch(1, rs1, rs2, off) }
func asmBLTU(rs1, rs2 int, off int32) uint32 { return asmBranch(6, rs1, rs2, off) }
func asmBGEU(rs1, rs2 int, off int32) uint32 { return asmBranch(7, rs1, rs2, off) }

func asmLW(rd, rs1 int, imm int32) uint32 { return encI(0x03, 2, rd, rs1, imm) }
func asmSRET() uint32                     { return 0x10200073 }
func asmFENCE() uint32                    { return 0x0330000F } // fence rw,rw

// asmStore encodes a store of funct3 f3 (0 sb ... 3 sd): rs2, imm(rs1).
func asmStore(f3 uint32, rs2, rs1 int, imm int32) uint32 {
	u := uint32(imm)
	return (u>>5&0x7F)<<25 | uint32(rs2)<<20 | uint32(rs1)<<15 | f3<<12 | (u&0x1F)<<7 | 0x23
}

func asmSW(rs2, rs1 int, imm int32) uint32 { return asmStore(2, rs2, rs1, imm) }
func asmSD(rs2, rs1 int, imm int32) uint32 { return asmStore(3, rs2, rs1, imm) }

// asmAMOW encodes a word AMO (funct5 0 = amoadd, 1 = amoswap): rd, rs2, (rs1).
func asmAMOW(funct5 uint32, rd, rs2, rs1 int) uint32 {
	return funct5<<27 | uint32(rs2)<<20 | uint32(rs1)<<15 | 2<<12 | uint32(rd)<<7 | 0x2F
}

func asmSB(rs2, rs1 int, imm int32) uint32 { return asmStore(0, rs2, rs1, imm) }

func asmLBU(rd, rs1 int, imm int32) uint32 { return encI(0x03, 4, rd, rs1, imm) }
