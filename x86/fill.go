package x86

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
)

// Fill loops: a loop idiom (loop.go) whose body only stores loop-invariant
// registers or immediates at constant offsets from one pointer register,
// moves the pointer by a constant once, and compares it with a
// loop-invariant register or immediate just before the closing jcc, as in
// our kernel's memset
//
//	1: mov %eax,-8(%edi); add $8,%edi; mov %edx,-12(%edi); cmp %edi,%ecx; jae 1b
//
// and its byte tail (mov %al,(%esi); inc %esi; cmp %esi,%ecx; jne 1b).
// Every iteration writes the same bytes one step further on, so at the
// loop's head the iterations left are counted exactly (fillTrips; a loop
// whose count is not certain, such as one that would wrap around the
// address space, is stepped as before) and those that fall on one RAM page
// are done at once: as many pages as the TLB already maps for writing
// through a flat segment, hold no decoded code and fit the Run's budget.
// An iteration whose stores straddle two pages, and everything after a
// page that fails those checks, is left to loopStep and the interpreter,
// which run it as before. Afterwards the registers, the lazy flags (the
// last cmp's), memory, the effect count, the spin watch and the step
// count are those stepping gives.

// fillShape is what a fill loop's iterations do, for fillBulk.
type fillShape struct {
	ok       bool
	p        uint8  // the pointer register
	step     uint32 // what an iteration adds to it
	cc       uint8  // the closing jcc's condition
	pIsA     bool   // the cmp computes p - bound (else bound - p)
	bound    uint8  // the bound's register, or noReg for boundImm
	boundImm uint32
	n        int    // stores per iteration
	lo       uint32 // the lowest byte stored, relative to p at the head
	span     uint32 // bytes from lo past the highest byte stored
	full     bool   // the stores cover lo..lo+span-1 and step is ±span
	st       [loopMaxBody]fillStore
}

// fillStore is one store of a fill loop, in body order.
type fillStore struct {
	off  uint32 // from lo
	size uint8  // 1 or 4
	reg  uint8  // source register (a byte register for size 1), or noReg
	imm  uint32 // the value when reg is noReg
}

// fillSpanMax bounds a fill iteration's footprint, so the bytes one
// iteration leaves (for a full fill) fit a small buffer.
const fillSpanMax = 64

// classifyFill fills sh.fill from the loop body sh holds.
func classifyFill(sh *loopShape) {
	f := &sh.fill
	*f = fillShape{}
	n := sh.n
	jcc := sh.body[n-1]
	if jcc.op != opJcc || sh.to[n-1] != 0 {
		return
	}
	f.cc = jcc.reg & 15
	// The pointer is the register the one update names; find it first.
	upd := -1
	p := uint8(noReg)
	var step uint32
	for j := range n - 1 {
		in := sh.body[j]
		switch {
		case in.op == opAddRI || in.op == opSubRI:
			p, step = in.rm&7, in.imm
			if in.op == opSubRI {
				step = -in.imm
			}
		case in.op >= 0x40 && in.op <= 0x4F:
			p, step = uint8(in.op&7), 1
			if in.op >= 0x48 {
				step = ^uint32(0)
			}
		default:
			continue
		}
		if upd >= 0 {
			return
		}
		upd = j
	}
	if upd < 0 || step == 0 || step == 1<<31 {
		return
	}
	f.p, f.step = p, step
	ds := int64(int32(step))
	var offs [loopMaxBody]int64
	cmp := -1
	lo, hi := int64(1)<<40, -int64(1)<<40
	for j := range n - 1 {
		in := sh.body[j]
		s := fillStore{reg: noReg}
		switch in.op {
		case opAddRI, opSubRI, 0x40, 0x41, 0x42, 0x43, 0x45, 0x46, 0x47,
			0x48, 0x49, 0x4A, 0x4B, 0x4D, 0x4E, 0x4F:
			continue // the update
		case opCmpRR:
			switch {
			case in.rm&7 == p && in.reg&7 != p:
				f.pIsA, f.bound = true, in.reg&7
			case in.reg&7 == p && in.rm&7 != p:
				f.bound = in.rm & 7
			default:
				return
			}
			if cmp >= 0 || j < upd {
				return
			}
			cmp = j
			continue
		case opCmpRI:
			if in.rm&7 != p || cmp >= 0 || j < upd {
				return
			}
			f.pIsA, f.bound, f.boundImm = true, noReg, in.imm
			cmp = j
			continue
		case opStore32:
			s.size, s.reg = 4, in.reg&7
			if s.reg == p {
				return
			}
		case opStoreI32:
			s.size, s.imm = 4, in.imm
		case opStore8, 0x88:
			if in.pfx&(pfxA16|pfxLock) != 0 {
				return
			}
			s.size, s.reg = 1, in.reg&7
			if s.reg&3 == p {
				return // AL..BH are bytes of EAX..EBX
			}
		case 0xC6:
			if in.mod == 3 || in.reg != 0 || in.pfx&(pfxA16|pfxLock) != 0 {
				return
			}
			s.size, s.imm = 1, in.imm&0xFF
		default:
			return
		}
		if in.base != p || in.index != noReg {
			return
		}
		o := int64(int32(in.disp))
		if j > upd {
			o += ds
		}
		offs[f.n] = o
		lo, hi = min(lo, o), max(hi, o+int64(s.size))
		f.st[f.n] = s
		f.n++
	}
	if f.n == 0 || cmp < 0 || hi-lo > fillSpanMax {
		return
	}
	// The last flag-setting instruction before the jcc must be the cmp:
	// nothing but stores may follow it.
	for j := cmp + 1; j < n-1; j++ {
		switch sh.body[j].op {
		case opStore32, opStoreI32, opStore8, 0x88, 0xC6:
		default:
			return
		}
	}
	f.lo, f.span = uint32(lo), uint32(hi-lo)
	var cover uint64
	for k := range f.n {
		f.st[k].off = uint32(offs[k] - lo)
		cover |= (uint64(1)<<f.st[k].size - 1) << f.st[k].off
	}
	f.full = cover == uint64(1)<<f.span-1 && (ds == int64(f.span) || -ds == int64(f.span))
	f.ok = true
}

// fillTrips is how many iterations a fill loop runs from its head with the
// pointer at p0: those whose closing jcc, after a cmp of the pointer (then
// p0+i*step in iteration i) with bound, jumps back, and the one that falls
// through. cc is the jcc's condition and pIsA tells the cmp's operand
// order. It reports false where the count is not certain to be small
// enough to reach: the pointer would wrap around the address space first,
// or the loop never ends on its own.
func fillTrips(cc uint8, pIsA bool, p0, bound, step uint32) (uint64, bool) {
	// As a condition on the pointer: below, above, ...
	if !pIsA {
		cc = swapCond[cc&15]
	}
	if cc >= 0xC { // signed: the same order with the sign bit flipped
		p0 ^= 1 << 31
		bound ^= 1 << 31
		cc = [4]uint8{2, 3, 6, 7}[cc-0xC] // l ge le g -> b ae be a
	}
	t := step
	if int32(step) < 0 {
		// A falling pointer is a rising one in the complement, where the
		// order is reversed.
		p0, bound, t = ^p0, ^bound, -step
		cc = swapCond[cc]
	}
	if t == 0 || t >= 1<<31 {
		return 0, false
	}
	x0, y, d := uint64(p0), uint64(bound), uint64(t)
	x1 := uint32(p0 + t)
	var m uint64
	switch cc {
	case 2: // loops while p < bound
		if x0+d >= y {
			m = 1
		} else {
			m = (y - x0 + d - 1) / d
		}
	case 6: // p <= bound
		if x0+d > y {
			m = 1
		} else {
			m = (y-x0)/d + 1
		}
	case 3: // p >= bound: rising, it holds until the pointer wraps
		if x1 >= bound {
			return 0, false
		}
		return 1, true
	case 7: // p > bound
		if x1 > bound {
			return 0, false
		}
		return 1, true
	case 4: // p == bound
		if x1 != bound {
			return 1, true
		}
		return 2, true
	case 5: // p != bound
		e := bound - p0
		if e == 0 || e%t != 0 {
			return 0, false
		}
		return uint64(e / t), true
	default:
		return 0, false
	}
	if x0+m*d > 0xFFFFFFFF {
		return 0, false // the last pointer wraps: it may compare the other way
	}
	return m, true
}

// swapCond maps a condition on (a, b) to the same condition on (b, a), for
// the unsigned and signed orders and (in)equality; the rest stay as they
// are and fillTrips refuses them.
var swapCond = [16]uint8{0, 1, 7, 6, 4, 5, 3, 2, 8, 9, 10, 11, 0xF, 0xE, 0xD, 0xC}

// What fillBulk did.
const (
	fillMore  = iota // step the next iteration, then try again
	fillEnded        // the loop ended: its last jcc fell through
	fillNever        // its count is not certain: step the rest of this run
)

// fillBulk runs, at the head of the fill loop sh holds, the iterations that
// lie on pages it may write directly, within the budget end. steps is
// loopIdiom's step count; jccEIP and target the closing jcc and its target.
func (c *CPU) fillBulk(sh *loopShape, steps *uint64, end uint64, jccEIP, target uint32) int {
	f := &sh.fill
	bound := f.boundImm
	if f.bound != noReg {
		bound = c.r[f.bound]
	}
	trips, ok := fillTrips(f.cc, f.pIsA, c.r[f.p], bound, f.step)
	if !ok {
		return fillNever
	}
	n := uint64(sh.n)
	if *steps >= end {
		return fillMore
	}
	left := (end - *steps) / n
	// The values, and the segments, which nothing in the loop changes.
	var vals [loopMaxBody]uint32
	for k := range f.n {
		s := &f.st[k]
		switch {
		case s.reg == noReg:
			vals[k] = s.imm
		case s.size == 4:
			vals[k] = c.r[s.reg]
		default:
			vals[k] = c.getReg(s.reg, 1)
		}
	}
	for j := range sh.n - 1 {
		if in := sh.body[j]; isFillStore(in) && !c.seg[in.seg&7].fastW {
			return fillNever
		}
	}
	var pat [fillSpanMax]byte
	if f.full {
		for k := range f.n {
			s := &f.st[k]
			if s.size == 4 {
				binary.LittleEndian.PutUint32(pat[s.off:], vals[k])
			} else {
				pat[s.off] = byte(vals[k])
			}
		}
	}
	t := &c.tlb
	up := int32(f.step) > 0
	var done uint64
	for trips > 0 && left > 0 {
		lo := c.r[f.p] + f.lo
		off := lo & pageMask
		if off+f.span > bus.PageSize {
			break // this iteration's stores straddle two pages
		}
		vpn := lo >> 12
		e := &t.w[t.user&1][vpn&tlbMask]
		if e.tag != t.tag|uint64(vpn) || c.code[e.off>>12] != 0 {
			break
		}
		var cnt uint64
		if up {
			cnt = uint64(bus.PageSize-off-f.span)/uint64(f.step) + 1
		} else {
			cnt = uint64(off)/uint64(-f.step) + 1
		}
		cnt = min(cnt, trips, left)
		page := c.ram[e.off : e.off+bus.PageSize]
		switch {
		case f.full:
			// Every iteration leaves the same span bytes, the next ones
			// right after (or before) it: one run of the pattern.
			sz := uint32(cnt) * f.span
			start := off
			if !up {
				start = off + f.span - sz
			}
			dst := page[start : start+sz]
			if f.span == 1 {
				b := pat[0]
				for i := range dst {
					dst[i] = b
				}
			} else {
				w := copy(dst, pat[:f.span])
				for w < len(dst) {
					w += copy(dst[w:], dst[:w])
				}
			}
		default:
			at := int64(off)
			ds := int64(int32(f.step))
			for range cnt {
				for k := range f.n {
					s := &f.st[k]
					i := at + int64(s.off)
					if s.size == 4 {
						binary.LittleEndian.PutUint32(page[i:], vals[k])
					} else {
						page[i] = byte(vals[k])
					}
				}
				at += ds
			}
		}
		c.r[f.p] += uint32(cnt) * f.step
		c.effects += cnt * uint64(f.n)
		*steps += cnt * n
		trips -= cnt
		left -= cnt
		done += cnt
	}
	if done == 0 {
		return fillMore
	}
	c.fillIters += done
	return c.bulkDone(c.r[f.p], bound, f.pIsA, trips, done, uint64(f.n), jccEIP, target)
}

// bulkDone leaves, after done iterations of a fill or copy loop run in
// bulk with trips left, the state stepping them would: the last cmp's
// flags (of the compared pointer p and bound) and the spin watch. It
// returns what the bulk run reports.
func (c *CPU) bulkDone(p, bound uint32, pIsA bool, trips, done, stores uint64, jccEIP, target uint32) int {
	a, b := p, bound
	if !pIsA {
		a, b = b, a
	}
	c.lazy32(lazySub, a-b, a, b)
	// The spin watch saw each taken back edge after an iteration that
	// stored something, so each reset it at the effects of that moment.
	if jccEIP-target <= spinReach {
		effects := c.effects
		if trips == 0 {
			effects -= stores // the last jcc fell through
		}
		if trips != 0 || done > 1 {
			w := &c.spin
			w.eip, w.effects, w.visits = jccEIP, effects, 0
		}
	}
	if trips == 0 {
		return fillEnded
	}
	return fillMore
}

// bulkRun runs a fill or copy loop in bulk at its head.
func (c *CPU) bulkRun(sh *loopShape, steps *uint64, end uint64, jccEIP, target uint32) int {
	if sh.fill.ok {
		return c.fillBulk(sh, steps, end, jccEIP, target)
	}
	return c.copyBulk(sh, steps, end, jccEIP, target)
}

// isFillStore reports whether in is one of a fill loop's stores.
func isFillStore(in *insn) bool {
	switch in.op {
	case opStore32, opStoreI32, opStore8, 0x88, 0xC6:
		return true
	}
	return false
}
