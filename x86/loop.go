package x86

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
)

// Loop idioms: kernels built with gcc -O2 fill, copy and scan memory in
// short loops of plain 32-bit moves, adds and compares closed by a
// conditional jump, such as our kernel's memset
//
//	1: mov %eax,-8(%edi); add $8,%edi; mov %edx,-12(%edi); cmp %edi,%ecx; jae 1b
//
// which clearing and junk-filling pages run for a third of all
// instructions. When such a loop's back edge is taken, the iterations run
// here from a short list of the body's operations, without fetching,
// dispatching or checking for interrupts between instructions: the same
// loads and stores in the same order, the same registers and lazy flags,
// the same instruction count. Only the host time differs.
//
// A memory operand runs here only through a TLB hit on a flat segment
// (so it cannot fault) and, for a store, on a page without decoded code;
// anything else stops the run at that instruction, which the interpreter
// then executes. The loop also stops where the Run's budget ends. A
// deliverable interrupt keeps the interpreter in charge (nothing in the
// loop can make one deliverable: RAM stores do not reach devices). Taken
// jumps go through the spin watch, as in the interpreter.

// Idiom classes, cached in the back edge's decoded insn (disp, which jcc
// does not use).
const (
	loopUnknown = iota
	loopNone
	loopYes
)

const loopMaxBody = 16

// What loopIdiom did.
const (
	loopNotRun = iota // nothing: the caller goes on as usual
	loopRan           // c.eip and c.steps are past what ran
	loopSpun          // as loopRan, but a back edge found a spin (c.spinning)
)

// loopIdiom runs the loop that a taken jcc at c.eip back to target closes,
// if it is an idiom, up to step end. The body may branch: a jump to the
// head or forward inside the loop stays here, one elsewhere leaves it.
// Every taken jump goes through the spin watch as in the interpreter, so a
// loop that waits on memory is still found to spin.
func (c *CPU) loopIdiom(jcc *insn, target uint32, end uint64) int {
	if jcc.disp == loopNone || c.loopsOff || c.cyc.probing || c.intr && c.flags&FlagIF != 0 {
		return loopNotRun
	}
	ic := &c.icache
	d := uint64(c.eip) - ic.fetchEIP0
	dt := uint64(target) - ic.fetchEIP0
	if d >= bus.PageSize || dt >= d || ic.fetchPage == nil || &ic.fetchPage.slots[d] != jcc {
		return loopNotRun
	}
	sh := &c.loopShapes[uint32(d^d>>5)&(loopShapes-1)]
	if sh.jcc != jcc || sh.eip0 != ic.fetchEIP0 || sh.gen != ic.gen {
		if !c.loopShape(sh, jcc, target, d, dt) {
			jcc.disp = loopNone
			return loopNotRun
		}
	}
	n, last := sh.n, sh.last
	body, eips, tgt, cc, to := &sh.body, &sh.eips, &sh.tgt, &sh.cc, &sh.to
	jcc.disp = loopYes
	c.loopRuns++
	// Nothing below reads c.steps: it is kept here and stored on the way
	// out. The jcc that brought us here counts.
	steps := c.steps + 1
	var pages [loopMaxBody][2]loopPage
	j := 0
	// A fill or copy loop (fill.go, copy.go) runs whole iterations in bulk
	// at its head.
	bulk := (sh.fill.ok || sh.copy.ok) && !c.fillOff
	if bulk {
		switch c.bulkRun(sh, &steps, end, c.eip, target) {
		case fillEnded:
			c.steps, c.eip = steps, last
			return loopRan
		case fillNever:
			bulk = false
		}
	}
	for {
		if steps >= end {
			c.steps, c.eip = steps, eips[j]
			return loopRan
		}
		k := cc[j]
		if k == ccNone {
			if !c.loopStep(body[j], &pages[j]) {
				c.steps, c.eip = steps, eips[j]
				return loopRan
			}
		} else if k == ccAlways || c.cond(k) {
			if c.backEdge(eips[j], tgt[j]) {
				c.steps, c.eip = steps, eips[j]
				return loopSpun
			}
			steps++
			if to[j] < 0 {
				c.steps, c.eip = steps, tgt[j]
				return loopRan
			}
			j = int(to[j])
			if j == 0 && bulk {
				switch c.bulkRun(sh, &steps, end, eips[n-1], target) {
				case fillEnded:
					c.steps, c.eip = steps, last
					return loopRan
				case fillNever:
					bulk = false
				}
			}
			continue
		}
		steps++
		j++
		if j == n {
			c.steps, c.eip = steps, last
			return loopRan
		}
	}
}

// loopShape is a loop idiom's body as loopIdiom runs it, kept per CPU for
// a few loops so that one entered often for a few iterations is not taken
// apart each time. It stays good while the decoded page holding it does
// (the icache's generation) at the same linear address.
type loopShape struct {
	jcc       *insn
	eip0, gen uint64
	n         int
	last      uint32
	body      [loopMaxBody]*insn
	eips, tgt [loopMaxBody]uint32
	cc        [loopMaxBody]uint8
	to        [loopMaxBody]int8
	fill      fillShape
	copy      copyShape
}

const loopShapes = 8

// loopShape fills sh with the loop closed by jcc at fetch-page offset d
// back to target at offset dt, or reports false if it is not an idiom.
func (c *CPU) loopShape(sh *loopShape, jcc *insn, target uint32, d, dt uint64) bool {
	// The body, the closing jcc last. For a jump, cc[j] is its condition
	// (ccAlways for jmp), tgt[j] its target and to[j] where it goes: an
	// index, or -1 to leave; cc[j] is ccNone for an operation.
	ic := &c.icache
	body, eips, tgt, cc, to := &sh.body, &sh.eips, &sh.tgt, &sh.cc, &sh.to
	sh.jcc = nil
	n := 0
	for o := dt; o <= d; {
		s := &ic.fetchPage.slots[o]
		if s.len == 0 || n == loopMaxBody || !loopOp(s) && !loopJump(s) {
			return false
		}
		body[n], eips[n] = s, uint32(o+ic.fetchEIP0)
		n++
		o += uint64(s.len)
		if o > d+uint64(jcc.len) {
			return false
		}
	}
	last := eips[n-1] + uint32(jcc.len)
	for j := range n {
		to[j], cc[j] = -1, ccNone
		in := body[j]
		if !loopJump(in) {
			continue
		}
		cc[j] = ccAlways
		if in.op == opJcc {
			cc[j] = in.reg & 15
		}
		t := eips[j] + uint32(in.len) + in.imm
		tgt[j] = t
		if t < target || t >= last {
			continue
		}
		k := 0
		for k < n && eips[k] != t {
			k++
		}
		if k == n {
			return false // into the middle of an instruction
		}
		to[j] = int8(k)
	}
	sh.jcc, sh.eip0, sh.gen, sh.n, sh.last = jcc, ic.fetchEIP0, ic.gen, n, last
	classifyFill(sh)
	classifyCopy(sh)
	return true
}

// Jump conditions in loopIdiom besides the 16 condition codes.
const (
	ccNone   = 0xFE // not a jump
	ccAlways = 0xFF // jmp
)

// loopJump reports whether in is a 32-bit jcc or jmp with a relative
// target.
func loopJump(in *insn) bool {
	switch in.op {
	case opJcc, opJmp:
		return true
	}
	return false
}

// loopOp reports whether in is an operation loopStep runs.
func loopOp(in *insn) bool {
	switch in.op {
	case opMovRR, opAddRR, opSubRR, opCmpRR, opAndRR, opOrRR, opTestRR,
		opAddRI, opSubRI, opCmpRI, opAndRI, opLea32, opMovRI:
		return true
	case opLoad32, opStore32, opCmpRM:
		return in.pfx&pfxA16 == 0
	case 0x39: // cmp r/m32, r32 with memory
		return in.mod != 3 && in.pfx&(pfxA16|pfxO16|pfxLock) == 0
	case 0x88: // mov r/m8, r8 to memory
		return in.mod != 3 && in.pfx&(pfxA16|pfxLock) == 0
	case opStore8: // the same, specialized
		return true
	case opLoadZB: // movzx r32, byte [ea]
		return true
	case opStoreI32: // mov dword [ea], imm
		return true
	case 0xC6: // mov byte [ea], imm
		return in.mod != 3 && in.reg == 0 && in.pfx&(pfxA16|pfxLock) == 0
	case 0xA4: // movsb without rep (classic xv6's memmove)
		return in.pfx&(pfxA16|pfxLock|pfxRep|pfxRepne) == 0
	case 0x40, 0x41, 0x42, 0x43, 0x45, 0x46, 0x47, // inc r32 (not esp)
		0x48, 0x49, 0x4A, 0x4B, 0x4D, 0x4E, 0x4F: // dec r32
		return in.pfx&(pfxO16|pfxLock) == 0
	}
	return false
}

// loopPage is the RAM page a body instruction's memory operand used last
// (RAM index of linear page vpn); movsb has two operands, so two of them. Nothing in a loop idiom can flush the
// TLB or put decoded code on a page, so it stays good for the whole run.
type loopPage struct {
	vpn   uint32
	base  uint64
	valid bool
}

// loopStep executes one body instruction with the interpreter's semantics,
// or returns false, having changed nothing, if its memory operand is not
// a TLB hit it may use here.
func (c *CPU) loopStep(in *insn, pgs *[2]loopPage) bool {
	pg := &pgs[0]
	switch in.op {
	case opMovRR:
		c.r[in.rm&7] = c.r[in.reg&7]
	case opLea32:
		c.r[in.reg&7] = in.disp + c.r[in.base&15] + c.r[in.index&15]<<in.scale
	case opMovRI:
		c.r[in.rm&7] = in.imm
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
	case opLoad32:
		i, ok := c.loopRef(in, 4, false, pg)
		if !ok {
			return false
		}
		c.r[in.reg&7] = binary.LittleEndian.Uint32(c.ram[i:])
	case opCmpRM:
		i, ok := c.loopRef(in, 4, false, pg)
		if !ok {
			return false
		}
		a, b := c.r[in.reg&7], binary.LittleEndian.Uint32(c.ram[i:])
		c.lazy32(lazySub, a-b, a, b)
	case 0x39:
		i, ok := c.loopRef(in, 4, false, pg)
		if !ok {
			return false
		}
		a, b := binary.LittleEndian.Uint32(c.ram[i:]), c.r[in.reg&7]
		c.lazy32(lazySub, a-b, a, b)
	case opStore32:
		i, ok := c.loopRef(in, 4, true, pg)
		if !ok {
			return false
		}
		c.effects++
		binary.LittleEndian.PutUint32(c.ram[i:], c.r[in.reg&7])
	case 0x88, opStore8:
		i, ok := c.loopRef(in, 1, true, pg)
		if !ok {
			return false
		}
		c.effects++
		c.ram[i] = byte(c.getReg(in.reg, 1))
	case opStoreI32:
		i, ok := c.loopRef(in, 4, true, pg)
		if !ok {
			return false
		}
		c.effects++
		binary.LittleEndian.PutUint32(c.ram[i:], in.imm)
	case 0xC6:
		i, ok := c.loopRef(in, 1, true, pg)
		if !ok {
			return false
		}
		c.effects++
		c.ram[i] = byte(in.imm)
	case opLoadZB:
		i, ok := c.loopRef(in, 1, false, pg)
		if !ok {
			return false
		}
		c.r[in.reg&7] = uint32(c.ram[i])
	case 0xA4:
		src, ok := c.loopLin(c.r[ESI], in.seg, 1, false, pg)
		if !ok {
			return false
		}
		dst, ok := c.loopLin(c.r[EDI], ES, 1, true, &pgs[1])
		if !ok {
			return false
		}
		c.effects++
		c.ram[dst] = c.ram[src]
		d := uint32(1)
		if c.flags&FlagDF != 0 {
			d = ^uint32(0)
		}
		c.r[ESI] += d
		c.r[EDI] += d
	default: // inc, dec
		r := uint8(in.op & 7)
		if in.op < 0x48 {
			c.r[r] = c.inc(c.r[r], 4)
		} else {
			c.r[r] = c.dec(c.r[r], 4)
		}
	}
	return true
}

// loopRef returns the RAM index of a size-byte memory operand if a flat
// segment and a TLB hit within one page make the access certain to
// succeed (and, for a write, the page holds no decoded code).
func (c *CPU) loopRef(in *insn, size int, write bool, pg *loopPage) (uint64, bool) {
	return c.loopLin(c.ea(in), in.seg, size, write, pg)
}

// loopLin is loopRef for offset lin in segment seg.
func (c *CPU) loopLin(lin uint32, seg uint8, size int, write bool, pg *loopPage) (uint64, bool) {
	vpn := lin >> 12
	if lin&pageMask > bus.PageSize-uint32(size) {
		return 0, false
	}
	if vpn == pg.vpn && pg.valid {
		return pg.base + uint64(lin&pageMask), true
	}
	sg := &c.seg[seg&7]
	t := &c.tlb
	var e *tlbEntry
	if write {
		e = &t.w[t.user&1][vpn&tlbMask]
		if !sg.fastW || e.tag != t.tag|uint64(vpn) || c.code[e.off>>12] != 0 {
			return 0, false
		}
	} else {
		e = &t.r[t.user&1][vpn&tlbMask]
		if !sg.fastR || e.tag != t.tag|uint64(vpn) {
			return 0, false
		}
	}
	*pg = loopPage{vpn: vpn, base: e.off, valid: true}
	return e.off + uint64(lin&pageMask), true
}
