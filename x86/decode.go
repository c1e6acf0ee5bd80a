package x86

// This file owns decoding: prefixes, opcode, ModRM/SIB, displacement and
// immediates become an insn, which the execute loop (exec.go) switches on.
// Decoding depends only on the bytes and the default size of the code
// segment, so decoded instructions can be cached per physical page.

// insn is a decoded instruction.
type insn struct {
	op    uint16 // one-byte opcode, 0x100|second byte after 0x0F, or opUD/opTooLong
	len   uint8  // 0: slot not decoded yet
	pfx   uint8  // pfx* bits
	seg   uint8  // segment of the memory operand (override or default)
	mod   uint8  // ModRM fields; mod 3 means rm is a register
	reg   uint8
	rm    uint8
	base  uint8 // registers of the effective address; noReg for none
	index uint8
	scale uint8 // index shift, 0..3
	// disp is the displacement of a memory operand, or for instructions
	// without ModRM a second immediate: the far-pointer selector of a far
	// call or jump, and enter's level.
	disp uint32
	imm  uint32
}

const (
	pfxO16   = 1 << 0 // 16-bit operands
	pfxA16   = 1 << 1 // 16-bit addressing
	pfxLock  = 1 << 2
	pfxRep   = 1 << 3 // F3
	pfxRepne = 1 << 4 // F2
	pfxSeg   = 1 << 5 // a segment override was given
)

const (
	opUD      = 0x200 // invalid or unimplemented: #UD
	opTooLong = 0x201 // longer than 15 bytes: #GP(0)
	noReg     = 8
)

// Immediate kinds in the opcode tables.
const (
	immNone  = iota
	immB     // 8-bit, zero-extended
	immBS    // 8-bit, sign-extended
	immW     // 16-bit
	immZ     // 16 or 32 bits by operand size, sign-extended
	immMoffs // 16 or 32-bit address (by address size) in disp
	immEnter // iw then ib
	immFar   // offset (iz) then selector (iw)
	immGrp3  // ib/iz only for /0 and /1 (test), by operand size
	immGrp3B // the same, byte form
)

type opInfo struct {
	valid bool
	modrm bool
	imm   uint8
}

var oneByte, twoByte [256]opInfo

func init() {
	set := func(t *[256]opInfo, lo, hi int, modrm bool, imm uint8) {
		for i := lo; i <= hi; i++ {
			t[i] = opInfo{true, modrm, imm}
		}
	}
	t := &oneByte
	for i := 0; i < 8; i++ { // ALU groups 00-3F
		b := i * 8
		set(t, b, b+3, true, immNone)
		set(t, b+4, b+4, false, immB)
		set(t, b+5, b+5, false, immZ)
	}
	set(t, 0x06, 0x07, false, immNone) // push/pop es
	set(t, 0x0E, 0x0E, false, immNone)
	set(t, 0x16, 0x17, false, immNone)
	set(t, 0x1E, 0x1F, false, immNone)
	set(t, 0x40, 0x61, false, immNone) // inc, dec, push, pop, pusha, popa
	set(t, 0x68, 0x68, false, immZ)
	set(t, 0x69, 0x69, true, immZ)
	set(t, 0x6A, 0x6A, false, immBS)
	set(t, 0x6B, 0x6B, true, immBS)
	set(t, 0x6C, 0x6F, false, immNone)
	set(t, 0x70, 0x7F, false, immBS)
	set(t, 0x80, 0x80, true, immB)
	set(t, 0x81, 0x81, true, immZ)
	set(t, 0x82, 0x82, true, immB)
	set(t, 0x83, 0x83, true, immBS)
	set(t, 0x84, 0x8F, true, immNone)
	set(t, 0x90, 0x99, false, immNone)
	set(t, 0x9A, 0x9A, false, immFar)
	set(t, 0x9B, 0x9F, false, immNone)
	set(t, 0xA0, 0xA3, false, immMoffs)
	set(t, 0xA4, 0xA7, false, immNone)
	set(t, 0xA8, 0xA8, false, immB)
	set(t, 0xA9, 0xA9, false, immZ)
	set(t, 0xAA, 0xAF, false, immNone)
	set(t, 0xB0, 0xB7, false, immB)
	set(t, 0xB8, 0xBF, false, immZ)
	set(t, 0xC0, 0xC1, true, immB)
	set(t, 0xC2, 0xC2, false, immW)
	set(t, 0xC3, 0xC3, false, immNone)
	set(t, 0xC4, 0xC5, true, immNone)
	set(t, 0xC6, 0xC6, true, immB)
	set(t, 0xC7, 0xC7, true, immZ)
	set(t, 0xC8, 0xC8, false, immEnter)
	set(t, 0xC9, 0xC9, false, immNone)
	set(t, 0xCA, 0xCA, false, immW)
	set(t, 0xCB, 0xCC, false, immNone)
	set(t, 0xCD, 0xCD, false, immB)
	set(t, 0xCE, 0xCF, false, immNone)
	set(t, 0xD0, 0xD3, true, immNone)
	set(t, 0xD7, 0xD7, false, immNone)
	set(t, 0xD8, 0xDF, true, immNone) // x87: mostly #NM or #UD at execute
	set(t, 0xE0, 0xE3, false, immBS)
	set(t, 0xE4, 0xE7, false, immB)
	set(t, 0xE8, 0xE9, false, immZ)
	set(t, 0xEA, 0xEA, false, immFar)
	set(t, 0xEB, 0xEB, false, immBS)
	set(t, 0xEC, 0xEF, false, immNone)
	set(t, 0xF4, 0xF5, false, immNone)
	set(t, 0xF6, 0xF6, true, immGrp3B)
	set(t, 0xF7, 0xF7, true, immGrp3)
	set(t, 0xF8, 0xFD, false, immNone)
	set(t, 0xFE, 0xFF, true, immNone)

	t = &twoByte
	set(t, 0x00, 0x01, true, immNone)
	set(t, 0x06, 0x06, false, immNone)
	set(t, 0x08, 0x09, false, immNone)
	set(t, 0x0B, 0x0B, false, immNone)
	set(t, 0x0D, 0x0D, true, immNone)
	set(t, 0x18, 0x1F, true, immNone) // hint nops
	set(t, 0x20, 0x23, true, immNone)
	set(t, 0x30, 0x32, false, immNone)
	set(t, 0x40, 0x4F, true, immNone)
	set(t, 0x80, 0x8F, false, immZ)
	set(t, 0x90, 0x9F, true, immNone)
	set(t, 0xA0, 0xA2, false, immNone)
	set(t, 0xA3, 0xA3, true, immNone)
	set(t, 0xA4, 0xA4, true, immB)
	set(t, 0xA5, 0xA5, true, immNone)
	set(t, 0xA8, 0xA9, false, immNone)
	set(t, 0xAB, 0xAB, true, immNone)
	set(t, 0xAC, 0xAC, true, immB)
	set(t, 0xAD, 0xAD, true, immNone)
	set(t, 0xAE, 0xB7, true, immNone)
	set(t, 0xBA, 0xBA, true, immB)
	set(t, 0xBB, 0xC1, true, immNone)
	set(t, 0xC7, 0xC7, true, immNone)
	set(t, 0xC8, 0xCF, false, immNone)
}

// maxInsnLen is the architectural limit on instruction length.
const maxInsnLen = 15

// decode decodes the instruction at the start of b into in, for a code
// segment of default size 32 bits if big. It returns false if b (at most
// maxInsnLen bytes available) ends before the instruction does; with
// maxInsnLen bytes it always succeeds (opTooLong if they do not suffice).
func decode(b []byte, big bool, in *insn) bool {
	*in = insn{base: noReg, index: noReg, seg: DS}
	o16, a16 := !big, !big
	var pfx uint8
	segOver := -1
	p := 0
	need := func(n int) bool { return p+n <= len(b) }
	// Prefixes.
	var op int
	for {
		if !need(1) {
			return tooShort(b, in)
		}
		switch c := b[p]; c {
		case 0x66:
			o16 = big
		case 0x67:
			a16 = big
		case 0x26, 0x2E, 0x36, 0x3E:
			segOver = int(c>>3) & 3
		case 0x64:
			segOver = FS
		case 0x65:
			segOver = GS
		case 0xF0:
			pfx |= pfxLock
		case 0xF2:
			pfx = pfx&^pfxRep | pfxRepne
		case 0xF3:
			pfx = pfx&^pfxRepne | pfxRep
		default:
			op = int(c)
			p++
			goto opcode
		}
		p++
	}
opcode:
	if o16 {
		pfx |= pfxO16
	}
	if a16 {
		pfx |= pfxA16
	}
	info := oneByte[op]
	if op == 0x0F {
		if !need(1) {
			return tooShort(b, in)
		}
		op = 0x100 | int(b[p])
		p++
		info = twoByte[op&0xFF]
	}
	in.op = uint16(op)
	in.pfx = pfx
	if !info.valid {
		return finish(b, in, p, opUD)
	}
	if info.modrm {
		if !need(1) {
			return tooShort(b, in)
		}
		m := b[p]
		p++
		in.mod, in.reg, in.rm = m>>6, m>>3&7, m&7
		if op >= 0x120 && op <= 0x123 {
			in.mod = 3 // mov to/from control and debug registers
		}
		if in.mod != 3 {
			var ok bool
			if a16 {
				p, ok = modrm16(b, p, in)
			} else {
				p, ok = modrm32(b, p, in)
			}
			if !ok {
				return tooShort(b, in)
			}
		}
	}
	// Immediates.
	immSize := 0
	switch info.imm {
	case immB, immBS:
		immSize = 1
	case immW:
		immSize = 2
	case immZ, immFar:
		immSize = 4
		if o16 {
			immSize = 2
		}
	case immMoffs:
		n := 4
		if a16 {
			n = 2
		}
		if !need(n) {
			return tooShort(b, in)
		}
		in.disp = le(b[p:], n)
		p += n
	case immEnter:
		immSize = 2
	case immGrp3, immGrp3B:
		if in.reg < 2 {
			immSize = 1
			if info.imm == immGrp3 {
				immSize = 4
				if o16 {
					immSize = 2
				}
			}
		}
	}
	if immSize > 0 {
		if !need(immSize) {
			return tooShort(b, in)
		}
		v := le(b[p:], immSize)
		p += immSize
		switch {
		case info.imm == immBS:
			v = uint32(int32(int8(v)))
		case info.imm == immZ && immSize == 2:
			v = uint32(int32(int16(v)))
		}
		in.imm = v
	}
	switch info.imm {
	case immEnter:
		if !need(1) {
			return tooShort(b, in)
		}
		in.disp = uint32(b[p])
		p++
	case immFar:
		if !need(2) {
			return tooShort(b, in)
		}
		in.disp = le(b[p:], 2)
		p += 2
	}
	if segOver >= 0 {
		in.seg = uint8(segOver)
		in.pfx |= pfxSeg
	}
	return finish(b, in, p, in.op)
}

// finish sets the length, turning an instruction over the limit into
// opTooLong.
func finish(b []byte, in *insn, p int, op uint16) bool {
	if p > maxInsnLen {
		in.op, in.len = opTooLong, maxInsnLen
		return true
	}
	in.op = op
	in.len = uint8(p)
	return true
}

// tooShort reports that b ended inside the instruction: the caller
// should supply more bytes, unless it gave the maximum.
func tooShort(b []byte, in *insn) bool {
	if len(b) >= maxInsnLen {
		*in = insn{op: opTooLong, len: maxInsnLen}
		return true
	}
	return false
}

func le(b []byte, n int) uint32 {
	switch n {
	case 1:
		return uint32(b[0])
	case 2:
		return uint32(b[0]) | uint32(b[1])<<8
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// modrm32 decodes the memory operand of a 32-bit ModRM (with SIB).
func modrm32(b []byte, p int, in *insn) (int, bool) {
	rm := in.rm
	dispSize := 0
	switch in.mod {
	case 1:
		dispSize = 1
	case 2:
		dispSize = 4
	}
	if rm == 4 {
		if p >= len(b) {
			return p, false
		}
		sib := b[p]
		p++
		in.scale = sib >> 6
		if idx := sib >> 3 & 7; idx != 4 {
			in.index = idx
		}
		base := sib & 7
		if base == 5 && in.mod == 0 {
			dispSize = 4
		} else {
			in.base = base
		}
	} else if rm == 5 && in.mod == 0 {
		dispSize = 4
	} else {
		in.base = rm
	}
	if in.base == ESP || in.base == EBP {
		in.seg = SS
	}
	if p+dispSize > len(b) {
		return p, false
	}
	switch dispSize {
	case 1:
		in.disp = uint32(int32(int8(b[p])))
	case 4:
		in.disp = le(b[p:], 4)
	}
	return p + dispSize, true
}

// The base and index registers of the eight 16-bit addressing forms.
var (
	base16  = [8]uint8{EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX}
	index16 = [8]uint8{ESI, EDI, ESI, EDI, noReg, noReg, noReg, noReg}
)

// modrm16 decodes the memory operand of a 16-bit ModRM.
func modrm16(b []byte, p int, in *insn) (int, bool) {
	dispSize := 0
	switch in.mod {
	case 0:
		if in.rm == 6 {
			dispSize = 2
		}
	case 1:
		dispSize = 1
	case 2:
		dispSize = 2
	}
	if !(in.mod == 0 && in.rm == 6) {
		in.base, in.index = base16[in.rm], index16[in.rm]
		if in.base == EBP {
			in.seg = SS
		}
	}
	if p+dispSize > len(b) {
		return p, false
	}
	switch dispSize {
	case 1:
		in.disp = uint32(int32(int8(b[p])))
	case 2:
		in.disp = le(b[p:], 2)
	}
	return p + dispSize, true
}

// Specialized opcodes: the commonest 32-bit forms get an op of their own
// after decoding (see specialize), so the interpreter reaches their few
// lines of semantics with one dispatch and no tests of ModRM or size. The
// register operands are normalized: rm is the destination, reg the source.
const (
	opMovRR   = 0x210 + iota // r[rm] = r[reg]
	opLoad32                 // r[reg] = [ea]
	opStore32                // [ea] = r[reg]
	opAddRR                  // r[rm] += r[reg]
	opSubRR
	opCmpRR
	opAndRR
	opOrRR
	opTestRR
	opAddRI // r[rm] += imm
	opSubRI
	opCmpRI
	opAndRI
	opCmpRM  // r[reg] - [ea]
	opPush32 // push r[rm]
	opPop32  // pop r[rm]
	opCall32 // call rel32
	opRet32  // ret
	opJcc    // jcc rel32 (0F 8x), condition in reg
	opLea32  // r[reg] = ea
	opMovRI  // r[rm] = imm

	opJmp      // jmp rel8/rel32
	opXorRR    // r[rm] ^= r[reg]; xor r, r has QEMU's non-lazy flags
	opOrRI     // r[rm] |= imm
	opXorRI    // r[rm] ^= imm
	opTestRI   // r[rm] & imm
	opTestRB   // r8[rm] & imm8
	opMovzxRB  // r[reg] = r8[rm]
	opLoadZB   // r[reg] = byte [ea]
	opShiftRI  // group 2 op reg of r[rm] by imm
	opAluMI    // ALU op reg of dword [ea] and imm
	opStoreI32 // [ea] = imm
	opImulRI   // r[reg] = r[rm] * imm
	opLeave32  // leave with a 32-bit operand

	opNop     // nop, pause (any prefixes), xchg ax, ax
	opPushf32 // pushf
	opPushI32 // push imm
	opCli     // cli
	opAluRM32 // ALU op imm (add or adc sbb and sub xor) of r[reg] and [ea]
	opCmpMR   // [ea] - r[reg]
	opTestMB  // byte [ea] & imm8
	opNotR    // r[rm] = ^r[rm]
	opNegR    // r[rm] = -r[rm]
	opStore8  // byte [ea] = r8[reg]
	opImulRR  // r[reg] *= r[rm]
)

// specialize rewrites a decoded instruction into a specialized op when
// it has one. decode itself stays a plain decoder (tests compare it with
// x86asm).
func specialize(in *insn) {
	if in.op == 0x90 {
		in.op = opNop
		return
	}
	// A locked ALU op on memory with an immediate (gcc's full barrier is
	// lock orl $0, (%esp)) keeps its prefix, for the count of locked
	// operations. cmp cannot be locked: it stays generic.
	if in.pfx&(pfxO16|pfxA16|pfxLock) == pfxLock && (in.op == 0x81 || in.op == 0x83) && in.mod != 3 && in.reg != aluCmp {
		in.op = opAluMI
		return
	}
	// 16-bit addressing is left to the interpreter, whose effective
	// address computation masks it; 32-bit code never asks for it.
	if in.pfx&(pfxO16|pfxLock|pfxA16) != 0 {
		return
	}
	reg := in.mod == 3
	swap := func() { in.rm, in.reg = in.reg, in.rm }
	switch in.op {
	case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57:
		in.rm = uint8(in.op & 7)
		in.op = opPush32
	case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F:
		in.rm = uint8(in.op & 7)
		in.op = opPop32
	case 0xE8:
		in.op = opCall32
	case 0xC3:
		in.op = opRet32
	case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF:
		in.rm = uint8(in.op & 7)
		in.op = opMovRI
	case 0x8D:
		if !reg && in.pfx&pfxA16 == 0 {
			in.op = opLea32
		}
	case 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187,
		0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D, 0x18E, 0x18F,
		0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
		0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F:
		in.reg = uint8(in.op & 15)
		in.op = opJcc
	case 0xEB, 0xE9:
		in.op = opJmp
	case 0x05, 0x0D, 0x25, 0x2D, 0x35, 0x3D: // op eax, imm32
		in.rm = EAX
		in.op = [8]uint16{aluAdd: opAddRI, aluOr: opOrRI, aluAnd: opAndRI,
			aluSub: opSubRI, aluXor: opXorRI, aluCmp: opCmpRI}[in.op>>3&7]
	case 0xA9:
		in.rm = EAX
		in.op = opTestRI
	case 0xF6:
		if in.reg < 2 {
			in.op = opTestRB
			if !reg {
				in.op = opTestMB
			}
		}
	case 0x9C:
		in.op = opPushf32
	case 0x68, 0x6A:
		in.op = opPushI32
	case 0xFA:
		in.op = opCli
	case 0xA8:
		in.rm = EAX // al
		in.op = opTestRB
	case 0x69, 0x6B:
		if reg {
			in.op = opImulRI
		}
	case 0xC9:
		in.op = opLeave32
	case 0xA1, 0xA3: // mov eax, moffs and back: no base or index
		if in.pfx&pfxA16 == 0 {
			in.reg = EAX
			in.op = [2]uint16{opLoad32, opStore32}[in.op>>1&1]
		}
	case 0x31, 0x33:
		if reg {
			if in.op == 0x33 {
				swap()
			}
			in.op = opXorRR
		} else if in.op == 0x33 {
			in.imm = aluXor
			in.op = opAluRM32
		}
	case 0x1B6:
		if reg {
			in.op = opMovzxRB
		} else if in.pfx&pfxA16 == 0 {
			in.op = opLoadZB
		}
	case 0xC1:
		if reg {
			in.op = opShiftRI
		}
	case 0xD1:
		if reg {
			in.imm = 1
			in.op = opShiftRI
		}
	case 0xF7:
		switch {
		case reg && in.reg < 2:
			in.op = opTestRI
		case reg && in.reg == 2:
			in.op = opNotR
		case reg && in.reg == 3:
			in.op = opNegR
		}
	case 0x88:
		if !reg {
			in.op = opStore8
		}
	case 0x1AF:
		if reg {
			in.op = opImulRR
		}
	case 0xC7:
		if !reg && in.reg == 0 {
			in.op = opStoreI32
		}
	case 0x89:
		if reg {
			in.op = opMovRR
		} else {
			in.op = opStore32
		}
	case 0x8B:
		if reg {
			in.op = opMovRR
			swap()
		} else {
			in.op = opLoad32
		}
	case 0x13, 0x1B: // adc and sbb with registers stay generic
		if !reg {
			in.imm = uint32(in.op >> 3 & 7)
			in.op = opAluRM32
		}
	case 0x01, 0x03, 0x29, 0x2B, 0x39, 0x3B, 0x21, 0x23, 0x09, 0x0B, 0x85:
		if !reg {
			switch in.op {
			case 0x3B:
				in.op = opCmpRM
			case 0x39:
				in.op = opCmpMR
			case 0x03, 0x0B, 0x23, 0x2B:
				in.imm = uint32(in.op >> 3 & 7)
				in.op = opAluRM32
			}
			return
		}
		if in.op&2 != 0 && in.op != 0x85 {
			swap() // G,E: the register field is the destination
		}
		switch in.op &^ 2 {
		case 0x01:
			in.op = opAddRR
		case 0x29:
			in.op = opSubRR
		case 0x39:
			in.op = opCmpRR
		case 0x21:
			in.op = opAndRR
		case 0x09:
			in.op = opOrRR
		case 0x85:
			in.op = opTestRR
		}
	case 0x81, 0x83:
		if !reg {
			in.op = opAluMI
			return
		}
		switch in.reg {
		case aluAdd:
			in.op = opAddRI
		case aluSub:
			in.op = opSubRI
		case aluCmp:
			in.op = opCmpRI
		case aluAnd:
			in.op = opAndRI
		case aluOr:
			in.op = opOrRI
		case aluXor:
			in.op = opXorRI
		}
	}
}
