package x86

import "math/bits"

// This file owns the semantics of the arithmetic groups: ALU operations,
// shifts and rotates, multiply and divide, bit tests and scans.

// ALU operations in opcode order (00-3F, and /reg of group 1).
const (
	aluAdd = iota
	aluOr
	aluAdc
	aluSbb
	aluAnd
	aluSub
	aluXor
	aluCmp
)

// alu computes a op b on size-byte operands and sets the flags.
func (c *CPU) alu(op uint8, a, b uint32, size int) uint32 {
	var r uint32
	switch op {
	case aluAdd:
		r = a + b
		c.setLazy(lazyAdd, size, r, a, b)
	case aluOr:
		r = a | b
		c.setLazy(lazyLogic, size, r, 0, 0)
	case aluAdc:
		if c.cf() {
			r = a + b + 1
			c.setLazy(lazyAdc, size, r, a, b)
		} else {
			r = a + b
			c.setLazy(lazyAdd, size, r, a, b)
		}
	case aluSbb:
		if c.cf() {
			r = a - b - 1
			c.setLazy(lazySbb, size, r, a, b)
		} else {
			r = a - b
			c.setLazy(lazySub, size, r, a, b)
		}
	case aluAnd:
		r = a & b
		c.setLazy(lazyLogic, size, r, 0, 0)
	case aluSub, aluCmp:
		r = a - b
		c.setLazy(lazySub, size, r, a, b)
	case aluXor:
		r = a ^ b
		c.setLazy(lazyLogic, size, r, 0, 0)
	}
	return r & sizeMask[size&7]
}

// aluRM applies op to the r/m operand and b, writing the result back
// unless op is cmp.
func (c *CPU) aluRM(in *insn, op uint8, size int, b uint32) {
	b &= sizeMask[size&7]
	if in.mod == 3 {
		if op == aluXor && in.rm == in.reg && in.op < 0x40 {
			c.xorZero(in.rm, size)
			return
		}
		r := c.alu(op, c.getReg(in.rm, size), b, size)
		if op != aluCmp {
			c.setReg(in.rm, size, r)
		}
		return
	}
	if op == aluCmp {
		c.alu(op, c.read(int(in.seg), c.ea(in), size), b, size)
		return
	}
	ref := c.rmRef(in, size)
	r := c.alu(op, c.refRead(ref, size), b, size)
	c.refWrite(ref, size, r)
	if in.pfx&pfxLock != 0 {
		c.Stats.LockOther++
	}
}

// xorZero is xor r, r. Its flags are not lazy: QEMU records them as
// "cleared" (ZF and PF only), which later differs from a lazy xor in the
// undefined flags of bt, so this CPU does the same.
func (c *CPU) xorZero(r uint8, size int) {
	c.setReg(r, size, 0)
	c.flags = c.flags&^arithFlags | FlagZF | FlagPF
	c.lz.op = lazyNone
}

func (c *CPU) inc(v uint32, size int) uint32 {
	r := (v + 1) & sizeMask[size&7]
	c.setLazy(lazyInc, size, r, v, b2u(c.cf()))
	return r
}

func (c *CPU) dec(v uint32, size int) uint32 {
	r := (v - 1) & sizeMask[size&7]
	c.setLazy(lazyDec, size, r, v, b2u(c.cf()))
	return r
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// shift performs group-2 operation op (rol ror rcl rcr shl shr sal sar) of
// v by count on a size-byte operand. It returns false when the count is
// zero: then neither the operand nor the flags change.
func (c *CPU) shift(op uint8, v, count uint32, size int) (uint32, bool) {
	count &= 31
	if count == 0 {
		return v, false
	}
	n := uint32(size * 8)
	m := sizeMask[size&7]
	s := sizeSign[size&7]
	v &= m
	var r uint32
	switch op {
	case 0, 1: // rol, ror
		k := count % n
		if op == 0 {
			r = (v<<k | v>>(n-k)) & m
		} else {
			r = (v>>k | v<<(n-k)) & m
		}
		c.settle()
		f := c.flags &^ (FlagCF | FlagOF)
		var cf, of bool
		if op == 0 {
			cf = r&1 != 0
			of = (r&s != 0) != cf
		} else {
			cf = r&s != 0
			of = cf != (r&(s>>1) != 0)
		}
		if cf {
			f |= FlagCF
		}
		if of {
			f |= FlagOF
		}
		c.flags = f
	case 2, 3: // rcl, rcr: rotate through CF, n+1 bits wide
		k := count % (n + 1)
		if k == 0 {
			return v, false
		}
		cin := uint64(b2u(c.cf()))
		wide := uint64(v) | cin<<n // CF above the operand
		w := uint64(n + 1)
		var out uint64
		if op == 2 {
			out = (wide<<k | wide>>(w-uint64(k))) & (1<<w - 1)
		} else {
			out = (wide>>k | wide<<(w-uint64(k))) & (1<<w - 1)
		}
		r = uint32(out) & m
		c.settle()
		f := c.flags &^ (FlagCF | FlagOF)
		if out>>n&1 != 0 {
			f |= FlagCF
		}
		if (v^r)&s != 0 {
			f |= FlagOF
		}
		c.flags = f
	case 4, 6: // shl
		r = v << count
		c.setLazy(lazyShl, size, r, v<<(count-1), 0)
		r &= m
	case 5: // shr
		r = v >> count
		c.setLazy(lazyShr, size, r, v>>(count-1), 0)
	case 7: // sar
		sv := int32(v<<(32-n)) >> (32 - n)
		r = uint32(sv>>count) & m
		c.setLazy(lazyShr, size, r, uint32(sv>>(count-1)), 0)
	}
	return r, true
}

// shiftDouble performs shld (left) or shrd of dst with bits from src.
func (c *CPU) shiftDouble(left bool, dst, src, count uint32, size int) (uint32, bool) {
	count &= 31
	if count == 0 {
		return dst, false
	}
	m := sizeMask[size&7]
	var r uint32
	if size == 4 {
		if left {
			r = dst<<count | src>>(32-count)
			c.setLazy(lazyShl, 4, r, dst<<(count-1), 0)
		} else {
			r = dst>>count | src<<(32-count)
			c.setLazy(lazyShr, 4, r, dst>>(count-1), 0)
		}
		return r, true
	}
	// 16 bits: shift the 48-bit dst:src:dst (Intel's behaviour for counts
	// above 16).
	d, s := uint64(dst&m), uint64(src&m)
	if left {
		w := d<<32 | s<<16 | d
		r = uint32(w<<count>>32) & m
		c.setLazy(lazyShl, 2, r, uint32(w<<(count-1)>>32), 0)
	} else {
		w := d | s<<16 | d<<32
		r = uint32(w>>count) & m
		c.setLazy(lazyShr, 2, r, uint32(w>>(count-1)), 0)
	}
	return r, true
}

// mulFlags records a multiply's flags: res is the low half, over whether
// the high half is significant.
func (c *CPU) mulFlags(size int, res uint32, over bool) {
	c.setLazy(lazyMul, size, res, 0, b2u(over))
}

// imul2 is the two- and three-operand signed multiply.
func (c *CPU) imul2(a, b uint32, size int) uint32 {
	if size == 2 {
		p := int32(int16(a)) * int32(int16(b))
		c.mulFlags(2, uint32(p), p != int32(int16(p)))
		return uint32(p) & 0xFFFF
	}
	p := int64(int32(a)) * int64(int32(b))
	c.mulFlags(4, uint32(p), p != int64(int32(p)))
	return uint32(p)
}

// mulDiv runs group 3 (F6/F7) /2../7: not, neg, mul, imul, div, idiv.
func (c *CPU) mulDiv(in *insn, size int) {
	op := in.reg
	if op == 2 || op == 3 { // not, neg: read-modify-write
		var ref uint64
		var v uint32
		if in.mod == 3 {
			v = c.getReg(in.rm, size)
		} else {
			ref = c.rmRef(in, size)
			v = c.refRead(ref, size)
		}
		var r uint32
		if op == 2 {
			r = ^v & sizeMask[size&7]
		} else {
			r = -v & sizeMask[size&7]
			c.setLazy(lazySub, size, r, 0, v)
		}
		if in.mod == 3 {
			c.setReg(in.rm, size, r)
		} else {
			c.refWrite(ref, size, r)
		}
		return
	}
	src := c.readRM(in, size)
	switch size {
	case 1:
		al := c.r[EAX] & 0xFF
		switch op {
		case 4:
			p := al * src
			c.setReg(EAX, 2, p)
			c.mulFlags(1, p, p>>8 != 0)
		case 5:
			p := int32(int8(al)) * int32(int8(src))
			c.setReg(EAX, 2, uint32(p))
			c.mulFlags(1, uint32(p), p != int32(int8(p)))
		case 6:
			ax := c.r[EAX] & 0xFFFF
			if src == 0 || ax/src > 0xFF {
				c.raise(excDE, 0, false)
			}
			c.setReg(EAX, 2, (ax%src)<<8|ax/src)
		case 7:
			ax := int32(int16(c.r[EAX]))
			d := int32(int8(src))
			if d == 0 {
				c.raise(excDE, 0, false)
			}
			q := ax / d
			if q != int32(int8(q)) {
				c.raise(excDE, 0, false)
			}
			c.setReg(EAX, 2, uint32(ax%d)<<8&0xFF00|uint32(q)&0xFF)
		}
	case 2:
		ax := c.r[EAX] & 0xFFFF
		switch op {
		case 4:
			p := ax * src
			c.setReg(EAX, 2, p)
			c.setReg(EDX, 2, p>>16)
			c.mulFlags(2, p, p>>16 != 0)
		case 5:
			p := int32(int16(ax)) * int32(int16(src))
			c.setReg(EAX, 2, uint32(p))
			c.setReg(EDX, 2, uint32(p)>>16)
			c.mulFlags(2, uint32(p), p != int32(int16(p)))
		case 6:
			n := (c.r[EDX]&0xFFFF)<<16 | ax
			if src == 0 || n/src > 0xFFFF {
				c.raise(excDE, 0, false)
			}
			c.setReg(EAX, 2, n/src)
			c.setReg(EDX, 2, n%src)
		case 7:
			n := int32((c.r[EDX]&0xFFFF)<<16 | ax)
			d := int32(int16(src))
			if d == 0 {
				c.raise(excDE, 0, false)
			}
			if n == -1<<31 && d == -1 {
				c.raise(excDE, 0, false)
			}
			q := n / d
			if q != int32(int16(q)) {
				c.raise(excDE, 0, false)
			}
			c.setReg(EAX, 2, uint32(q))
			c.setReg(EDX, 2, uint32(n%d))
		}
	default:
		eax := c.r[EAX]
		switch op {
		case 4:
			hi, lo := bits.Mul32(eax, src)
			c.r[EAX], c.r[EDX] = lo, hi
			c.mulFlags(4, lo, hi != 0)
		case 5:
			p := int64(int32(eax)) * int64(int32(src))
			c.r[EAX], c.r[EDX] = uint32(p), uint32(p>>32)
			c.mulFlags(4, uint32(p), p != int64(int32(p)))
		case 6:
			if src == 0 || c.r[EDX] >= src {
				c.raise(excDE, 0, false)
			}
			q, r := bits.Div32(c.r[EDX], eax, src)
			c.r[EAX], c.r[EDX] = q, r
		case 7:
			n := int64(uint64(c.r[EDX])<<32 | uint64(eax))
			d := int64(int32(src))
			if d == 0 || n == -1<<63 && d == -1 {
				c.raise(excDE, 0, false)
			}
			q := n / d
			if q != int64(int32(q)) {
				c.raise(excDE, 0, false)
			}
			c.r[EAX], c.r[EDX] = uint32(q), uint32(n%d)
		}
	}
}

// bitTest runs bt/bts/btr/btc (op 0..3) on the r/m operand; off is the
// bit offset, which for a memory operand given by a register may reach
// outside the addressed word (immediate says it came from an imm8).
func (c *CPU) bitTest(in *insn, op uint8, off uint32, size int, immediate bool) {
	bitsN := uint32(size * 8)
	if in.mod == 3 {
		v := c.getReg(in.rm, size)
		bit := off & (bitsN - 1)
		c.btFlags(v >> bit)
		if nv, ok := bitOp(op, v, bit); ok {
			c.setReg(in.rm, size, nv)
		}
		return
	}
	addr := c.ea(in)
	bit := off & (bitsN - 1)
	if !immediate {
		var disp int32
		if size == 2 {
			disp = int32(int16(off)) >> 4 * 2
		} else {
			disp = int32(off) >> 5 * 4
		}
		addr += uint32(disp)
		if in.pfx&pfxA16 != 0 {
			addr &= 0xFFFF
		}
	}
	if op == 0 {
		v := c.read(int(in.seg), addr, size)
		c.btFlags(v >> bit)
		return
	}
	ref := c.wref(int(in.seg), addr, size)
	v := c.refRead(ref, size)
	nv, _ := bitOp(op, v, bit)
	if nv != v {
		c.refWrite(ref, size, nv)
	}
	c.btFlags(v >> bit)
	if in.pfx&pfxLock != 0 {
		c.Stats.LockOther++
	}
}

// btFlags sets CF to the tested bit (the low bit of shifted, the operand
// shifted right by the bit number). The other flags are undefined; QEMU
// keeps the last result and recomputes them as after a right shift of
// shifted, and so does this CPU, so signatures match.
func (c *CPU) btFlags(shifted uint32) {
	if c.lz.op == lazyNone {
		c.setCF(shifted&1 != 0)
		return
	}
	c.lz.op = lazyShr
	c.lz.a = shifted
}

func bitOp(op uint8, v, bit uint32) (uint32, bool) {
	switch op {
	case 1:
		return v | 1<<bit, true
	case 2:
		return v &^ (1 << bit), true
	case 3:
		return v ^ 1<<bit, true
	}
	return v, false
}
