package rv64

import sf "github.com/xv6emu/xv6emu/softfloat"

// This file owns the F and D extensions: operand NaN-boxing, rounding-mode
// selection, fflags accrual and dispatch to package softfloat, which does
// the arithmetic bit-exactly.

const (
	boxMask = 0xFFFFFFFF00000000
	rmDyn   = 7
)

// single returns FP register r as a binary32; a value that is not properly
// NaN-boxed reads as the canonical NaN.
func (h *Hart) single(r uint8) uint32 {
	v := h.f[r]
	if v&boxMask != boxMask {
		return sf.CanonicalNaN32
	}
	return uint32(v)
}

func (h *Hart) setSingle(r uint8, v uint32) {
	h.f[r] = boxMask | uint64(v)
	h.markFPDirty()
}

func (h *Hart) setDouble(r uint8, v uint64) {
	h.f[r] = v
	h.markFPDirty()
}

func (h *Hart) accrue(fl sf.Flags) {
	if fl != 0 {
		h.csr.fflags |= fl
		h.markFPDirty()
	}
}

// float executes an F/D instruction, returning false if it trapped.
func (h *Hart) float(in *insn) bool {
	if h.fs() == fsOff {
		h.illegalInsn(in)
		return false
	}
	rm := in.rm()
	if rm == rmDyn {
		rm = h.csr.frm
	}
	switch in.op {
	case opFLW, opFLD:
		size := uint64(4) << (in.op - opFLW)
		v, ok := h.read(h.x[in.rs1]+uint64(in.imm), size)
		if !ok {
			return false
		}
		if size == 4 {
			v |= boxMask
		}
		h.setDouble(in.rd, v)
		return true
	case opFSW, opFSD:
		size := uint64(4) << (in.op - opFSW)
		return h.write(h.x[in.rs1]+uint64(in.imm), size, h.f[in.rs2])
	case opFMADD, opFMSUB, opFNMSUB, opFNMADD, opFADD, opFSUB, opFMUL, opFDIV, opFSQRT,
		opFCVTWF, opFCVTWUF, opFCVTLF, opFCVTLUF, opFCVTFW, opFCVTFWU, opFCVTFL, opFCVTFLU,
		opFCVTSD, opFCVTDS:
		if rm > sf.RMM {
			h.illegalInsn(in)
			return false
		}
	}
	if in.size == 4 {
		h.float32(in, rm)
	} else {
		h.float64(in, rm)
	}
	return true
}

func (h *Hart) float32(in *insn, rm uint8) {
	a, b := h.single(in.rs1), h.single(in.rs2)
	var r uint32
	var fl sf.Flags
	switch in.op {
	case opFMADD:
		r, fl = sf.MulAdd32(a, b, h.single(in.rs3()), rm)
	case opFMSUB:
		r, fl = sf.MulSub32(a, b, h.single(in.rs3()), rm)
	case opFNMSUB:
		r, fl = sf.NegMulSub32(a, b, h.single(in.rs3()), rm)
	case opFNMADD:
		r, fl = sf.NegMulAdd32(a, b, h.single(in.rs3()), rm)
	case opFADD:
		r, fl = sf.Add32(a, b, rm)
	case opFSUB:
		r, fl = sf.Sub32(a, b, rm)
	case opFMUL:
		r, fl = sf.Mul32(a, b, rm)
	case opFDIV:
		r, fl = sf.Div32(a, b, rm)
	case opFSQRT:
		r, fl = sf.Sqrt32(a, rm)
	case opFSGNJ:
		r = a&^(1<<31) | b&(1<<31)
	case opFSGNJN:
		r = a&^(1<<31) | ^b&(1<<31)
	case opFSGNJX:
		r = a ^ b&(1<<31)
	case opFMIN:
		r, fl = sf.Min32(a, b)
	case opFMAX:
		r, fl = sf.Max32(a, b)
	case opFCVTSD:
		r, fl = sf.F64ToF32(h.f[in.rs1], rm)
	case opFCVTFW:
		r, fl = sf.I32ToF32(int32(h.x[in.rs1]), rm)
	case opFCVTFWU:
		r, fl = sf.U32ToF32(uint32(h.x[in.rs1]), rm)
	case opFCVTFL:
		r, fl = sf.I64ToF32(int64(h.x[in.rs1]), rm)
	case opFCVTFLU:
		r, fl = sf.U64ToF32(h.x[in.rs1], rm)
	case opFMVFX:
		r = uint32(h.x[in.rs1])
	default:
		h.floatToInt32(in, a, rm)
		return
	}
	h.accrue(fl)
	h.setSingle(in.rd, r)
}

// floatToInt32 handles the binary32 instructions that write an integer
// register: compares, classify, moves and conversions.
func (h *Hart) floatToInt32(in *insn, a uint32, rm uint8) {
	b := h.single(in.rs2)
	var v uint64
	var fl sf.Flags
	var t bool
	switch in.op {
	case opFEQ:
		t, fl = sf.Eq32(a, b)
		v = b2u(t)
	case opFLT:
		t, fl = sf.Lt32(a, b)
		v = b2u(t)
	case opFLE:
		t, fl = sf.Le32(a, b)
		v = b2u(t)
	case opFCLASS:
		v = sf.Class32(a)
	case opFMVXF:
		v = sext32(h.f[in.rs1]) // raw bits, boxed or not
	case opFCVTWF:
		var i int32
		i, fl = sf.F32ToI32(a, rm)
		v = uint64(int64(i))
	case opFCVTWUF:
		var u uint32
		u, fl = sf.F32ToU32(a, rm)
		v = sext32(uint64(u))
	case opFCVTLF:
		var i int64
		i, fl = sf.F32ToI64(a, rm)
		v = uint64(i)
	case opFCVTLUF:
		v, fl = sf.F32ToU64(a, rm)
	}
	h.accrue(fl)
	h.x[in.rd] = v
}

func (h *Hart) float64(in *insn, rm uint8) {
	a, b := h.f[in.rs1], h.f[in.rs2]
	var r uint64
	var fl sf.Flags
	const sign = 1 << 63
	switch in.op {
	case opFMADD:
		r, fl = sf.MulAdd64(a, b, h.f[in.rs3()], rm)
	case opFMSUB:
		r, fl = sf.MulSub64(a, b, h.f[in.rs3()], rm)
	case opFNMSUB:
		r, fl = sf.NegMulSub64(a, b, h.f[in.rs3()], rm)
	case opFNMADD:
		r, fl = sf.NegMulAdd64(a, b, h.f[in.rs3()], rm)
	case opFADD:
		r, fl = sf.Add64(a, b, rm)
	case opFSUB:
		r, fl = sf.Sub64(a, b, rm)
	case opFMUL:
		r, fl = sf.Mul64(a, b, rm)
	case opFDIV:
		r, fl = sf.Div64(a, b, rm)
	case opFSQRT:
		r, fl = sf.Sqrt64(a, rm)
	case opFSGNJ:
		r = a&^sign | b&sign
	case opFSGNJN:
		r = a&^sign | ^b&sign
	case opFSGNJX:
		r = a ^ b&sign
	case opFMIN:
		r, fl = sf.Min64(a, b)
	case opFMAX:
		r, fl = sf.Max64(a, b)
	case opFCVTDS:
		r, fl = sf.F32ToF64(h.single(in.rs1))
	case opFCVTFW:
		r, fl = sf.I32ToF64(int32(h.x[in.rs1]), rm)
	case opFCVTFWU:
		r, fl = sf.U32ToF64(uint32(h.x[in.rs1]), rm)
	case opFCVTFL:
		r, fl = sf.I64ToF64(int64(h.x[in.rs1]), rm)
	case opFCVTFLU:
		r, fl = sf.U64ToF64(h.x[in.rs1], rm)
	case opFMVFX:
		r = h.x[in.rs1]
	default:
		h.floatToInt64(in, a, b, rm)
		return
	}
	h.accrue(fl)
	h.setDouble(in.rd, r)
}

// floatToInt64 is floatToInt32 for binary64 operands.
func (h *Hart) floatToInt64(in *insn, a, b uint64, rm uint8) {
	var v uint64
	var fl sf.Flags
	var t bool
	switch in.op {
	case opFEQ:
		t, fl = sf.Eq64(a, b)
		v = b2u(t)
	case opFLT:
		t, fl = sf.Lt64(a, b)
		v = b2u(t)
	case opFLE:
		t, fl = sf.Le64(a, b)
		v = b2u(t)
	case opFCLASS:
		v = sf.Class64(a)
	case opFMVXF:
		v = a
	case opFCVTWF:
		var i int32
		i, fl = sf.F64ToI32(a, rm)
		v = uint64(int64(i))
	case opFCVTWUF:
		var u uint32
		u, fl = sf.F64ToU32(a, rm)
		v = sext32(uint64(u))
	case opFCVTLF:
		var i int64
		i, fl = sf.F64ToI64(a, rm)
		v = uint64(i)
	case opFCVTLUF:
		v, fl = sf.F64ToU64(a, rm)
	}
	h.accrue(fl)
	h.x[in.rd] = v
}
