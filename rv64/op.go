package rv64

// op is the compact operation code a decoded instruction carries. The run
// loop switches on it; compressed instructions decode to the same ops as
// their 32-bit expansions.
type op uint8

const (
	opNone    op = iota // slot not decoded yet
	opIllegal           // raises illegal instruction with the raw bits

	opLUI
	opAUIPC
	opJAL
	opJALR
	opBEQ
	opBNE
	opBLT
	opBGE
	opBLTU
	opBGEU

	opLB
	opLH
	opLW
	opLD
	opLBU
	opLHU
	opLWU
	opSB
	opSH
	opSW
	opSD

	opADDI
	opSLTI
	opSLTIU
	opXORI
	opORI
	opANDI
	opSLLI
	opSRLI
	opSRAI
	opADD
	opSUB
	opSLL
	opSLT
	opSLTU
	opXOR
	opSRL
	opSRA
	opOR
	opAND
	opADDIW
	opSLLIW
	opSRLIW
	opSRAIW
	opADDW
	opSUBW
	opSLLW
	opSRLW
	opSRAW

	opMUL
	opMULH
	opMULHSU
	opMULHU
	opDIV
	opDIVU
	opREM
	opREMU
	opMULW
	opDIVW
	opDIVUW
	opREMW
	opREMUW

	opFENCE
	opFENCEI
	opECALL
	opEBREAK
	opMRET
	opSRET
	opWFI
	opSFENCEVMA
	opCSRRW
	opCSRRS
	opCSRRC
	opCSRRWI
	opCSRRSI
	opCSRRCI

	// Atomics: the W/D width is in insn.size (4 or 8).
	opLR
	opSC
	opAMOSWAP
	opAMOADD
	opAMOXOR
	opAMOAND
	opAMOOR
	opAMOMIN
	opAMOMAX
	opAMOMINU
	opAMOMAXU

	// Floating point. Everything from opFirstFP on requires mstatus.FS != Off.
	opFLW
	opFLD
	opFSW
	opFSD
	opFMADD // fmt (S/D) in insn.size: 4 or 8
	opFMSUB
	opFNMSUB
	opFNMADD
	opFADD
	opFSUB
	opFMUL
	opFDIV
	opFSQRT
	opFSGNJ
	opFSGNJN
	opFSGNJX
	opFMIN
	opFMAX
	opFEQ
	opFLT
	opFLE
	opFCLASS
	opFMVXF // fmv.x.w / fmv.x.d
	opFMVFX // fmv.w.x / fmv.d.x
	opFCVTWF
	opFCVTWUF
	opFCVTLF
	opFCVTLUF
	opFCVTFW
	opFCVTFWU
	opFCVTFL
	opFCVTFLU
	opFCVTSD
	opFCVTDS

	opCount
)

// opFirstFP is the first op that needs the FPU enabled.
const opFirstFP = opFLW

// insn is one decoded instruction. Register fields index x[] or f[].
// For CSR instructions imm is the CSR number and rs1 the register or the
// 5-bit immediate. size is the FP format or atomic width in bytes.
//
// It is 16 bytes: a decoded page holds one per 2-byte offset, so its size
// is what the interpreter's fetches bring into the cache (every
// immediate fits in 32 bits; FP's rs3 and rounding mode share a byte).
type insn struct {
	op           op
	rd, rs1, rs2 uint8
	len          uint8 // instruction length: 2 or 4
	size         uint8
	idiom        uint8 // for a BNE, BLTU or BGEU: the loop it closes (see idiom.go)
	fpr          uint8 // FP: rs3<<3 | rounding mode field
	imm          int32
	raw          uint32 // instruction bits, for mtval and tracing
}

// rs3 is the third source register of the fused multiply-add ops.
func (in *insn) rs3() uint8 { return in.fpr >> 3 }

// rm is the rounding mode field of FP ops.
func (in *insn) rm() uint8 { return in.fpr & 7 }
