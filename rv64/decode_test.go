package rv64

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/arch/riscv64/riscv64asm"
	"unsafe"
)

// The decoder is checked against golang.org/x/arch/riscv64/riscv64asm: for
// every 16-bit value and a large sample of 32-bit words, both must agree on
// whether the word is an RV64GC instruction, which one, and its operands.
//
// Documented exclusions (where x/arch and the spec, or our choices, differ):
//   - x/arch decodes extensions we do not implement (V, Zb*, Zicond, ...):
//     for those we must say illegal, which the test checks.
//   - x/arch ignores the rm field of FP instructions; rm values 5 and 6 are
//     reserved and illegal for us.
//   - x/arch rejects some FENCE encodings (reserved fm, non-zero rs1/rd),
//     which the spec says to execute as ordinary fences; FENCE.I likewise
//     ignores its reserved fields.
//   - x/arch does not know SFENCE.VMA (a privileged instruction).
//   - x/arch drops the operands of compressed HINTs (c.nop with an
//     immediate, c.li/c.lui/c.mv/c.add to x0, shifts by 0...) or rejects
//     them; they execute as their expansion, which for a HINT changes
//     nothing. x/arch shows c.unimp (0x0000) as unimp; both say illegal.
//   - x/arch decodes the offset of c.j wrongly (0xa009 is c.j +2 per the
//     spec and GNU objdump; x/arch says +4). TestDecodeCJ checks those
//     against objdump's decodings instead.
//   - x/arch reports the immediate of c.lui sign-extended to 32 bits; only
//     its 20 significant bits are compared.

// ourOps maps x/arch opcode names to our op and operand size.
var ourOps = map[string]struct {
	op   op
	size uint8
}{}

func init() {
	plain := map[string]op{
		"LUI": opLUI, "AUIPC": opAUIPC, "JAL": opJAL, "JALR": opJALR,
		"BEQ": opBEQ, "BNE": opBNE, "BLT": opBLT, "BGE": opBGE, "BLTU": opBLTU, "BGEU": opBGEU,
		"LB": opLB, "LH": opLH, "LW": opLW, "LD": opLD, "LBU": opLBU, "LHU": opLHU, "LWU": opLWU,
		"SB": opSB, "SH": opSH, "SW": opSW, "SD": opSD,
		"ADDI": opADDI, "SLTI": opSLTI, "SLTIU": opSLTIU, "XORI": opXORI, "ORI": opORI, "ANDI": opANDI,
		"SLLI": opSLLI, "SRLI": opSRLI, "SRAI": opSRAI,
		"ADD": opADD, "SUB": opSUB, "SLL": opSLL, "SLT": opSLT, "SLTU": opSLTU, "XOR": opXOR,
		"SRL": opSRL, "SRA": opSRA, "OR": opOR, "AND": opAND,
		"ADDIW": opADDIW, "SLLIW": opSLLIW, "SRLIW": opSRLIW, "SRAIW": opSRAIW,
		"ADDW": opADDW, "SUBW": opSUBW, "SLLW": opSLLW, "SRLW": opSRLW, "SRAW": opSRAW,
		"MUL": opMUL, "MULH": opMULH, "MULHSU": opMULHSU, "MULHU": opMULHU, "DIV": opDIV,
		"DIVU": opDIVU, "REM": opREM, "REMU": opREMU, "MULW": opMULW, "DIVW": opDIVW,
		"DIVUW": opDIVUW, "REMW": opREMW, "REMUW": opREMUW,
		"FENCE": opFENCE, "FENCE.I": opFENCEI, "ECALL": opECALL, "EBREAK": opEBREAK,
		"MRET": opMRET, "SRET": opSRET, "WFI": opWFI, "SFENCE.VMA": opSFENCEVMA,
		"CSRRW": opCSRRW, "CSRRS": opCSRRS, "CSRRC": opCSRRC,
		"CSRRWI": opCSRRWI, "CSRRSI": opCSRRSI, "CSRRCI": opCSRRCI,
		"FLW": opFLW, "FLD": opFLD, "FSW": opFSW, "FSD": opFSD,
	}
	for name, o := range plain {
		ourOps[name] = struct {
			op   op
			size uint8
		}{o, 0}
	}
	add := func(name string, o op, size uint8) {
		ourOps[name] = struct {
			op   op
			size uint8
		}{o, size}
	}
	atomics := map[string]op{
		"LR": opLR, "SC": opSC, "AMOSWAP": opAMOSWAP, "AMOADD": opAMOADD, "AMOXOR": opAMOXOR,
		"AMOAND": opAMOAND, "AMOOR": opAMOOR, "AMOMIN": opAMOMIN, "AMOMAX": opAMOMAX,
		"AMOMINU": opAMOMINU, "AMOMAXU": opAMOMAXU,
	}
	for name, o := range atomics {
		for _, order := range []string{"", ".AQ", ".RL", ".AQRL"} {
			add(name+".W"+order, o, 4)
			add(name+".D"+order, o, 8)
		}
	}
	fp := map[string]op{
		"FMADD": opFMADD, "FMSUB": opFMSUB, "FNMSUB": opFNMSUB, "FNMADD": opFNMADD,
		"FADD": opFADD, "FSUB": opFSUB, "FMUL": opFMUL, "FDIV": opFDIV, "FSQRT": opFSQRT,
		"FSGNJ": opFSGNJ, "FSGNJN": opFSGNJN, "FSGNJX": opFSGNJX, "FMIN": opFMIN, "FMAX": opFMAX,
		"FEQ": opFEQ, "FLT": opFLT, "FLE": opFLE, "FCLASS": opFCLASS,
	}
	for name, o := range fp {
		add(name+".S", o, 4)
		add(name+".D", o, 8)
	}
	for _, f := range []struct {
		name string
		size uint8
	}{{"S", 4}, {"D", 8}} {
		add := func(name string, o op) {
			ourOps[name] = struct {
				op   op
				size uint8
			}{o, f.size}
		}
		add("FCVT.W."+f.name, opFCVTWF)
		add("FCVT.WU."+f.name, opFCVTWUF)
		add("FCVT.L."+f.name, opFCVTLF)
		add("FCVT.LU."+f.name, opFCVTLUF)
		add("FCVT."+f.name+".W", opFCVTFW)
		add("FCVT."+f.name+".WU", opFCVTFWU)
		add("FCVT."+f.name+".L", opFCVTFL)
		add("FCVT."+f.name+".LU", opFCVTFLU)
	}
	ourOps["FMV.X.W"] = struct {
		op   op
		size uint8
	}{opFMVXF, 4}
	ourOps["FMV.X.D"] = struct {
		op   op
		size uint8
	}{opFMVXF, 8}
	ourOps["FMV.W.X"] = struct {
		op   op
		size uint8
	}{opFMVFX, 4}
	ourOps["FMV.D.X"] = struct {
		op   op
		size uint8
	}{opFMVFX, 8}
	ourOps["FCVT.S.D"] = struct {
		op   op
		size uint8
	}{opFCVTSD, 4}
	ourOps["FCVT.D.S"] = struct {
		op   op
		size uint8
	}{opFCVTDS, 8}
}

// theirOperands flattens x/arch's operands into integers: registers
// (FP ones as 32+n), immediates, CSR numbers. Memory orderings are skipped.
func theirOperands(inst riscv64asm.Inst) []int64 {
	var out []int64
	for _, a := range inst.Args {
		switch v := a.(type) {
		case nil:
			return out
		case riscv64asm.Reg:
			out = append(out, regNum(v))
		case riscv64asm.Simm:
			out = append(out, int64(v.Imm))
		case riscv64asm.Uimm:
			out = append(out, int64(v.Imm))
		case riscv64asm.RegOffset:
			out = append(out, regNum(v.OfsReg), int64(v.Ofs.Imm))
		case riscv64asm.RegPtr:
			out = append(out, regPtrNum(v))
		case riscv64asm.CSR:
			out = append(out, int64(v))
		case riscv64asm.MemOrder:
		default:
			panic(fmt.Sprintf("unexpected operand %T", a))
		}
	}
	return out
}

// regPtrNum recovers the register of an AMO address operand, which x/arch
// only exposes through its string form, "(reg)".
func regPtrNum(p riscv64asm.RegPtr) int64 {
	name := strings.Trim(p.String(), "()")
	for r := riscv64asm.X0; r <= riscv64asm.X31; r++ {
		if r.String() == name {
			return regNum(r)
		}
	}
	panic("unknown register " + name)
}

func regNum(r riscv64asm.Reg) int64 {
	if r >= riscv64asm.F0 {
		return 32 + int64(r-riscv64asm.F0)
	}
	return int64(r - riscv64asm.X0)
}

// ourOperands lists our operands in x/arch's (the manual's) order.
func ourOperands(in insn) []int64 {
	x := func(r uint8) int64 { return int64(r) % zeroSink }
	f := func(r uint8) int64 { return 32 + int64(r) }
	o := in.op
	switch {
	case o == opLUI || o == opAUIPC:
		return []int64{x(in.rd), int64(uint32(in.imm) >> 12)}
	case o == opJAL:
		return []int64{x(in.rd), int64(in.imm)}
	case o >= opBEQ && o <= opBGEU:
		return []int64{x(in.rs1), x(in.rs2), int64(in.imm)}
	case o >= opSB && o <= opSD:
		return []int64{x(in.rs2), x(in.rs1), int64(in.imm)}
	case o == opJALR || o >= opLB && o <= opLWU || o >= opADDI && o <= opSRAI || o >= opADDIW && o <= opSRAIW:
		return []int64{x(in.rd), x(in.rs1), int64(in.imm)}
	case o >= opADD && o <= opAND || o >= opADDW && o <= opREMUW:
		return []int64{x(in.rd), x(in.rs1), x(in.rs2)}
	case o >= opCSRRW && o <= opCSRRCI:
		return []int64{x(in.rd), int64(in.imm), x(in.rs1)}
	case o == opSFENCEVMA:
		return []int64{x(in.rs1), x(in.rs2)}
	case o == opLR:
		return []int64{x(in.rd), x(in.rs1)}
	case o >= opSC && o <= opAMOMAXU:
		return []int64{x(in.rd), x(in.rs2), x(in.rs1)}
	case o == opFLW || o == opFLD:
		return []int64{f(in.rd), x(in.rs1), int64(in.imm)}
	case o == opFSW || o == opFSD:
		return []int64{f(in.rs2), x(in.rs1), int64(in.imm)}
	case o >= opFMADD && o <= opFNMADD:
		return []int64{f(in.rd), f(in.rs1), f(in.rs2), f(in.rs3())}
	case o == opFSQRT || o == opFCVTSD || o == opFCVTDS:
		return []int64{f(in.rd), f(in.rs1)}
	case o >= opFADD && o <= opFMAX:
		return []int64{f(in.rd), f(in.rs1), f(in.rs2)}
	case o >= opFEQ && o <= opFLE:
		return []int64{x(in.rd), f(in.rs1), f(in.rs2)}
	case o == opFCLASS || o == opFMVXF || o >= opFCVTWF && o <= opFCVTLUF:
		return []int64{x(in.rd), f(in.rs1)}
	case o == opFMVFX || o >= opFCVTFW && o <= opFCVTFLU:
		return []int64{f(in.rd), x(in.rs1)}
	}
	return nil
}

// hasRM reports whether the instruction has a rounding-mode field.
func hasRM(o op) bool {
	switch o {
	case opFMADD, opFMSUB, opFNMSUB, opFNMADD, opFADD, opFSUB, opFMUL, opFDIV, opFSQRT,
		opFCVTWF, opFCVTWUF, opFCVTLF, opFCVTLUF, opFCVTFW, opFCVTFWU, opFCVTFL, opFCVTFLU,
		opFCVTSD, opFCVTDS:
		return true
	}
	return false
}

// compare checks our decoding of raw (n bytes) against x/arch's. It
// returns a description of a mismatch, or "".
func compare(raw uint32, n int) string {
	var buf [4]byte
	binary.LittleEndian.PutUint32(buf[:], raw)
	ours := decode(raw)
	theirs, err := riscv64asm.Decode(buf[:n])
	if err != nil || theirs.Len != n {
		if ours.op == opIllegal || n == 2 && compressedHint(raw) {
			return ""
		}
		if (ours.op == opFENCE || ours.op == opFENCEI || ours.op == opSFENCEVMA) && n == 4 {
			return "" // reserved fence fields: ordinary fence (see above)
		}
		return fmt.Sprintf("%#x: we decode %v, x/arch: %v", raw, ours, err)
	}
	if n == 2 && (raw == 0 || compressedHint(raw)) {
		return "" // c.unimp (x/arch shows it as unimp); hints (x/arch drops imm)
	}
	name := theirs.Op.String()
	want, known := ourOps[name]
	if !known {
		if ours.op != opIllegal {
			return fmt.Sprintf("%#x: x/arch %s (not RV64GC), we decode op %d", raw, name, ours.op)
		}
		return ""
	}
	if ours.op == opIllegal {
		if hasRM(want.op) && field(raw, 14, 12) >= 5 && field(raw, 14, 12) != 7 {
			return "" // reserved rounding mode
		}
		return fmt.Sprintf("%#x: x/arch %s, we say illegal", raw, theirs)
	}
	if ours.op != want.op || (want.size != 0 && ours.size != want.size) {
		return fmt.Sprintf("%#x: x/arch %s, we decode op %d size %d", raw, theirs, ours.op, ours.size)
	}
	if int(ours.len) != n {
		return fmt.Sprintf("%#x: length %d, want %d", raw, ours.len, n)
	}
	if n == 2 && ours.op == opJAL {
		return "" // x/arch mis-decodes c.j offsets; see TestDecodeCJ
	}
	a, b := ourOperands(ours), theirOperands(theirs)
	if ours.op == opLUI || ours.op == opAUIPC {
		b[1] &= 0xFFFFF
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		return fmt.Sprintf("%#x: %s: our operands %v, x/arch %v", raw, theirs, a, b)
	}
	if hasRM(ours.op) && uint32(ours.rm()) != field(raw, 14, 12) {
		return fmt.Sprintf("%#x: rm %d", raw, ours.rm())
	}
	return ""
}

// compressedHint reports whether raw is one of RV64C's HINT encodings,
// which execute as their expansion (a no-op) but which x/arch rejects or
// renders without their operands.
func compressedHint(raw uint32) bool {
	rd := field(raw, 11, 7)
	imm := field(raw, 12, 12)<<5 | field(raw, 6, 2)
	rs2 := field(raw, 6, 2)
	q, f3 := raw&3, field(raw, 15, 13)
	switch {
	case q == 1 && f3 == 0: // c.nop with imm, c.addi with imm 0
		return (rd == 0) != (imm == 0) || rd == 0
	case q == 1 && f3 == 2, q == 1 && f3 == 3 && rd != 2: // c.li, c.lui to x0
		return rd == 0
	case q == 1 && f3 == 4 && field(raw, 11, 10) < 2: // c.srli, c.srai by 0
		return imm == 0
	case q == 2 && f3 == 0: // c.slli to x0 or by 0
		return rd == 0 || imm == 0
	case q == 2 && f3 == 4 && rs2 != 0: // c.mv, c.add to x0
		return rd == 0
	}
	return false
}

func TestDecodeCompressedAgainstXArch(t *testing.T) {
	var bad []string
	for v := uint32(0); v < 1<<16; v++ {
		if v&3 == 3 {
			continue
		}
		if msg := compare(v, 2); msg != "" {
			bad = append(bad, msg)
		}
	}
	assert.Empty(t, bad, "%d mismatches, first: %s", len(bad), strings.Join(first(bad, 20), "\n"))
}

func TestDecode32AgainstXArch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var bad []string
	n := 500_000
	if testing.Short() {
		n = 50_000
	}
	for i := 0; i < n; i++ {
		raw := rng.Uint32() | 3
		// Bias half the sample towards the opcodes we implement so that
		// each gets many hits: keep a random valid major opcode.
		if i%2 == 0 {
			majors := []uint32{0x37, 0x17, 0x6F, 0x67, 0x63, 0x03, 0x23, 0x13, 0x1B, 0x33, 0x3B,
				0x0F, 0x73, 0x2F, 0x07, 0x27, 0x43, 0x47, 0x4B, 0x4F, 0x53}
			raw = raw&^0x7F | majors[rng.IntN(len(majors))]
		}
		if msg := compare(raw, 4); msg != "" {
			bad = append(bad, msg)
		}
	}
	assert.Empty(t, bad, "%d mismatches, first: %s", len(bad), strings.Join(first(bad, 20), "\n"))
}

// TestDecodeEveryOpReached makes sure the sample above exercises every op.
func TestDecodeEveryOpReached(t *testing.T) {
	seen := make(map[op]bool)
	// Every major opcode with every funct3, funct7 and rs2 value.
	for major := uint32(3); major < 0x80; major += 4 {
		for f3 := uint32(0); f3 < 8; f3++ {
			for f7 := uint32(0); f7 < 128; f7++ {
				for rs2 := uint32(0); rs2 < 32; rs2++ {
					seen[decode(f7<<25|rs2<<20|f3<<12|major).op] = true
				}
			}
		}
	}
	for v := uint32(0); v < 1<<16; v++ {
		if v&3 != 3 {
			seen[decode(v).op] = true
		}
	}
	// Fixed encodings a random sample will not hit.
	for _, raw := range []uint32{0x00000073, 0x00100073, 0x10200073, 0x30200073, 0x10500073, 0x0000100f, 0x12000073} {
		seen[decode(raw).op] = true
	}
	for o := opIllegal; o < opCount; o++ {
		require.True(t, seen[o], "op %d never decoded", o)
	}
}

// TestDecodeCJ checks c.j offsets against GNU objdump
// (riscv64-unknown-elf-objdump -b binary -m riscv:rv64 -D).
func TestDecodeCJ(t *testing.T) {
	for _, c := range []struct {
		raw uint16
		off int64
	}{{0xa009, 2}, {0xa005, 32}, {0xa011, 4}, {0xbffd, -2}, {0xb001, -2048}, {0xaffd, 2046}, {0xa8a1, 88}} {
		in := decode(uint32(c.raw))
		assert.Equal(t, opJAL, in.op)
		assert.Equal(t, c.off, int64(in.imm), "c.j %#04x", c.raw)
		assert.Equal(t, uint8(zeroSink), in.rd, "c.j links to x0")
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// A decoded page holds an insn per 2-byte offset: its size is the
// interpreter's cache footprint (see insn).
func TestInsnIs16Bytes(t *testing.T) {
	assert.Equal(t, uintptr(16), unsafe.Sizeof(insn{}))
}
