package x86

import (
	"fmt"
	"math/rand"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// The decoder is checked against golang.org/x/arch/x86/x86asm: for every
// opcode this CPU implements, with every ModRM byte, in 32- and 16-bit
// code, the length, the memory operand and the immediate must agree.

// x86asmReg maps x86asm's general registers to our numbering.
func x86asmReg(r x86asm.Reg) uint8 {
	switch {
	case r >= x86asm.EAX && r <= x86asm.EDI:
		return uint8(r - x86asm.EAX)
	case r >= x86asm.AX && r <= x86asm.DI:
		return uint8(r - x86asm.AX)
	case r == 0:
		return noReg
	}
	return 0xFF
}

var segRegs = map[x86asm.Reg]uint8{x86asm.ES: ES, x86asm.CS: CS, x86asm.SS: SS, x86asm.DS: DS, x86asm.FS: FS, x86asm.GS: GS}

// checkDecode compares our decoding of b with x86asm's; it returns an
// error describing the first difference.
func checkDecode(b []byte, big bool) error {
	var in insn
	decode(b, big, &in)
	if in.op == opUD || in.op == opTooLong {
		return nil
	}
	mode := 32
	if !big {
		mode = 16
	}
	if memoryOnly(&in) {
		return nil // a register form this CPU rejects with #UD
	}
	if in.op >= 0x120 && in.op <= 0x123 && b[in.len-1] < 0xC0 {
		return nil // mov cr/dr ignore ModRM.mod (SDM; QEMU); x86asm reads an address
	}
	inst, err := x86asm.Decode(b, mode)
	if (err != nil || inst.Op == 0) && unconfirmable(&in) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("% x: we decode op %#x len %d; x86asm: %v", b[:in.len], in.op, in.len, err)
	}
	if inst.Len != int(in.len) {
		return fmt.Errorf("% x (%v): length %d, x86asm %d", b[:in.len], inst, in.len, inst.Len)
	}
	hasModRM := oneByte[in.op&0xFF].modrm
	if in.op >= 0x100 {
		hasModRM = twoByte[in.op&0xFF].modrm
	}
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Mem:
			if !hasModRM {
				continue // string operands and xlat are implicit
			}
			if in.mod == 3 {
				return fmt.Errorf("% x (%v): we see no memory operand", b[:in.len], inst)
			}
			if x86asmReg(a.Base) != in.base || x86asmReg(a.Index) != in.index && !(a.Index == 0 && in.index == noReg) {
				return fmt.Errorf("% x (%v): base/index %d/%d", b[:in.len], inst, in.base, in.index)
			}
			if a.Index != 0 && 1<<in.scale != a.Scale {
				return fmt.Errorf("% x (%v): scale %d", b[:in.len], inst, 1<<in.scale)
			}
			disp := in.disp
			if in.pfx&pfxA16 != 0 {
				disp &= 0xFFFF
				a.Disp &= 0xFFFF
			}
			if uint32(a.Disp) != disp {
				return fmt.Errorf("% x (%v): disp %#x", b[:in.len], inst, in.disp)
			}
			if a.Segment != 0 && segRegs[a.Segment] != in.seg {
				return fmt.Errorf("% x (%v): segment %d", b[:in.len], inst, in.seg)
			}
		case x86asm.Imm:
			if in.op == 0xC8 || in.op == 0x9A || in.op == 0xEA || in.op == 0xD0 || in.op == 0xD1 || in.op == 0xCC {
				continue // two immediates, or shift by an implicit 1
			}
			m := uint32(0xFFFFFFFF)
			if inst.DataSize == 16 || in.op&0xFE == 0xC2 || in.op&0xFE == 0xCA {
				m = 0xFFFF
			}
			if uint32(a)&m != in.imm&m && uint32(a)&0xFF != in.imm&0xFF {
				return fmt.Errorf("% x (%v): imm %#x", b[:in.len], inst, in.imm)
			}
		}
	}
	return nil
}

// unconfirmable reports decodings x86asm rejects that this CPU either
// executes as the aliases real CPUs have (82 = 80, F6/F7 /1 = test,
// group 2 /6 = shl) or rejects itself with #UD at execution (reserved
// ModRM.reg values); their lengths follow the same tables as their
// siblings, which are checked.
func unconfirmable(in *insn) bool {
	switch in.op {
	case 0x10D, 0x118, 0x119, 0x11A, 0x11B, 0x11C, 0x11D, 0x11E, 0x11F: // hint nops
		return true
	case 0x82:
		return true
	case 0xF6, 0xF7:
		return in.reg == 1
	case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3:
		return in.reg == 6
	case 0xC6, 0xC7, 0x8F:
		return in.reg != 0
	case 0xFE:
		return in.reg > 1
	case 0xFF:
		return in.reg == 7
	case 0x8C, 0x8E:
		return in.reg > 5
	case 0x100:
		return in.reg > 5
	case 0x101:
		return in.reg == 5 || in.mod == 3
	case 0x1BA:
		return in.reg < 4
	case 0x1AE: // x86asm knows only rm 0 of the fences
		return true
	case 0x1C7:
		return in.reg != 1 || in.mod == 3
	}
	return in.op >= 0xD8 && in.op <= 0xDF // x87: #NM or #UD here
}

// memoryOnly reports the register forms of memory-only instructions:
// #UD on this CPU, VEX prefixes or other instructions for x86asm.
func memoryOnly(in *insn) bool {
	if in.mod != 3 {
		return false
	}
	switch in.op {
	case 0x8D, 0xC4, 0xC5, 0x1B2, 0x1B4, 0x1B5, 0x1C7:
		return true
	case 0x101:
		return in.reg != 4 && in.reg != 6
	case 0xFF:
		return in.reg == 3 || in.reg == 5
	}
	return false
}

// operandBytes are what follows an opcode: every ModRM, then bytes that
// make SIB and displacement forms appear.
func operandBytes(modrm int, r *rand.Rand) []byte {
	b := []byte{byte(modrm)}
	for i := 0; i < 13; i++ {
		b = append(b, byte(r.Intn(256)))
	}
	return b
}

func TestDecodeOpcodesAgainstX86asm(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	fails := 0
	for _, big := range []bool{true, false} {
		for op := 0; op < 0x200; op++ {
			var prefix []byte
			if op >= 0x100 {
				prefix = []byte{0x0F, byte(op)}
			} else {
				switch op {
				case 0x0F, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3:
					continue
				}
				prefix = []byte{byte(op)}
			}
			for m := 0; m < 256; m++ {
				for _, size := range [][]byte{nil, {0x66}, {0x67}} {
					b := append(append(append([]byte{}, size...), prefix...), operandBytes(m, r)...)
					if err := checkDecode(b[:maxInsnLen], big); err != nil {
						t.Errorf("big=%v: %v", big, err)
						if fails++; fails > 20 {
							t.Fatal("too many failures")
						}
					}
				}
			}
		}
	}
}

func TestDecodeRandomAgainstX86asm(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	prefixes := []byte{0x66, 0x67, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0xF0, 0xF2, 0xF3}
	n, checked := 200000, 0
	if testing.Short() {
		n = 20000
	}
	fails := 0
	for i := 0; i < n; i++ {
		b := make([]byte, maxInsnLen)
		for j := range b {
			b[j] = byte(r.Intn(256))
		}
		for j := 0; j < r.Intn(3); j++ {
			b[j] = prefixes[r.Intn(len(prefixes))]
		}
		big := r.Intn(4) != 0
		var in insn
		decode(b, big, &in)
		if in.op != opUD && in.op != opTooLong {
			checked++
		}
		if err := checkDecode(b, big); err != nil {
			t.Errorf("big=%v: %v", big, err)
			if fails++; fails > 20 {
				t.Fatal("too many failures")
			}
		}
	}
	t.Logf("%d of %d random streams decoded and checked", checked, n)
}

// TestDecodeShortInput: a truncated instruction asks for more bytes and
// never reads past its input.
func TestDecodeShortInput(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 20000; i++ {
		b := make([]byte, maxInsnLen)
		for j := range b {
			b[j] = byte(r.Intn(256))
		}
		var full insn
		decode(b, true, &full)
		for n := 0; n < int(full.len); n++ {
			var in insn
			if decode(b[:n], true, &in) && full.op != opTooLong {
				t.Fatalf("% x: %d of %d bytes decoded as complete", b, n, full.len)
			}
		}
	}
}
