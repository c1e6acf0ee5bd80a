package x86

import "github.com/xv6emu/xv6emu/bus"

// Copy loops: the byte copy gcc makes of our kernel's memmove,
//
//	1: movzbl (%eax),%ebx; inc %eax; inc %edx; mov %bl,-1(%edx); cmp %ecx,%eax; jne 1b
//
// a loop idiom whose body loads a byte from one pointer into a register,
// stores that register's low byte through another, increments both
// pointers by one and compares one of them with a loop-invariant register
// or immediate just before the closing jcc. Like fill loops (fill.go), the
// iterations left are counted exactly at the loop's head and those whose
// bytes lie on the current source and destination pages run at once, as
// long as the TLB maps the source for reading and the destination for
// writing (a page without decoded code), through flat segments, within
// the budget. A destination just ahead of the source repeats bytes the
// loop itself wrote, as the guest's loop does.

// copyShape is what a copy loop's iterations do, for copyBulk.
type copyShape struct {
	ok         bool
	s, d, t    uint8  // source and destination pointers, the byte's register
	sOff, dOff uint32 // the byte's addresses, relative to s and d at the head
	sSeg, dSeg uint8
	cmpS       bool // the cmp names s (else d)
	cc         uint8
	pIsA       bool
	bound      uint8 // register, or noReg for boundImm
	boundImm   uint32
}

// classifyCopy fills sh.copy from the loop body sh holds.
func classifyCopy(sh *loopShape) {
	f := &sh.copy
	*f = copyShape{}
	n := sh.n
	if n != 6 || sh.body[n-1].op != opJcc || sh.to[n-1] != 0 {
		return
	}
	var load, store *insn
	loadAt, storeAt, cmpAt := -1, -1, -1
	var inc [2]uint8
	var incPos [2]int
	incs := 0
	for j := range n - 1 {
		in := sh.body[j]
		switch {
		case in.op == opLoadZB:
			load, loadAt = in, j
		case in.op == opStore8 || in.op == 0x88 && in.pfx&(pfxA16|pfxLock) == 0 && in.mod != 3:
			store, storeAt = in, j
		case in.op >= 0x40 && in.op <= 0x47 && in.pfx&(pfxO16|pfxLock) == 0:
			if incs == 2 {
				return
			}
			inc[incs], incPos[incs] = uint8(in.op&7), j
			incs++
		case in.op == opCmpRR || in.op == opCmpRI:
			cmpAt = j
		default:
			return
		}
	}
	if load == nil || store == nil || incs != 2 || cmpAt < 0 || loadAt > storeAt {
		return
	}
	s, d, t := load.base, store.base, load.reg&7
	if load.index != noReg || store.index != noReg || store.reg != t || t >= 4 ||
		s == d || s == t || d == t || s >= 8 || d >= 8 {
		return
	}
	var incS, incD int
	switch {
	case inc[0] == s && inc[1] == d:
		incS, incD = incPos[0], incPos[1]
	case inc[0] == d && inc[1] == s:
		incD, incS = incPos[0], incPos[1]
	default:
		return
	}
	// The cmp is the last instruction that sets flags: after both incs.
	if cmpAt < incS || cmpAt < incD {
		return
	}
	cmp := sh.body[cmpAt]
	var p uint8
	switch {
	case cmp.op == opCmpRI:
		p, f.pIsA, f.bound, f.boundImm = cmp.rm&7, true, noReg, cmp.imm
	case cmp.rm&7 == s || cmp.rm&7 == d:
		p, f.pIsA, f.bound = cmp.rm&7, true, cmp.reg&7
	default:
		p, f.bound = cmp.reg&7, cmp.rm&7
	}
	if p != s && p != d || f.bound == s || f.bound == d || f.bound == t {
		return
	}
	f.s, f.d, f.t, f.cmpS, f.cc = s, d, t, p == s, sh.body[n-1].reg&15
	f.sOff, f.dOff = load.disp, store.disp
	if incS < loadAt {
		f.sOff++
	}
	if incD < storeAt {
		f.dOff++
	}
	f.sSeg, f.dSeg = load.seg&7, store.seg&7
	f.ok = true
}

// copyBulk is fillBulk for a copy loop.
func (c *CPU) copyBulk(sh *loopShape, steps *uint64, end uint64, jccEIP, target uint32) int {
	f := &sh.copy
	bound := f.boundImm
	if f.bound != noReg {
		bound = c.r[f.bound]
	}
	p := c.r[f.d]
	if f.cmpS {
		p = c.r[f.s]
	}
	trips, ok := fillTrips(f.cc, f.pIsA, p, bound, 1)
	if !ok || !c.seg[f.sSeg].fastR || !c.seg[f.dSeg].fastW {
		return fillNever
	}
	n := uint64(sh.n)
	if *steps >= end {
		return fillMore
	}
	left := (end - *steps) / n
	t := &c.tlb
	var done uint64
	for trips > 0 && left > 0 {
		src, dst := c.r[f.s]+f.sOff, c.r[f.d]+f.dOff
		sv, dv := src>>12, dst>>12
		se := &t.r[t.user&1][sv&tlbMask]
		de := &t.w[t.user&1][dv&tlbMask]
		if se.tag != t.tag|uint64(sv) || de.tag != t.tag|uint64(dv) || c.code[de.off>>12] != 0 {
			break
		}
		m := min(trips, left, uint64(bus.PageSize-src&pageMask), uint64(bus.PageSize-dst&pageMask))
		si, di := se.off+uint64(src&pageMask), de.off+uint64(dst&pageMask)
		if di <= si || di >= si+m {
			copy(c.ram[di:di+m], c.ram[si:si+m])
		} else {
			// The destination runs ahead into the source: later bytes
			// read are ones the loop wrote.
			for k := range m {
				c.ram[di+k] = c.ram[si+k]
			}
		}
		c.r[f.t] = uint32(c.ram[di+m-1]) // what the last load read
		c.r[f.s] += uint32(m)
		c.r[f.d] += uint32(m)
		c.effects += m
		*steps += m * n
		trips -= m
		left -= m
		done += m
	}
	if done == 0 {
		return fillMore
	}
	c.fillIters += done
	p = c.r[f.d]
	if f.cmpS {
		p = c.r[f.s]
	}
	return c.bulkDone(p, bound, f.pIsA, trips, done, 1, jccEIP, target)
}
