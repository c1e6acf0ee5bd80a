package x86

import "math/bits"

// This file owns lazy flags: an arithmetic instruction records its kind,
// operands and result, and CF, PF, AF, ZF, SF and OF are computed only when
// something reads them. Where the SDM leaves a flag undefined, the values
// are those QEMU computes, so signatures compare bit for bit.

const (
	lazyNone  = iota // c.flags holds the arithmetic flags
	lazyAdd          // res = a + b
	lazyAdc          // res = a + b + 1 (adc with carry in; adc without is lazyAdd)
	lazySub          // res = a - b (sub, cmp, neg with a = 0)
	lazySbb          // res = a - b - 1
	lazyLogic        // CF = OF = AF = 0
	lazyInc          // res = a + 1, b = CF before
	lazyDec          // res = a - 1, b = CF before
	lazyShl          // a = operand << (count-1)
	lazyShr          // a = operand >> (count-1), logical or arithmetic
	lazyMul          // b = 1 if the high half is significant
)

type lazyFlags struct {
	op   uint8
	size uint8 // operand size in bytes: 1, 2 or 4
	res  uint32
	a, b uint32
}

// Operand masks and sign bits by size in bytes; 8 long so that an index
// masked with 7 needs no bounds check.
var sizeMask = [8]uint32{1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}
var sizeSign = [8]uint32{1: 0x80, 2: 0x8000, 4: 0x80000000}

// setLazy records an operation for the lazy flags. The fields are stored
// one by one: a struct literal is built on the stack and copied with one
// wide load, which stalls on the narrow stores just made.
func (c *CPU) setLazy(op uint8, size int, res, a, b uint32) {
	l := &c.lz
	l.op, l.size, l.res, l.a, l.b = op, uint8(size), res&sizeMask[size&7], a, b
}

// lazy32 is setLazy for a 32-bit operation.
func (c *CPU) lazy32(op uint8, res, a, b uint32) {
	l := &c.lz
	l.op, l.size, l.res, l.a, l.b = op, 4, res, a, b
}

func parity(v uint32) uint32 {
	if bits.OnesCount8(uint8(v))&1 == 0 {
		return FlagPF
	}
	return 0
}

// cf computes the carry flag.
func (c *CPU) cf() bool {
	l := &c.lz
	m := sizeMask[l.size&7]
	switch l.op {
	case lazyNone:
		return c.flags&FlagCF != 0
	case lazyAdd:
		return l.res < l.a&m
	case lazyAdc:
		return l.res <= l.a&m
	case lazySub:
		return l.a&m < l.b&m
	case lazySbb:
		return l.a&m <= l.b&m
	case lazyInc, lazyDec, lazyMul:
		return l.b != 0
	case lazyShl:
		return l.a>>(8*uint32(l.size)-1)&1 != 0
	case lazyShr:
		return l.a&1 != 0
	}
	return false
}

func (c *CPU) zf() bool {
	if c.lz.op == lazyNone {
		return c.flags&FlagZF != 0
	}
	return c.lz.res == 0
}

func (c *CPU) sf() bool {
	if c.lz.op == lazyNone {
		return c.flags&FlagSF != 0
	}
	return c.lz.res&sizeSign[c.lz.size&7] != 0
}

func (c *CPU) of() bool {
	l := &c.lz
	s := sizeSign[l.size&7]
	switch l.op {
	case lazyNone:
		return c.flags&FlagOF != 0
	case lazyAdd, lazyAdc:
		return (l.a^l.res)&(l.b^l.res)&s != 0
	case lazySub, lazySbb:
		return (l.a^l.b)&(l.a^l.res)&s != 0
	case lazyInc:
		return l.res == s
	case lazyDec:
		return l.res == s-1
	case lazyShl, lazyShr:
		return (l.a^l.res)&s != 0
	case lazyMul:
		return l.b != 0
	}
	return false
}

// getFlags returns EFLAGS with the arithmetic flags computed.
func (c *CPU) getFlags() uint32 {
	l := &c.lz
	if l.op == lazyNone {
		return c.flags
	}
	f := c.flags &^ arithFlags
	if c.cf() {
		f |= FlagCF
	}
	f |= parity(l.res)
	switch l.op {
	case lazyAdd, lazyAdc, lazySub, lazySbb:
		f |= (l.a ^ l.b ^ l.res) & FlagAF
	case lazyInc:
		if l.res&0xF == 0 {
			f |= FlagAF
		}
	case lazyDec:
		if l.res&0xF == 0xF {
			f |= FlagAF
		}
	}
	if l.res == 0 {
		f |= FlagZF
	}
	if l.res&sizeSign[l.size&7] != 0 {
		f |= FlagSF
	}
	if c.of() {
		f |= FlagOF
	}
	return f
}

// settle stores the computed arithmetic flags in c.flags.
func (c *CPU) settle() {
	if c.lz.op != lazyNone {
		c.flags = c.getFlags()
		c.lz.op = lazyNone
	}
}

// setFlagBits replaces the flags in mask with those in v (arithmetic flags
// included), with bit 1 always set.
func (c *CPU) setFlagBits(mask, v uint32) {
	c.settle()
	c.flags = c.flags&^mask | v&mask | 2
}

// setCF sets or clears CF, keeping the other flags.
func (c *CPU) setCF(on bool) {
	c.settle()
	if on {
		c.flags |= FlagCF
	} else {
		c.flags &^= FlagCF
	}
}

// cond evaluates condition code cc (the low nibble of jcc/setcc/cmovcc).
// After a 32-bit compare or sub, or a logic op such as test, the common
// conditions come from a table indexed by how the operands compare (for a
// logic op, by ZF and SF), without computing any flag.
func (c *CPU) cond(cc uint8) bool {
	l := &c.lz
	cc &= 15
	if l.size == 4 && subConds>>cc&1 != 0 {
		var k uint32
		switch l.op {
		case lazySub:
			k = b2u(l.a < l.b) | b2u(l.a == l.b)<<1 | b2u(int32(l.a) < int32(l.b))<<2
		case lazyLogic:
			// CF = OF = 0: never below, and less is SF.
			k = b2u(l.res == 0)<<1 | b2u(int32(l.res) < 0)<<2
		default:
			return c.condSlow(cc)
		}
		return condTable[cc]>>k&1 != 0
	}
	return c.condSlow(cc)
}

// subConds are the condition codes condTable answers: b ae e ne be a l ge
// le g.
const subConds = 0xF0FC

// condTable[cc] has bit k set when cc holds for a compare whose operands
// are below (k bit 0, unsigned), equal (bit 1) and less (bit 2, signed).
var condTable = func() (t [16]uint8) {
	for k := 0; k < 8; k++ {
		b, e, l := k&1 != 0, k&2 != 0, k&4 != 0
		for cc, v := range map[int]bool{2: b, 3: !b, 4: e, 5: !e, 6: b || e, 7: !b && !e,
			0xC: l, 0xD: !l, 0xE: l || e, 0xF: !l && !e} {
			if v {
				t[cc] |= 1 << k
			}
		}
	}
	return t
}()

// condSlow evaluates any condition from the lazy or settled flags.
func (c *CPU) condSlow(cc uint8) bool {
	// Fast path: a test (or logic op) decides from its result.
	if l := &c.lz; l.op == lazyLogic && l.size == 4 {
		r := int32(l.res)
		switch cc {
		case 4:
			return r == 0
		case 5:
			return r != 0
		case 8, 0xC:
			return r < 0
		case 9, 0xD:
			return r >= 0
		case 0xE:
			return r <= 0
		case 0xF:
			return r > 0
		}
	}
	var r bool
	switch cc >> 1 {
	case 0:
		r = c.of()
	case 1:
		r = c.cf()
	case 2:
		r = c.zf()
	case 3:
		r = c.cf() || c.zf()
	case 4:
		r = c.sf()
	case 5:
		if c.lz.op == lazyNone {
			r = c.flags&FlagPF != 0
		} else {
			r = parity(c.lz.res) != 0
		}
	case 6:
		r = c.sf() != c.of()
	case 7:
		r = c.zf() || c.sf() != c.of()
	}
	return r != (cc&1 != 0)
}
