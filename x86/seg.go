package x86

// This file owns segmentation: descriptors from the GDT and LDT, segment
// register loads with their protection checks, far jumps, calls and
// returns, and the task register.

// Descriptor high-word bits.
const (
	descAccessed = 1 << 8
	descS        = 1 << 12
	descP        = 1 << 15
	descDB       = 1 << 22
	descG        = 1 << 23
)

// readDesc reads the descriptor for sel from the GDT or LDT, raising
// exception vec with the selector as error code if it lies outside the
// table.
func (c *CPU) readDesc(sel uint16, vec uint8) (addr, lo, hi uint32) {
	idx := uint32(sel &^ 7)
	base, limit := c.gdtr.base, uint32(c.gdtr.limit)
	if sel&4 != 0 {
		if !c.ldtr.valid {
			c.raise(vec, uint32(sel&^3), true)
		}
		base, limit = c.ldtr.base, c.ldtr.limit
	}
	if idx+7 > limit {
		c.raise(vec, uint32(sel&^3), true)
	}
	addr = base + idx
	return addr, c.readSys(addr, 4), c.readSys(addr+4, 4)
}

// descSeg builds the hidden cache of a segment from a descriptor.
func descSeg(sel uint16, lo, hi uint32) segment {
	s := segment{
		sel:   sel,
		base:  lo>>16 | (hi&0xFF)<<16 | hi&0xFF000000,
		limit: lo&0xFFFF | hi&0xF0000,
		typ:   uint8(hi >> 8 & 0x1F),
		dpl:   uint8(hi >> 13 & 3),
		big:   hi&descDB != 0,
		valid: true,
	}
	if hi&descG != 0 {
		s.limit = s.limit<<12 | 0xFFF
	}
	s.setFast()
	return s
}

// setAccessed sets a descriptor's accessed bit in memory, as the CPU does
// when it loads it.
func (c *CPU) setAccessed(addr, hi uint32) {
	if hi&descAccessed == 0 {
		c.writeSys(addr+4, 4, hi|descAccessed)
	}
}

// loadSeg loads data or stack segment register i with sel.
func (c *CPU) loadSeg(i int, sel uint16) {
	c.effects++
	if !c.protected() {
		s := &c.seg[i]
		s.sel, s.base, s.valid = sel, uint32(sel)<<4, true
		s.setFast()
		if i == SS {
			c.noIntAt = c.steps + 1
		}
		return
	}
	rpl := uint8(sel & 3)
	if sel&^3 == 0 {
		if i == SS {
			c.raise(excGP, 0, true)
		}
		c.seg[i] = segment{sel: sel}
		return
	}
	addr, lo, hi := c.readDesc(sel, excGP)
	s := descSeg(sel, lo, hi)
	code := s.typ&0x18 == 0x18
	if i == SS {
		if rpl != c.cpl || s.dpl != c.cpl || s.typ&0x1A != 0x12 {
			c.raise(excGP, uint32(sel&^3), true)
		}
		if hi&descP == 0 {
			c.raise(excSS, uint32(sel&^3), true)
		}
		c.noIntAt = c.steps + 1
	} else {
		if s.typ&0x10 == 0 || code && s.typ&2 == 0 {
			c.raise(excGP, uint32(sel&^3), true)
		}
		conforming := code && s.typ&4 != 0
		if !conforming && (rpl > s.dpl || c.cpl > s.dpl) {
			c.raise(excGP, uint32(sel&^3), true)
		}
		if hi&descP == 0 {
			c.raise(excNP, uint32(sel&^3), true)
		}
	}
	c.setAccessed(addr, hi)
	c.seg[i] = s
}

// codeDesc loads and checks the code segment descriptor sel for a far
// jump or call at the current privilege (no call gates).
func (c *CPU) codeDesc(sel uint16) (segment, uint32, uint32) {
	if sel&^3 == 0 {
		c.raise(excGP, 0, true)
	}
	addr, lo, hi := c.readDesc(sel, excGP)
	s := descSeg(sel, lo, hi)
	if s.typ&0x18 != 0x18 {
		c.raise(excGP, uint32(sel&^3), true) // gates and tasks are not supported
	}
	if s.typ&4 != 0 { // conforming
		if s.dpl > c.cpl {
			c.raise(excGP, uint32(sel&^3), true)
		}
	} else if uint8(sel&3) > c.cpl || s.dpl != c.cpl {
		c.raise(excGP, uint32(sel&^3), true)
	}
	if hi&descP == 0 {
		c.raise(excNP, uint32(sel&^3), true)
	}
	return s, addr, hi
}

// setCS installs a new code segment, dropping decoded code if the default
// size changed.
func (c *CPU) setCS(s segment) {
	big := c.seg[CS].big
	c.seg[CS] = s
	c.icache.forgetFetchPage()
	if s.big != big {
		c.modeChanged()
	}
	c.effects++
}

// farJump transfers to sel:off (jmp far, and the target of call far).
func (c *CPU) farJump(sel uint16, off uint32) {
	if !c.protected() {
		s := c.seg[CS]
		s.sel, s.base = sel, uint32(sel)<<4
		c.setCS(s)
		c.eip = off
		return
	}
	s, addr, hi := c.codeDesc(sel)
	if off > s.limit {
		c.raise(excGP, 0, true)
	}
	c.setAccessed(addr, hi)
	s.sel = sel&^3 | uint16(c.cpl)
	c.setCS(s)
	c.eip = off
}

// farCall pushes the return address and jumps to sel:off.
func (c *CPU) farCall(sel uint16, off uint32, size int, ret uint32) {
	if c.protected() {
		c.codeDesc(sel) // fault before anything is pushed
	}
	c.push(uint32(c.seg[CS].sel), size)
	c.push(ret, size)
	if size == 2 {
		off &= 0xFFFF
	}
	c.farJump(sel, off)
}

// farReturn is retf (and retf imm16: extra bytes of arguments).
func (c *CPU) farReturn(size int, extra uint32) {
	off := c.top(0, size)
	sel := uint16(c.top(uint32(size), size))
	if !c.protected() {
		c.addSP(uint32(2*size) + extra)
		c.farJump(sel, off)
		return
	}
	rpl := uint8(sel & 3)
	if rpl < c.cpl || sel&^3 == 0 {
		c.raise(excGP, uint32(sel&^3), true)
	}
	addr, lo, hi := c.readDesc(sel, excGP)
	s := descSeg(sel, lo, hi)
	if s.typ&0x18 != 0x18 || s.typ&4 == 0 && s.dpl != rpl || s.typ&4 != 0 && s.dpl > rpl {
		c.raise(excGP, uint32(sel&^3), true)
	}
	if hi&descP == 0 {
		c.raise(excNP, uint32(sel&^3), true)
	}
	if rpl == c.cpl {
		c.setAccessed(addr, hi)
		c.addSP(uint32(2*size) + extra)
		c.setCS(s)
		c.eip = off
		return
	}
	// To an outer ring: the caller's stack follows the arguments.
	n := uint32(2*size) + extra
	esp := c.top(n, size)
	ssSel := uint16(c.top(n+uint32(size), size))
	ss := c.outerStack(ssSel, rpl)
	c.setAccessed(addr, hi)
	c.setCS(s)
	c.setCPL(rpl)
	c.seg[SS] = ss
	if size == 2 {
		esp &= 0xFFFF
	}
	c.r[ESP] = esp + extra
	c.eip = off
	c.dropInaccessible()
}

// outerStack checks the stack segment selector of a return to ring rpl.
func (c *CPU) outerStack(sel uint16, rpl uint8) segment {
	if sel&^3 == 0 {
		c.raise(excGP, 0, true)
	}
	_, lo, hi := c.readDesc(sel, excGP)
	s := descSeg(sel, lo, hi)
	if uint8(sel&3) != rpl || s.dpl != rpl || s.typ&0x1A != 0x12 {
		c.raise(excGP, uint32(sel&^3), true)
	}
	if hi&descP == 0 {
		c.raise(excSS, uint32(sel&^3), true)
	}
	return s
}

// dropInaccessible nulls data segment registers the new (outer) CPL may
// not use, as a return to an outer ring does.
func (c *CPU) dropInaccessible() {
	for _, i := range [4]int{ES, DS, FS, GS} {
		s := &c.seg[i]
		conformingCode := s.typ&0x1C == 0x1C
		if s.valid && !conformingCode && s.dpl < c.cpl {
			*s = segment{sel: 0}
		}
	}
}

// lldt loads the LDT register from a GDT descriptor.
func (c *CPU) lldt(sel uint16) {
	c.effects++
	if sel&^3 == 0 {
		c.ldtr = segment{sel: sel}
		return
	}
	if sel&4 != 0 {
		c.raise(excGP, uint32(sel&^3), true)
	}
	_, lo, hi := c.readDesc(sel, excGP)
	s := descSeg(sel, lo, hi)
	if s.typ != 2 {
		c.raise(excGP, uint32(sel&^3), true)
	}
	if hi&descP == 0 {
		c.raise(excNP, uint32(sel&^3), true)
	}
	c.ldtr = s
}

// ltr loads the task register and marks the TSS busy.
func (c *CPU) ltr(sel uint16) {
	c.effects++
	if sel&^3 == 0 || sel&4 != 0 {
		c.raise(excGP, uint32(sel&^3), true)
	}
	addr, lo, hi := c.readDesc(sel, excGP)
	s := descSeg(sel, lo, hi)
	if s.typ != 9 && s.typ != 1 { // available 32- or 16-bit TSS
		c.raise(excGP, uint32(sel&^3), true)
	}
	if hi&descP == 0 {
		c.raise(excNP, uint32(sel&^3), true)
	}
	c.writeSys(addr+4, 4, hi|2<<8)
	s.typ |= 2
	c.tr = s
}

// tssStack returns the ring-pl stack (SS, ESP) from the current TSS.
func (c *CPU) tssStack(pl uint8) (uint16, uint32) {
	if !c.tr.valid {
		c.raise(excTS, uint32(c.tr.sel&^3), true)
	}
	if c.tr.typ&8 != 0 { // 32-bit TSS
		off := 4 + 8*uint32(pl)
		if off+5 > c.tr.limit {
			c.raise(excTS, uint32(c.tr.sel&^3), true)
		}
		return uint16(c.readSys(c.tr.base+off+4, 2)), c.readSys(c.tr.base+off, 4)
	}
	off := 2 + 4*uint32(pl)
	if off+3 > c.tr.limit {
		c.raise(excTS, uint32(c.tr.sel&^3), true)
	}
	return uint16(c.readSys(c.tr.base+off+2, 2)), c.readSys(c.tr.base+off, 2)
}
