package x86

import "math/bits"

// exec0F executes a two-byte (0F xx) opcode. It returns false when the
// run loop must return at once (a detected spin).
func (c *CPU) exec0F(in *insn, size int, next *uint32) bool {
	op := in.op & 0xFF
	switch {
	case op >= 0x80 && op <= 0x8F: // jcc rel16/32
		if c.cond(uint8(op)) {
			t := *next + in.imm
			if size == 2 {
				t &= 0xFFFF
			}
			if c.backEdge(c.eip, t) {
				return false
			}
			*next = t
		}
		return true
	case op >= 0x40 && op <= 0x4F: // cmovcc: the source is always read
		v := c.readRM(in, size)
		if c.cond(uint8(op)) {
			c.setReg(in.reg, size, v)
		}
		return true
	case op >= 0x90 && op <= 0x9F: // setcc
		c.writeRM(in, 1, b2u(c.cond(uint8(op))))
		return true
	case op >= 0xC8: // bswap
		r := op & 7
		if size == 2 {
			c.setReg(uint8(r), 2, 0) // undefined; QEMU and recent CPUs zero it
		} else {
			c.r[r] = bits.ReverseBytes32(c.r[r])
		}
		return true
	}
	switch op {
	case 0x00:
		c.group6(in)
	case 0x01:
		c.group7(in)
	case 0x06: // clts
		c.requireCPL0()
		c.cr0 &^= cr0TS
	case 0x08, 0x09: // invd, wbinvd
		c.requireCPL0()
	case 0x0B: // ud2
		c.raise(excUD, 0, false)
	case 0x0D, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F: // hint nops
	case 0x20, 0x22:
		c.movCR(in)
	case 0x21, 0x23:
		c.movDR(in)
	case 0x30:
		c.wrmsr()
	case 0x31:
		t := c.rdtsc()
		c.r[EAX], c.r[EDX] = uint32(t), uint32(t>>32)
	case 0x32:
		c.rdmsr()
	case 0xA0, 0xA8: // push fs, gs
		c.push(uint32(c.seg[FS+int(op>>3&1)].sel), size)
	case 0xA1, 0xA9: // pop fs, gs
		v := uint16(c.top(0, size))
		c.loadSeg(FS+int(op>>3&1), v)
		c.addSP(uint32(size))
	case 0xA2:
		c.cpuid()
	case 0xA3, 0xAB, 0xB3, 0xBB: // bt, bts, btr, btc r
		c.bitTest(in, uint8(op>>3&3), c.getReg(in.reg, size), size, false)
	case 0xBA:
		if in.reg < 4 {
			c.raise(excUD, 0, false)
		}
		c.bitTest(in, in.reg&3, in.imm&0xFF, size, true)
	case 0xA4, 0xA5, 0xAC, 0xAD: // shld, shrd
		count := in.imm
		if op&1 != 0 {
			count = c.r[ECX]
		}
		left := op < 0xA8
		src := c.getReg(in.reg, size)
		if in.mod == 3 {
			if r, ok := c.shiftDouble(left, c.getReg(in.rm, size), src, count&0xFF, size); ok {
				c.setReg(in.rm, size, r)
			}
		} else {
			ref := c.rmRef(in, size)
			if r, ok := c.shiftDouble(left, c.refRead(ref, size), src, count&0xFF, size); ok {
				c.refWrite(ref, size, r)
			}
		}
	case 0xAE: // lfence, mfence, sfence; clflush: ordering and caches are invisible here
		if in.mod == 3 && in.reg < 5 || in.mod != 3 && in.reg != 7 {
			c.raise(excUD, 0, false)
		}
	case 0xAF:
		c.setReg(in.reg, size, c.imul2(c.getReg(in.reg, size), c.readRM(in, size), size))
	case 0xB0, 0xB1:
		sz := size
		if op == 0xB0 {
			sz = 1
		}
		c.cmpxchg(in, sz)
	case 0xB2, 0xB4, 0xB5: // lss, lfs, lgs
		c.loadFar(in, size, [8]int{2: SS, 4: FS, 5: GS}[op&7])
	case 0xB6:
		c.setReg(in.reg, size, c.readRM(in, 1))
	case 0xB7:
		c.setReg(in.reg, size, c.readRM(in, 2))
	case 0xBE:
		c.setReg(in.reg, size, uint32(int8(c.readRM(in, 1))))
	case 0xBF:
		c.setReg(in.reg, size, uint32(int16(c.readRM(in, 2))))
	case 0xBC, 0xBD: // bsf, bsr: ZF from the source; the destination is kept if it is 0
		v := c.readRM(in, size)
		c.setLazy(lazyLogic, size, v, 0, 0)
		if v != 0 {
			if op == 0xBC {
				c.setReg(in.reg, size, uint32(bits.TrailingZeros32(v)))
			} else {
				c.setReg(in.reg, size, uint32(31-bits.LeadingZeros32(v)))
			}
		}
	case 0xC0, 0xC1: // xadd
		sz := size
		if op == 0xC0 {
			sz = 1
		}
		src := c.getReg(in.reg, sz)
		if in.mod == 3 {
			d := c.getReg(in.rm, sz)
			r := c.alu(aluAdd, d, src, sz)
			c.setReg(in.reg, sz, d)
			c.setReg(in.rm, sz, r)
		} else {
			ref := c.rmRef(in, sz)
			d := c.refRead(ref, sz)
			r := c.alu(aluAdd, d, src, sz)
			c.refWrite(ref, sz, r)
			c.setReg(in.reg, sz, d)
			if in.pfx&pfxLock != 0 {
				c.Stats.LockXadd++
			}
		}
	case 0xC7:
		if in.reg != 1 || in.mod == 3 {
			c.raise(excUD, 0, false)
		}
		c.cmpxchg8b(in)
	default:
		c.raise(excUD, 0, false)
	}
	return true
}

// cmpxchg compares the accumulator with the r/m operand: equal, it stores
// the register there; not, it loads the operand into the accumulator.
func (c *CPU) cmpxchg(in *insn, size int) {
	src := c.getReg(in.reg, size)
	acc := c.getReg(EAX, size)
	if in.mod == 3 {
		d := c.getReg(in.rm, size)
		c.alu(aluCmp, acc, d, size)
		if acc == d {
			c.setReg(in.rm, size, src)
		} else {
			c.setReg(EAX, size, d)
		}
		return
	}
	if in.pfx&pfxLock != 0 {
		c.Stats.LockCmpxchg++
	}
	ref := c.rmRef(in, size)
	d := c.refRead(ref, size)
	c.alu(aluCmp, acc, d, size)
	if acc == d {
		if src != d {
			c.refWrite(ref, size, src)
		}
	} else {
		c.setReg(EAX, size, d)
	}
}

func (c *CPU) cmpxchg8b(in *insn) {
	if in.pfx&pfxLock != 0 {
		c.Stats.LockCmpxchg++
	}
	a := c.ea(in)
	c.checkWritable(c.segAddr(int(in.seg), a, 8, true), 8)
	l := c.read(int(in.seg), a, 4)
	h := c.read(int(in.seg), a+4, 4)
	c.settle()
	if l == c.r[EAX] && h == c.r[EDX] {
		c.flags |= FlagZF
		c.write(int(in.seg), a, 4, c.r[EBX])
		c.write(int(in.seg), a+4, 4, c.r[ECX])
	} else {
		c.flags &^= FlagZF
		c.r[EAX], c.r[EDX] = l, h
	}
}
