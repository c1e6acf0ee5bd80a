package x86

import "github.com/xv6emu/xv6emu/bus"

// This file owns the string instructions (movs cmps stos lods scas ins
// outs) with rep/repe/repne, and the fast paths for rep movs and rep stos
// that copy or fill whole page runs of RAM at once.

// strRegs are the index and counter registers at the address size.
type strRegs struct {
	a16 bool
}

func (s strRegs) get(c *CPU, r int) uint32 {
	if s.a16 {
		return c.r[r] & 0xFFFF
	}
	return c.r[r]
}

func (s strRegs) set(c *CPU, r int, v uint32) {
	if s.a16 {
		c.r[r] = c.r[r]&^0xFFFF | v&0xFFFF
	} else {
		c.r[r] = v
	}
}

func (s strRegs) step(c *CPU, r int, d uint32) { s.set(c, r, s.get(c, r)+d) }

// A rep instruction does at most this many element iterations (or fast
// page runs) per step, then leaves EIP on itself to go on at the next
// step, as if interrupted between iterations: one step stays short even
// when ECX is huge, and interrupts are seen during long copies.
const (
	repSlowChunk = 128
	repFastPages = 16
)

// stringOp executes a string instruction, or the next chunk of its
// repetitions. It returns false if repetitions remain.
func (c *CPU) stringOp(in *insn, size int) bool {
	sr := strRegs{in.pfx&pfxA16 != 0}
	d := uint32(size)
	if c.flags&FlagDF != 0 {
		d = -d
	}
	rep := in.pfx&(pfxRep|pfxRepne) != 0
	op := in.op &^ 1
	if rep && d == uint32(size) && !sr.a16 && !c.cyc.probing && c.dbg == nil {
		switch op {
		case 0xA4:
			c.fastMovs(in, size)
		case 0xAA:
			c.fastStos(size)
		}
	}
	for n := 0; ; n++ {
		if rep && sr.get(c, ECX) == 0 {
			return true
		}
		if n == repSlowChunk {
			return false
		}
		switch op {
		case 0xA4: // movs
			v := c.read(int(in.seg), sr.get(c, ESI), size)
			c.write(ES, sr.get(c, EDI), size, v)
			sr.step(c, ESI, d)
			sr.step(c, EDI, d)
		case 0xA6: // cmps
			a := c.read(int(in.seg), sr.get(c, ESI), size)
			b := c.read(ES, sr.get(c, EDI), size)
			c.alu(aluCmp, a, b, size)
			sr.step(c, ESI, d)
			sr.step(c, EDI, d)
		case 0xAA: // stos
			c.write(ES, sr.get(c, EDI), size, c.r[EAX])
			sr.step(c, EDI, d)
		case 0xAC: // lods
			c.setReg(EAX, size, c.read(int(in.seg), sr.get(c, ESI), size))
			sr.step(c, ESI, d)
		case 0xAE: // scas
			b := c.read(ES, sr.get(c, EDI), size)
			c.alu(aluCmp, c.getReg(EAX, size), b, size)
			sr.step(c, EDI, d)
		}
		if !rep {
			return true
		}
		sr.set(c, ECX, sr.get(c, ECX)-1)
		if op == 0xA6 || op == 0xAE {
			if in.pfx&pfxRep != 0 && !c.zf() || in.pfx&pfxRepne != 0 && c.zf() {
				return true
			}
		}
	}
}

// ramRun returns the RAM index of linear address lin (translating it for
// a read or write) and ok=false if it is not in RAM.
func (c *CPU) ramRun(lin uint32, write bool) (uint64, bool) {
	t := &c.tlb
	vpn := lin >> 12
	tab := &t.r
	if write {
		tab = &t.w
	}
	if e := &tab[t.user&1][vpn&tlbMask]; e.tag == t.tag|uint64(vpn) {
		return e.off + uint64(lin&pageMask), true
	}
	user := t.user == 1
	pa := c.xlate(lin, write, user)
	idx, ok := c.ramIdx(pa, 1)
	if ok {
		c.tlbInsert(tab, lin, idx, user)
	}
	return idx, ok
}

// fastStos fills forward runs of whole elements within one page; what is
// left (a page-crossing element, a device) is for the element loop.
func (c *CPU) fastStos(size int) {
	es := &c.seg[ES]
	if !es.fastW {
		return
	}
	for pages := 0; c.r[ECX] != 0 && pages < repFastPages; pages++ {
		lin := c.r[EDI]
		room := (bus.PageSize - lin&pageMask) / uint32(size)
		n := min(c.r[ECX], room)
		if n == 0 {
			return
		}
		idx, ok := c.ramRun(lin, true)
		if !ok {
			return
		}
		if c.code[idx>>12] != 0 {
			c.bus.CodeWritten(idx >> 12)
		}
		c.effects++
		p := c.ram[idx : idx+uint64(n)*uint64(size)]
		v := c.r[EAX]
		switch size {
		case 1:
			b := byte(v)
			for i := range p {
				p[i] = b
			}
		default:
			writeRAM(p, size, v)
			for i := size; i < len(p); i *= 2 {
				copy(p[i:], p[:i])
			}
		}
		c.r[EDI] += n * uint32(size)
		c.r[ECX] -= n
	}
}

// fastMovs copies forward runs within one source and one destination
// page, when the two do not overlap in a way an element copy would see.
func (c *CPU) fastMovs(in *insn, size int) {
	src, es := &c.seg[in.seg], &c.seg[ES]
	if !src.fastR || !es.fastW {
		return
	}
	for pages := 0; c.r[ECX] != 0 && pages < repFastPages; pages++ {
		s, d := c.r[ESI], c.r[EDI]
		room := min(bus.PageSize-s&pageMask, bus.PageSize-d&pageMask) / uint32(size)
		n := min(c.r[ECX], room)
		if n == 0 {
			return
		}
		si, ok := c.ramRun(s, false)
		if !ok {
			return
		}
		di, ok := c.ramRun(d, true)
		if !ok {
			return
		}
		bytes := uint64(n) * uint64(size)
		if di > si && di < si+bytes {
			return // overlapping forward copy: element by element
		}
		if c.code[di>>12] != 0 {
			c.bus.CodeWritten(di >> 12)
		}
		c.effects++
		copy(c.ram[di:di+bytes], c.ram[si:si+bytes])
		c.r[ESI] += uint32(bytes)
		c.r[EDI] += uint32(bytes)
		c.r[ECX] -= n
	}
}

// stringIO is ins/outs with rep (a chunk of it; see stringOp).
func (c *CPU) stringIO(in *insn, size int) bool {
	sr := strRegs{in.pfx&pfxA16 != 0}
	d := uint32(size)
	if c.flags&FlagDF != 0 {
		d = -d
	}
	rep := in.pfx&(pfxRep|pfxRepne) != 0
	port := uint16(c.r[EDX])
	c.checkIO(port, size)
	for n := 0; ; n++ {
		if rep && sr.get(c, ECX) == 0 {
			return true
		}
		if n == repSlowChunk {
			return false
		}
		if in.op&^1 == 0x6C { // ins
			c.checkWritable(c.segAddr(ES, sr.get(c, EDI), size, true), size)
			v := c.in(port, size)
			c.write(ES, sr.get(c, EDI), size, v)
			sr.step(c, EDI, d)
		} else {
			v := c.read(int(in.seg), sr.get(c, ESI), size)
			c.out(port, size, v)
			sr.step(c, ESI, d)
		}
		if !rep {
			return true
		}
		sr.set(c, ECX, sr.get(c, ECX)-1)
	}
}
