package x86

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
)

// This file owns the interpreter loop: fetch a decoded instruction and
// switch on its opcode. The semantics of each one-byte opcode are here or
// one call away (alu.go, string.go, system.go, seg.go, intr.go); two-byte
// opcodes are in exec0f.go.

// loop executes instructions until the step count reaches end or
// something stops the CPU (hlt, a spin). Faults unwind out of it (see
// raise).
func (c *CPU) loop(end uint64) {
	ic := &c.icache
	for c.steps < end {
		if c.intr && c.flags&FlagIF != 0 && c.steps != c.noIntAt {
			c.takeInterrupt()
			if c.shut {
				return
			}
		}
		var in *insn
		if d := uint64(c.eip) - ic.fetchEIP0; d < bus.PageSize {
			in = &ic.fetchPage.slots[d]
			if in.len == 0 {
				in = c.decodeSlot(in, ic.fetchBase, c.seg[CS].base+c.eip)
			}
		} else {
			in = c.fetchSlow(c.seg[CS].base + c.eip)
		}
		if in.op >= opMovRR && !(c.intr && c.flags&FlagIF != 0) {
			switch c.runFast(in, end) {
			case fastRan:
				continue
			case fastStop:
				return
			}
		}
		next := c.eip + uint32(in.len)
		size := 4 >> (in.pfx & pfxO16) // 2 with an operand-size prefix
		switch op := in.op; op {
		// ALU: E,G / G,E / acc,imm forms of add or adc sbb and sub xor cmp.
		case 0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38:
			c.aluRM(in, uint8(op>>3), 1, c.getReg(in.reg, 1))
		case 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39:
			if in.mod == 3 && size == 4 && c.alu32(op, in.rm, in.reg) {
				break
			}
			c.aluRM(in, uint8(op>>3), size, c.getReg(in.reg, size))
		case 0x02, 0x0A, 0x12, 0x1A, 0x22, 0x2A, 0x32, 0x3A:
			if op == 0x32 && in.mod == 3 && in.rm == in.reg {
				c.xorZero(in.reg, 1)
				break
			}
			r := c.alu(uint8(op>>3), c.getReg(in.reg, 1), c.readRM(in, 1), 1)
			if op != 0x3A {
				c.setReg(in.reg, 1, r)
			}
		case 0x03, 0x0B, 0x13, 0x1B, 0x23, 0x2B, 0x33, 0x3B:
			if size == 4 {
				if in.mod == 3 {
					if c.alu32(op, in.reg, in.rm) {
						break
					}
				} else if op == 0x3B {
					a, b := c.r[in.reg&7], c.read32(in.seg, c.ea(in))
					c.lazy32(lazySub, a-b, a, b)
					break
				}
			}
			if op == 0x33 && in.mod == 3 && in.rm == in.reg {
				c.xorZero(in.reg, size)
				break
			}
			r := c.alu(uint8(op>>3), c.getReg(in.reg, size), c.readRM(in, size), size)
			if op != 0x3B {
				c.setReg(in.reg, size, r)
			}
		case 0x04, 0x0C, 0x14, 0x1C, 0x24, 0x2C, 0x34, 0x3C:
			r := c.alu(uint8(op>>3), c.r[EAX]&0xFF, in.imm&0xFF, 1)
			if op != 0x3C {
				c.setReg(EAX, 1, r)
			}
		case 0x05, 0x0D, 0x15, 0x1D, 0x25, 0x2D, 0x35, 0x3D:
			r := c.alu(uint8(op>>3), c.getReg(EAX, size), in.imm&sizeMask[size&7], size)
			if op != 0x3D {
				c.setReg(EAX, size, r)
			}

		case 0x06, 0x0E, 0x16, 0x1E: // push es/cs/ss/ds
			c.push(uint32(c.seg[op>>3].sel), size)
		case 0x07, 0x17, 0x1F: // pop es/ss/ds
			v := uint16(c.top(0, size))
			c.loadSeg(int(op>>3), v)
			c.addSP(uint32(size))

		case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47:
			r := uint8(op & 7)
			c.setReg(r, size, c.inc(c.getReg(r, size), size))
		case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F:
			r := uint8(op & 7)
			c.setReg(r, size, c.dec(c.getReg(r, size), size))
		case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57:
			c.push(c.getReg(uint8(op&7), size), size)
		case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F:
			v := c.top(0, size)
			c.addSP(uint32(size))
			c.setReg(uint8(op&7), size, v)
		case 0x60: // pusha
			c.saveESP()
			sp := c.getReg(ESP, size)
			for r := uint8(0); r < 8; r++ {
				v := c.getReg(r, size)
				if r == ESP {
					v = sp
				}
				c.push(v, size)
			}
		case 0x61: // popa
			var v [8]uint32
			for r := 0; r < 8; r++ {
				v[7-r] = c.top(uint32(r*size), size)
			}
			for r := uint8(0); r < 8; r++ {
				if r != ESP {
					c.setReg(r, size, v[r])
				}
			}
			c.addSP(uint32(8 * size))
		case 0x68, 0x6A:
			c.push(in.imm, size)
		case 0x69, 0x6B:
			c.setReg(in.reg, size, c.imul2(c.readRM(in, size), in.imm, size))
		case 0x6C, 0x6D, 0x6E, 0x6F:
			sz := size
			if op&1 == 0 {
				sz = 1
			}
			if !c.stringIO(in, sz) {
				next = c.eip
			}

		case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
			0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F:
			if c.cond(uint8(op)) {
				t := next + in.imm
				if size == 2 {
					t &= 0xFFFF
				}
				if c.backEdge(c.eip, t) {
					return
				}
				if t < c.eip && size == 4 {
					switch c.loopIdiom(in, t, end) {
					case loopRan:
						continue
					case loopSpun:
						return
					}
				}
				next = t
			}

		case 0x80, 0x82:
			c.aluRM(in, in.reg, 1, in.imm)
		case 0x81, 0x83:
			if in.mod == 3 && size == 4 && c.alu32imm(in.reg, in.rm, in.imm) {
				break
			}
			c.aluRM(in, in.reg, size, in.imm)
		case 0x84:
			c.alu(aluAnd, c.readRM(in, 1), c.getReg(in.reg, 1), 1)
		case 0x85:
			c.alu(aluAnd, c.readRM(in, size), c.getReg(in.reg, size), size)
		case 0x86, 0x87:
			sz := size
			if op == 0x86 {
				sz = 1
			}
			c.xchg(in, sz)
		case 0x88:
			c.writeRM(in, 1, c.getReg(in.reg, 1))
		case 0x89:
			switch {
			case size == 2:
				c.writeRM(in, 2, c.getReg(in.reg, 2))
			case in.mod == 3:
				c.r[in.rm&7] = c.r[in.reg&7]
			default:
				c.write32(in.seg, c.ea(in), c.r[in.reg&7])
			}
		case 0x8A:
			c.setReg(in.reg, 1, c.readRM(in, 1))
		case 0x8B:
			switch {
			case size == 2:
				c.setReg(in.reg, 2, c.readRM(in, 2))
			case in.mod == 3:
				c.r[in.reg&7] = c.r[in.rm&7]
			default:
				c.r[in.reg&7] = c.read32(in.seg, c.ea(in))
			}
		case 0x8C: // mov r/m, sreg
			if in.reg > GS {
				c.raise(excUD, 0, false)
			}
			v := uint32(c.seg[in.reg].sel)
			if in.mod == 3 {
				c.setReg(in.rm, size, v)
			} else {
				c.write(int(in.seg), c.ea(in), 2, v)
			}
		case 0x8D: // lea
			if in.mod == 3 {
				c.raise(excUD, 0, false)
			}
			c.setReg(in.reg, size, c.ea(in))
		case 0x8E: // mov sreg, r/m
			if in.reg == CS || in.reg > GS {
				c.raise(excUD, 0, false)
			}
			c.loadSeg(int(in.reg), uint16(c.readRM(in, 2)))
		case 0x8F: // pop r/m
			if in.reg != 0 {
				c.raise(excUD, 0, false)
			}
			c.saveESP()
			v := c.top(0, size)
			c.addSP(uint32(size))
			c.writeRM(in, size, v)

		case 0x90: // nop, pause
		case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97:
			r := uint8(op & 7)
			a, b := c.getReg(EAX, size), c.getReg(r, size)
			c.setReg(EAX, size, b)
			c.setReg(r, size, a)
		case 0x98:
			if size == 2 {
				c.setReg(EAX, 2, uint32(int8(c.r[EAX])))
			} else {
				c.r[EAX] = uint32(int16(c.r[EAX]))
			}
		case 0x99:
			if size == 2 {
				c.setReg(EDX, 2, uint32(int32(int16(c.r[EAX]))>>15))
			} else {
				c.r[EDX] = uint32(int32(c.r[EAX]) >> 31)
			}
		case 0x9A:
			c.saveESP()
			c.farCall(uint16(in.disp), in.imm, size, next)
			next = c.eip
		case 0x9B: // wait
			if c.cr0&(cr0MP|cr0TS) == cr0MP|cr0TS {
				c.raise(excNM, 0, false)
			}
		case 0x9C: // pushf
			c.pushf(size)
		case 0x9D: // popf
			c.popf(size)
		case 0x9E: // sahf
			c.setFlagBits(FlagSF|FlagZF|FlagAF|FlagPF|FlagCF, c.r[EAX]>>8)
		case 0x9F: // lahf
			c.setReg(4, 1, c.getFlags()&0xD7|2)

		case 0xA0:
			c.setReg(EAX, 1, c.read(int(in.seg), in.disp, 1))
		case 0xA1:
			c.setReg(EAX, size, c.read(int(in.seg), in.disp, size))
		case 0xA2:
			c.write(int(in.seg), in.disp, 1, c.r[EAX])
		case 0xA3:
			c.write(int(in.seg), in.disp, size, c.r[EAX])
		case 0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF:
			sz := size
			if op&1 == 0 {
				sz = 1
			}
			if !c.stringOp(in, sz) {
				next = c.eip
			}
		case 0xA8:
			c.alu(aluAnd, c.r[EAX]&0xFF, in.imm&0xFF, 1)
		case 0xA9:
			c.alu(aluAnd, c.getReg(EAX, size), in.imm&sizeMask[size&7], size)

		case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7:
			c.setReg(uint8(op&7), 1, in.imm)
		case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF:
			c.setReg(uint8(op&7), size, in.imm)

		case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3:
			sz := size
			if op&1 == 0 {
				sz = 1
			}
			var count uint32
			switch {
			case op <= 0xC1:
				count = in.imm
			case op <= 0xD1:
				count = 1
			default:
				count = c.r[ECX] & 0xFF
			}
			c.shiftRM(in, sz, count)
		case 0xC2, 0xC3: // ret
			t := c.top(0, size)
			c.addSP(uint32(size))
			if op == 0xC2 {
				c.addSP(in.imm & 0xFFFF)
			}
			next = t
		case 0xC4, 0xC5: // les, lds
			c.loadFar(in, size, [2]int{ES, DS}[op&1])
		case 0xC6:
			if in.reg != 0 {
				c.raise(excUD, 0, false)
			}
			c.writeRM(in, 1, in.imm)
		case 0xC7:
			if in.reg != 0 {
				c.raise(excUD, 0, false)
			}
			c.writeRM(in, size, in.imm)
		case 0xC8:
			c.saveESP()
			c.enter(size, in.imm&0xFFFF, in.disp&31)
		case 0xC9:
			c.leave(size)
		case 0xCA:
			c.saveESP()
			c.farReturn(size, in.imm&0xFFFF)
			next = c.eip
		case 0xCB:
			c.saveESP()
			c.farReturn(size, 0)
			next = c.eip
		case 0xCC:
			c.softInt(excBP, next)
			continue
		case 0xCD:
			c.softInt(uint8(in.imm), next)
			continue
		case 0xCE:
			if c.of() {
				c.softInt(excOF, next)
				continue
			}
		case 0xCF:
			c.saveESP()
			c.iret(size)
			next = c.eip

		case 0xD7: // xlat
			off := c.r[EBX] + c.r[EAX]&0xFF
			if in.pfx&pfxA16 != 0 {
				off &= 0xFFFF
			}
			c.setReg(EAX, 1, c.read(int(in.seg), off, 1))
		case 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF:
			c.x87(in)

		case 0xE0, 0xE1, 0xE2, 0xE3: // loopnz, loopz, loop, jecxz
			var cnt uint32
			if in.pfx&pfxA16 != 0 {
				cnt = c.r[ECX] & 0xFFFF
			} else {
				cnt = c.r[ECX]
			}
			take := false
			if op == 0xE3 {
				take = cnt == 0
			} else {
				cnt--
				if in.pfx&pfxA16 != 0 {
					c.setReg(ECX, 2, cnt)
					cnt &= 0xFFFF
				} else {
					c.r[ECX] = cnt
				}
				take = cnt != 0
				if op == 0xE0 {
					take = take && !c.zf()
				} else if op == 0xE1 {
					take = take && c.zf()
				}
			}
			if take {
				t := next + in.imm
				if size == 2 {
					t &= 0xFFFF
				}
				next = t
			}
		case 0xE4, 0xE5:
			sz := size
			if op == 0xE4 {
				sz = 1
			}
			c.setReg(EAX, sz, c.in(uint16(in.imm&0xFF), sz))
		case 0xE6, 0xE7:
			sz := size
			if op == 0xE6 {
				sz = 1
			}
			c.out(uint16(in.imm&0xFF), sz, c.r[EAX])
		case 0xE8: // call
			t := next + in.imm
			if size == 2 {
				t &= 0xFFFF
			}
			c.push(next, size)
			next = t
		case 0xE9, 0xEB:
			t := next + in.imm
			if size == 2 {
				t &= 0xFFFF
			}
			if c.backEdge(c.eip, t) {
				return
			}
			next = t
		case 0xEA:
			off := in.imm
			if size == 2 {
				off &= 0xFFFF
			}
			c.farJump(uint16(in.disp), off)
			next = c.eip
		case 0xEC, 0xED:
			sz := size
			if op == 0xEC {
				sz = 1
			}
			c.setReg(EAX, sz, c.in(uint16(c.r[EDX]), sz))
		case 0xEE, 0xEF:
			sz := size
			if op == 0xEE {
				sz = 1
			}
			c.out(uint16(c.r[EDX]), sz, c.r[EAX])

		case 0xF4: // hlt
			if c.cpl != 0 {
				c.raise(excGP, 0, true)
			}
			c.eip = next
			c.steps++
			c.effects++
			c.cyc.nextProbe = c.steps + cycleAfterHLT
			if c.intr && c.flags&FlagIF != 0 {
				continue // an interrupt is already deliverable
			}
			c.halted = true
			return
		case 0xF5:
			c.setCF(!c.cf())
		case 0xF6, 0xF7:
			sz := size
			if op == 0xF6 {
				sz = 1
			}
			if in.reg < 2 {
				c.alu(aluAnd, c.readRM(in, sz), in.imm&sizeMask[sz&7], sz)
			} else {
				c.mulDiv(in, sz)
			}
		case 0xF8:
			c.setCF(false)
		case 0xF9:
			c.setCF(true)
		case 0xFA: // cli
			c.checkIOPL()
			c.flags &^= FlagIF
		case 0xFB: // sti
			c.checkIOPL()
			if c.flags&FlagIF == 0 {
				c.noIntAt = c.steps + 1
				c.flags |= FlagIF
			}
			if c.cpl == 0 && c.noteSTI(c.eip) {
				c.eip = next
				c.steps++
				return // Run starts the probe
			}
		case 0xFC:
			c.flags &^= FlagDF
		case 0xFD:
			c.flags |= FlagDF
		case 0xFE:
			if in.reg > 1 {
				c.raise(excUD, 0, false)
			}
			c.incDecRM(in, 1)
		case 0xFF:
			switch in.reg {
			case 0, 1:
				c.incDecRM(in, size)
			case 2: // call r/m
				t := c.readRM(in, size)
				c.push(next, size)
				next = t
			case 3: // call far m
				if in.mod == 3 {
					c.raise(excUD, 0, false)
				}
				a := c.ea(in)
				off := c.read(int(in.seg), a, size)
				sel := uint16(c.read(int(in.seg), a+uint32(size), 2))
				c.saveESP()
				c.farCall(sel, off, size, next)
				next = c.eip
			case 4: // jmp r/m
				next = c.readRM(in, size)
			case 5: // jmp far m
				if in.mod == 3 {
					c.raise(excUD, 0, false)
				}
				a := c.ea(in)
				off := c.read(int(in.seg), a, size)
				sel := uint16(c.read(int(in.seg), a+uint32(size), 2))
				c.farJump(sel, off)
				next = c.eip
			case 6:
				c.push(c.readRM(in, size), size)
			default:
				c.raise(excUD, 0, false)
			}

		// Specialized 32-bit forms (decode.go).
		case opMovRR:
			c.r[in.rm&7] = c.r[in.reg&7]
		// The TLB hits of the commonest memory forms are written out here:
		// the helpers are too big for the compiler to inline.
		case opLoad32:
			a := c.ea(in)
			t := &c.tlb
			if e := &t.r[t.user&1][a>>12&tlbMask]; e.tag == t.tag|uint64(a>>12) && a&pageMask <= pageMask-3 && c.seg[in.seg&7].fastR {
				c.r[in.reg&7] = binary.LittleEndian.Uint32(c.ram[e.off+uint64(a&pageMask):])
				break
			}
			c.r[in.reg&7] = c.read32(in.seg, a)
		case opStore32:
			a := c.ea(in)
			t := &c.tlb
			if e := &t.w[t.user&1][a>>12&tlbMask]; e.tag == t.tag|uint64(a>>12) && a&pageMask <= pageMask-3 && c.seg[in.seg&7].fastW && c.code[e.off>>12] == 0 {
				c.effects++
				binary.LittleEndian.PutUint32(c.ram[e.off+uint64(a&pageMask):], c.r[in.reg&7])
				break
			}
			c.write32(in.seg, a, c.r[in.reg&7])
		case opAddRR:
			a, b := c.r[in.rm&7], c.r[in.reg&7]
			c.r[in.rm&7] = a + b
			c.lazy32(lazyAdd, a+b, a, b)
		case opSubRR:
			a, b := c.r[in.rm&7], c.r[in.reg&7]
			c.r[in.rm&7] = a - b
			c.lazy32(lazySub, a-b, a, b)
		case opCmpRR:
			a, b := c.r[in.rm&7], c.r[in.reg&7]
			c.lazy32(lazySub, a-b, a, b)
		case opAndRR:
			r := c.r[in.rm&7] & c.r[in.reg&7]
			c.r[in.rm&7] = r
			c.lazy32(lazyLogic, r, 0, 0)
		case opOrRR:
			r := c.r[in.rm&7] | c.r[in.reg&7]
			c.r[in.rm&7] = r
			c.lazy32(lazyLogic, r, 0, 0)
		case opTestRR:
			c.lazy32(lazyLogic, c.r[in.rm&7]&c.r[in.reg&7], 0, 0)
		case opAddRI:
			a := c.r[in.rm&7]
			c.r[in.rm&7] = a + in.imm
			c.lazy32(lazyAdd, a+in.imm, a, in.imm)
		case opSubRI:
			a := c.r[in.rm&7]
			c.r[in.rm&7] = a - in.imm
			c.lazy32(lazySub, a-in.imm, a, in.imm)
		case opCmpRI:
			a := c.r[in.rm&7]
			c.lazy32(lazySub, a-in.imm, a, in.imm)
		case opAndRI:
			r := c.r[in.rm&7] & in.imm
			c.r[in.rm&7] = r
			c.lazy32(lazyLogic, r, 0, 0)
		case opCmpRM:
			a, b := c.r[in.reg&7], c.read32(in.seg, c.ea(in))
			c.lazy32(lazySub, a-b, a, b)

		case opJcc:
			if c.cond(in.reg) {
				t := next + in.imm
				if c.backEdge(c.eip, t) {
					return
				}
				if t < c.eip {
					switch c.loopIdiom(in, t, end) {
					case loopRan:
						continue
					case loopSpun:
						return
					}
				}
				next = t
			}
		case opPush32:
			if sp := c.r[ESP] - 4; c.seg[SS].fastRW {
				t := &c.tlb
				if e := &t.w[t.user&1][sp>>12&tlbMask]; e.tag == t.tag|uint64(sp>>12) && sp&pageMask <= pageMask-3 && c.code[e.off>>12] == 0 {
					c.effects++
					binary.LittleEndian.PutUint32(c.ram[e.off+uint64(sp&pageMask):], c.r[in.rm&7])
					c.r[ESP] = sp
					break
				}
			}
			c.push(c.r[in.rm&7], 4)
		case opPop32:
			if sp := c.r[ESP]; c.seg[SS].fastRW {
				t := &c.tlb
				if e := &t.r[t.user&1][sp>>12&tlbMask]; e.tag == t.tag|uint64(sp>>12) && sp&pageMask <= pageMask-3 {
					c.r[ESP] = sp + 4
					c.r[in.rm&7] = binary.LittleEndian.Uint32(c.ram[e.off+uint64(sp&pageMask):])
					break
				}
			}
			v := c.top(0, 4)
			c.addSP(4)
			c.r[in.rm&7] = v
		case opCall32:
			if sp := c.r[ESP] - 4; c.seg[SS].fastRW {
				t := &c.tlb
				if e := &t.w[t.user&1][sp>>12&tlbMask]; e.tag == t.tag|uint64(sp>>12) && sp&pageMask <= pageMask-3 && c.code[e.off>>12] == 0 {
					c.effects++
					binary.LittleEndian.PutUint32(c.ram[e.off+uint64(sp&pageMask):], next)
					c.r[ESP] = sp
					next += in.imm
					break
				}
			}
			c.push(next, 4)
			next += in.imm
		case opRet32:
			if sp := c.r[ESP]; c.seg[SS].fastRW {
				t := &c.tlb
				if e := &t.r[t.user&1][sp>>12&tlbMask]; e.tag == t.tag|uint64(sp>>12) && sp&pageMask <= pageMask-3 {
					c.r[ESP] = sp + 4
					next = binary.LittleEndian.Uint32(c.ram[e.off+uint64(sp&pageMask):])
					break
				}
			}
			t := c.top(0, 4)
			c.addSP(4)
			next = t

		case opLea32:
			c.r[in.reg&7] = in.disp + c.r[in.base&15] + c.r[in.index&15]<<in.scale
		case opMovRI:
			c.r[in.rm&7] = in.imm

		case opJmp:
			t := next + in.imm
			if c.backEdge(c.eip, t) {
				return
			}
			next = t
		case opXorRR:
			if in.rm == in.reg {
				c.r[in.rm&7] = 0
				c.flags = c.flags&^arithFlags | FlagZF | FlagPF // as xorZero
				c.lz.op = lazyNone
				break
			}
			r := c.r[in.rm&7] ^ c.r[in.reg&7]
			c.r[in.rm&7] = r
			c.lazy32(lazyLogic, r, 0, 0)
		case opOrRI:
			r := c.r[in.rm&7] | in.imm
			c.r[in.rm&7] = r
			c.lazy32(lazyLogic, r, 0, 0)
		case opXorRI:
			r := c.r[in.rm&7] ^ in.imm
			c.r[in.rm&7] = r
			c.lazy32(lazyLogic, r, 0, 0)
		case opTestRI:
			c.lazy32(lazyLogic, c.r[in.rm&7]&in.imm, 0, 0)
		case opTestRB:
			c.setLazy(lazyLogic, 1, c.getReg(in.rm, 1)&in.imm, 0, 0)
		case opMovzxRB:
			c.r[in.reg&7] = c.getReg(in.rm, 1)
		case opLoadZB:
			a := c.ea(in)
			t := &c.tlb
			if e := &t.r[t.user&1][a>>12&tlbMask]; e.tag == t.tag|uint64(a>>12) && c.seg[in.seg&7].fastR {
				c.r[in.reg&7] = uint32(c.ram[e.off+uint64(a&pageMask)])
				break
			}
			c.r[in.reg&7] = c.read(int(in.seg), a, 1)
		case opShiftRI:
			if r, ok := c.shift(in.reg, c.r[in.rm&7], in.imm, 4); ok {
				c.r[in.rm&7] = r
			}
		case opAluMI:
			a := c.ea(in)
			t := &c.tlb
			if e := &t.w[t.user&1][a>>12&tlbMask]; e.tag == t.tag|uint64(a>>12) && a&pageMask <= pageMask-3 && c.seg[in.seg&7].fastW && c.code[e.off>>12] == 0 {
				p := c.ram[e.off+uint64(a&pageMask):]
				r := c.alu(in.reg, binary.LittleEndian.Uint32(p), in.imm, 4)
				if in.reg != aluCmp {
					c.effects++
					binary.LittleEndian.PutUint32(p, r)
				}
				if in.pfx&pfxLock != 0 {
					c.Stats.LockOther++
				}
				break
			}
			c.aluRM(in, in.reg, 4, in.imm)
		case opStoreI32:
			a := c.ea(in)
			t := &c.tlb
			if e := &t.w[t.user&1][a>>12&tlbMask]; e.tag == t.tag|uint64(a>>12) && a&pageMask <= pageMask-3 && c.seg[in.seg&7].fastW && c.code[e.off>>12] == 0 {
				c.effects++
				binary.LittleEndian.PutUint32(c.ram[e.off+uint64(a&pageMask):], in.imm)
				break
			}
			c.write32(in.seg, a, in.imm)
		case opImulRI:
			c.r[in.reg&7] = c.imul2(c.r[in.rm&7], in.imm, 4)
		case opLeave32:
			if sp := c.r[EBP]; c.seg[SS].fastRW {
				t := &c.tlb
				if e := &t.r[t.user&1][sp>>12&tlbMask]; e.tag == t.tag|uint64(sp>>12) && sp&pageMask <= pageMask-3 {
					c.r[EBP] = binary.LittleEndian.Uint32(c.ram[e.off+uint64(sp&pageMask):])
					c.r[ESP] = sp + 4
					break
				}
			}
			c.leave(4)

		case opNop:
		case opPushf32:
			c.pushf(4)
		case opPushI32:
			c.push(in.imm, 4)
		case opCli:
			c.checkIOPL()
			c.flags &^= FlagIF
		case opAluRM32:
			c.r[in.reg&7] = c.alu(uint8(in.imm), c.r[in.reg&7], c.readRM(in, 4), 4)
		case opCmpMR:
			c.aluRM(in, aluCmp, 4, c.r[in.reg&7])
		case opTestMB:
			c.alu(aluAnd, c.readRM(in, 1), in.imm&0xFF, 1)
		case opNotR:
			c.r[in.rm&7] = ^c.r[in.rm&7]
		case opNegR:
			v := c.r[in.rm&7]
			c.r[in.rm&7] = -v
			c.lazy32(lazySub, -v, 0, v)
		case opStore8:
			c.write(int(in.seg), c.ea(in), 1, c.getReg(in.reg, 1))
		case opImulRR:
			c.r[in.reg&7] = c.imul2(c.r[in.reg&7], c.r[in.rm&7], 4)

		case opTooLong:
			c.raise(excGP, 0, true)
		default:
			if op >= 0x100 && op < 0x200 {
				if !c.exec0F(in, size, &next) {
					return
				}
				break
			}
			c.raise(excUD, 0, false)
		}
		c.eip = next
		c.steps++
	}
}

// alu32 runs the common 32-bit register-register ALU ops (by opcode, in
// E,G or G,E order: dst is the first operand) inline; false for the rest.
func (c *CPU) alu32(op uint16, dst, src uint8) bool {
	a, b := c.r[dst&7], c.r[src&7]
	var r uint32
	switch op & 0x38 {
	case 0x00:
		r = a + b
		c.lazy32(lazyAdd, r, a, b)
	case 0x28:
		r = a - b
		c.lazy32(lazySub, r, a, b)
	case 0x38:
		c.lazy32(lazySub, a-b, a, b)
		return true
	case 0x20:
		r = a & b
		c.lazy32(lazyLogic, r, 0, 0)
	case 0x08:
		r = a | b
		c.lazy32(lazyLogic, r, 0, 0)
	default:
		return false
	}
	c.r[dst&7] = r
	return true
}

// alu32imm is alu32 for group 1 with an immediate.
func (c *CPU) alu32imm(op, dst uint8, b uint32) bool {
	a := c.r[dst&7]
	var r uint32
	switch op {
	case aluAdd:
		r = a + b
		c.lazy32(lazyAdd, r, a, b)
	case aluSub:
		r = a - b
		c.lazy32(lazySub, r, a, b)
	case aluCmp:
		c.lazy32(lazySub, a-b, a, b)
		return true
	case aluAnd:
		r = a & b
		c.lazy32(lazyLogic, r, 0, 0)
	default:
		return false
	}
	c.r[dst&7] = r
	return true
}

// leave is ESP = EBP, then pop EBP.
func (c *CPU) leave(size int) {
	c.saveESP()
	if c.seg[SS].big {
		c.r[ESP] = c.r[EBP]
	} else {
		c.r[ESP] = c.r[ESP]&^0xFFFF | c.r[EBP]&0xFFFF
	}
	v := c.top(0, size)
	c.addSP(uint32(size))
	c.setReg(EBP, size, v)
}

// saveESP records ESP for an instruction that moves it before an access
// that can fault: the fault restores it.
func (c *CPU) saveESP() {
	c.curESP, c.curESPAt = c.r[ESP], c.steps+1
}

// restoreAfterFault undoes what a faulting instruction did to ESP (EIP
// has not moved).
func (c *CPU) restoreAfterFault() {
	if c.curESPAt == c.steps+1 {
		c.r[ESP] = c.curESP
	}
	c.curESPAt = 0
}

// incDecRM is inc/dec (reg 0/1 of groups 4 and 5) of the r/m operand.
func (c *CPU) incDecRM(in *insn, size int) {
	if in.mod == 3 {
		v := c.getReg(in.rm, size)
		if in.reg == 0 {
			v = c.inc(v, size)
		} else {
			v = c.dec(v, size)
		}
		c.setReg(in.rm, size, v)
		return
	}
	ref := c.rmRef(in, size)
	v := c.refRead(ref, size)
	if in.reg == 0 {
		v = c.inc(v, size)
	} else {
		v = c.dec(v, size)
	}
	c.refWrite(ref, size, v)
	if in.pfx&pfxLock != 0 {
		c.Stats.LockOther++
	}
}

// shiftRM applies group 2 to the r/m operand.
func (c *CPU) shiftRM(in *insn, size int, count uint32) {
	if in.mod == 3 {
		if r, ok := c.shift(in.reg, c.getReg(in.rm, size), count, size); ok {
			c.setReg(in.rm, size, r)
		}
		return
	}
	ref := c.rmRef(in, size)
	if r, ok := c.shift(in.reg, c.refRead(ref, size), count, size); ok {
		c.refWrite(ref, size, r)
	}
}

// xchg swaps a register with the r/m operand. With memory it is a locked
// operation; writing back the value already there changes nothing, which
// is what lets spin detection see a test-and-set spin (spin.go).
func (c *CPU) xchg(in *insn, size int) {
	r := c.getReg(in.reg, size)
	if in.mod == 3 {
		c.setReg(in.reg, size, c.getReg(in.rm, size))
		c.setReg(in.rm, size, r)
		return
	}
	c.Stats.LockXchg++
	ref := c.rmRef(in, size)
	m := c.refRead(ref, size)
	if m != r {
		c.refWrite(ref, size, r)
	}
	c.setReg(in.reg, size, m)
}

// loadFar is les/lds/lss/lfs/lgs: a far pointer from memory.
func (c *CPU) loadFar(in *insn, size int, s int) {
	if in.mod == 3 {
		c.raise(excUD, 0, false)
	}
	a := c.ea(in)
	off := c.read(int(in.seg), a, size)
	sel := uint16(c.read(int(in.seg), a+uint32(size), 2))
	c.loadSeg(s, sel)
	c.setReg(in.reg, size, off)
}

// enter makes a stack frame of alloc bytes at nesting level.
func (c *CPU) enter(size int, alloc, level uint32) {
	c.push(c.getReg(EBP, size), size)
	frame := c.sp()
	if level > 0 {
		bp := c.getReg(EBP, size)
		for i := uint32(1); i < level; i++ {
			if c.seg[SS].big {
				bp -= uint32(size)
			} else {
				bp = (bp - uint32(size)) & 0xFFFF
			}
			c.push(c.read(SS, bp, size), size)
		}
		c.push(frame, size)
	}
	c.setReg(EBP, size, frame)
	if c.seg[SS].big {
		c.r[ESP] -= alloc
		c.checkWritable(c.seg[SS].base+c.r[ESP], 1)
	} else {
		c.setReg(ESP, 2, c.r[ESP]-alloc)
	}
}

func (c *CPU) pushf(size int) {
	f := c.getFlags() &^ (FlagVM | FlagRF)
	c.push(f, size)
}

// popf loads EFLAGS from the stack: IOPL only at CPL 0, IF only at CPL <=
// IOPL (otherwise silently kept), VM and RF never.
func (c *CPU) popf(size int) {
	v := c.top(0, size)
	mask := uint32(arithFlags | FlagTF | FlagDF | FlagNT | FlagAC | FlagID)
	if !c.protected() || c.cpl == 0 {
		mask |= FlagIOPL
	}
	if !c.protected() || c.cpl <= uint8(c.flags>>12&3) {
		mask |= FlagIF
	}
	if size == 2 {
		mask &= 0xFFFF
	}
	c.addSP(uint32(size))
	c.setFlagBits(mask, v)
	c.effects++
}

// checkIOPL raises #GP(0) for cli/sti above IOPL in protected mode.
func (c *CPU) checkIOPL() {
	if c.protected() && c.cpl > uint8(c.flags>>12&3) {
		c.raise(excGP, 0, true)
	}
}
