//go:build linux && amd64

package rv64

import "encoding/binary"

// emitter writes amd64 machine code for the translator (jit.go). It knows
// the few encodings the translator needs and nothing else: 64- and 32-bit
// integer ops between a register and a register or [base+disp] operand,
// immediates, shifts, setcc, jumps with 32-bit displacements patched
// later. Memory operands take any base register but no index.
type emitter struct {
	b []byte
}

// amd64 registers, numbered as in their encodings.
type xreg uint8

const (
	rAX xreg = iota
	rCX
	rDX
	rBX
	rSP
	rBP
	rSI
	rDI
	r8
	r9
	r10
	r11
	r12
	r13
)

// Condition codes (the low nibble of jcc and setcc).
const (
	ccB  = 0x2 // unsigned <
	ccAE = 0x3 // unsigned >=
	ccE  = 0x4
	ccNE = 0x5
	ccA  = 0x7 // unsigned >
	ccL  = 0xC // signed <
	ccGE = 0xD // signed >=
)

// Group-1 ALU ops: the /digit of 81 and 83, and (times 8, plus 3) the
// opcode of "op reg, r/m".
const (
	aluADD = 0
	aluOR  = 1
	aluAND = 4
	aluSUB = 5
	aluXOR = 6
	aluCMP = 7
)

// Shift ops: the /digit of C1 and D3.
const (
	shSHL = 4
	shSHR = 5
	shSAR = 7
)

func (e *emitter) bytes(v ...byte) { e.b = append(e.b, v...) }

func (e *emitter) imm32(v int32) { e.b = binary.LittleEndian.AppendUint32(e.b, uint32(v)) }

// rex writes a REX prefix if one is needed: w for a 64-bit operand, r the
// register in ModRM.reg, b the one in ModRM.rm (or the base).
func (e *emitter) rex(w bool, r, b xreg) {
	v := byte(0x40)
	if w {
		v |= 8
	}
	if r >= 8 {
		v |= 4
	}
	if b >= 8 {
		v |= 1
	}
	if v != 0x40 {
		e.b = append(e.b, v)
	}
}

// modMem writes the ModRM byte (with SIB and displacement as needed) for
// the operand [base+disp] and reg field r.
func (e *emitter) modMem(r, base xreg, disp int32) {
	rr, bb := byte(r&7)<<3, byte(base&7)
	var mod byte
	switch {
	case disp == 0 && bb != 5: // [rbp] and [r13] have no disp-less form
	case disp >= -128 && disp <= 127:
		mod = 1
	default:
		mod = 2
	}
	e.b = append(e.b, mod<<6|rr|bb)
	if bb == 4 { // [rsp] and [r12] need a SIB byte
		e.b = append(e.b, 0x24)
	}
	switch mod {
	case 1:
		e.b = append(e.b, byte(int8(disp)))
	case 2:
		e.imm32(disp)
	}
}

// mem writes an instruction with opcode op (one or two bytes after any
// REX) and operands r and [base+disp].
func (e *emitter) mem(w bool, op []byte, r, base xreg, disp int32) {
	e.rex(w, r, base)
	e.b = append(e.b, op...)
	e.modMem(r, base, disp)
}

// regs writes an instruction with opcode op and register operands r
// (ModRM.reg) and rm.
func (e *emitter) regs(w bool, op []byte, r, rm xreg) {
	e.rex(w, r, rm)
	e.b = append(e.b, op...)
	e.b = append(e.b, 0xC0|byte(r&7)<<3|byte(rm&7))
}

// load: mov r, [base+disp] (64-bit).
func (e *emitter) load(r, base xreg, disp int32) { e.mem(true, []byte{0x8B}, r, base, disp) }

// load32: mov r32, [base+disp] (zero-extends).
func (e *emitter) load32(r, base xreg, disp int32) { e.mem(false, []byte{0x8B}, r, base, disp) }

// store: mov [base+disp], r (64-bit).
func (e *emitter) store(base xreg, disp int32, r xreg) { e.mem(true, []byte{0x89}, r, base, disp) }

// storeImm: mov qword [base+disp], imm (sign-extended).
func (e *emitter) storeImm(base xreg, disp, imm int32) {
	e.mem(true, []byte{0xC7}, 0, base, disp)
	e.imm32(imm)
}

// movReg: mov dst, src (64-bit).
func (e *emitter) movReg(dst, src xreg) { e.regs(true, []byte{0x89}, src, dst) }

// movImm64: mov r, imm64.
func (e *emitter) movImm64(r xreg, v uint64) {
	e.rex(true, 0, r)
	e.b = append(e.b, 0xB8+byte(r&7))
	e.b = binary.LittleEndian.AppendUint64(e.b, v)
}

// movImm32: mov r32, imm (zero-extends).
func (e *emitter) movImm32(r xreg, v uint32) {
	e.rex(false, 0, r)
	e.b = append(e.b, 0xB8+byte(r&7))
	e.b = binary.LittleEndian.AppendUint32(e.b, v)
}

// lea: lea r, [base+disp].
func (e *emitter) lea(r, base xreg, disp int32) { e.mem(true, []byte{0x8D}, r, base, disp) }

// aluMem: op r, [base+disp].
func (e *emitter) aluMem(w bool, op int, r, base xreg, disp int32) {
	e.mem(w, []byte{byte(op<<3 | 3)}, r, base, disp)
}

// aluReg: op dst, src.
func (e *emitter) aluReg(w bool, op int, dst, src xreg) {
	e.regs(w, []byte{byte(op<<3 | 3)}, dst, src)
}

// aluImm: op r, imm (sign-extended to the operand size).
func (e *emitter) aluImm(w bool, op int, r xreg, imm int32) {
	if imm >= -128 && imm <= 127 {
		e.regs(w, []byte{0x83}, xreg(op), r)
		e.b = append(e.b, byte(int8(imm)))
		return
	}
	e.regs(w, []byte{0x81}, xreg(op), r)
	e.imm32(imm)
}

// testImm: test r, imm (sign-extended).
func (e *emitter) testImm(w bool, r xreg, imm int32) {
	e.regs(w, []byte{0xF7}, 0, r)
	e.imm32(imm)
}

// shiftImm: op r, n.
func (e *emitter) shiftImm(w bool, op int, r xreg, n uint8) {
	e.regs(w, []byte{0xC1}, xreg(op), r)
	e.b = append(e.b, n)
}

// shiftCL: op r, cl.
func (e *emitter) shiftCL(w bool, op int, r xreg) { e.regs(w, []byte{0xD3}, xreg(op), r) }

// movsxd: movsxd dst, src32.
func (e *emitter) movsxd(dst, src xreg) { e.regs(true, []byte{0x63}, dst, src) }

// setcc: setcc r8, then movzx r32, r8, for rAX..rBX (no REX needed).
func (e *emitter) setcc(cc byte, r xreg) {
	e.bytes(0x0F, 0x90|cc, 0xC0|byte(r))
	e.bytes(0x0F, 0xB6, 0xC0|byte(r)<<3|byte(r))
}

// jcc writes a jump on cc with a 32-bit displacement and returns where
// the displacement is, for patch.
func (e *emitter) jcc(cc byte) int {
	e.bytes(0x0F, 0x80|cc, 0, 0, 0, 0)
	return len(e.b) - 4
}

// patch points the displacement at at to target.
func (e *emitter) patch(at, target int) {
	binary.LittleEndian.PutUint32(e.b[at:], uint32(int32(target-(at+4))))
}

// jcc8 writes a short jump on cc, to be patched to the next instruction
// written (patch8), and returns where its displacement is.
func (e *emitter) jcc8(cc byte) int {
	e.bytes(0x70|cc, 0)
	return len(e.b) - 1
}

// patch8 points the short jump whose displacement is at at here.
func (e *emitter) patch8(at int) { e.b[at] = byte(len(e.b) - (at + 1)) }

// ret: ret.
func (e *emitter) ret() { e.bytes(0xC3) }

// incMem: inc qword [base+disp].
func (e *emitter) incMem(base xreg, disp int32) { e.mem(true, []byte{0xFF}, 0, base, disp) }
