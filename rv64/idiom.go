package rv64

import "github.com/xv6emu/xv6emu/bus"

// Loop idioms. Kernels built with gcc -O fill and copy memory one byte at a
// time: MIT xv6's memset is `sb v,0(p); addi p,p,1; bne p,end` and its
// memmove `addi s,s,1; addi d,d,1; lbu t,-1(s); sb t,-1(d); bne s,end`.
// kinit's junk fill, kalloc, fork's page copies and exec spend most of
// their instructions there. When such a loop's back edge is taken, the
// hart runs the iterations that remain on the same RAM pages in one go,
// with exactly the effect of interpreting them: the same bytes written in
// the same order, the same registers, the same instruction count (so the
// same guest time). Only the host time differs.
//
// The iterations run in one go only while every address stays on a page
// the TLBs already map to RAM, the written page holds no decoded code and
// no page table (bus.Code is zero), and the Run's budget allows them, so
// traps, device accesses, self-modifying code and timer deadlines all fall
// to the ordinary interpreter.

// Idiom kinds, cached in the back edge's decoded insn (insn.idiom).
const (
	idiomUnknown uint8 = iota // not looked at yet
	idiomNone                 // not a loop this file knows
	idiomFill                 // sb v,0(p); addi p,p,1; bne p,end
	idiomCopy                 // addi s,s,1; addi d,d,1; lbu t,-1(s); sb t,-1(d); bne s,end
)

// Instructions per iteration of each idiom.
const (
	fillLen = 3
	copyLen = 5
)

// classifyIdiom looks at the loop a taken BNE at pc closes and caches what
// kind it is in the BNE's slot. The loop body must be on the fetch page
// and decoded (it has just run).
func (h *Hart) classifyIdiom(in *insn, pc uint64) {
	in.idiom = idiomNone
	c := &h.icache
	start := pc + uint64(in.imm)
	if in.imm >= 0 || in.imm < -16 || start>>12 != pc>>12 || c.fetchPage == nil || pc>>12 != c.fetchVPN {
		return
	}
	var body [4]*insn
	n := 0
	for a := start; a < pc; {
		s := &c.fetchPage.slots[a&pageMask>>1]
		if s.op == opNone || n == len(body) {
			return
		}
		body[n] = s
		n++
		a += uint64(s.len)
	}
	if start+sumLen(body[:n]) != pc {
		return
	}
	switch n {
	case fillLen - 1:
		sb, inc := body[0], body[1]
		p := sb.rs1
		if sb.op == opSB && sb.imm == 0 && sb.rs2 != p &&
			isIncrement(inc, p) && closesOn(in, p) {
			in.idiom = idiomFill
		}
	case copyLen - 1:
		i1, i2, lb, sb := body[0], body[1], body[2], body[3]
		s, d, t := lb.rs1, sb.rs1, lb.rd
		if lb.op == opLBU && lb.imm == -1 && sb.op == opSB && sb.imm == -1 && sb.rs2 == t &&
			s != d && t != s && t != d &&
			(isIncrement(i1, s) && isIncrement(i2, d) || isIncrement(i1, d) && isIncrement(i2, s)) &&
			closesOn(in, s) && in.rs1 != t && in.rs2 != t && in.rs1 != d && in.rs2 != d {
			in.idiom = idiomCopy
		}
	}
}

func sumLen(body []*insn) uint64 {
	var n uint64
	for _, s := range body {
		n += uint64(s.len)
	}
	return n
}

// isIncrement reports whether in is `addi r,r,1`.
func isIncrement(in *insn, r uint8) bool {
	return in.op == opADDI && in.rd == r && in.rs1 == r && in.imm == 1
}

// closesOn reports whether the BNE compares register r with another one.
func closesOn(bne *insn, r uint8) bool {
	return bne.rs1 == r && bne.rs2 != r || bne.rs2 == r && bne.rs1 != r
}

// runIdiom runs, at the taken back edge of a classified loop, as many of
// the remaining iterations as it safely can, within left instructions. It
// returns how many instructions they count for (0: none ran) and whether
// the loop ended (the last back edge fell through).
func (h *Hart) runIdiom(bne *insn, pc, left uint64) (insns uint64, ended bool) {
	slots := &h.icache.fetchPage.slots
	at := pc + uint64(bne.imm)
	first := &slots[at&pageMask>>1]
	switch bne.idiom {
	case idiomFill:
		sb := first
		p := sb.rs1
		a, end := h.x[p], h.x[otherOperand(bne, p)]
		i, ok := h.tlb.store.Lookup(a)
		if !ok || h.code[i>>12] != 0 {
			return 0, false
		}
		m := min(end-a, bus.PageSize-a&pageMask, left/fillLen)
		if m == 0 {
			return 0, false
		}
		v := byte(h.x[sb.rs2])
		dst := h.ram[i : i+m]
		for k := range dst {
			dst[k] = v
		}
		h.x[p] = a + m
		insns, ended = m*fillLen, m == end-a
	case idiomCopy:
		at += uint64(first.len)
		at += uint64(slots[at&pageMask>>1].len)
		lbu := &slots[at&pageMask>>1]
		at += uint64(lbu.len)
		sb := &slots[at&pageMask>>1]
		s, d, t := lbu.rs1, sb.rs1, lbu.rd
		src, dst, end := h.x[s], h.x[d], h.x[otherOperand(bne, s)]
		si, ok := h.tlb.load.Lookup(src)
		if !ok {
			return 0, false
		}
		di, ok := h.tlb.store.Lookup(dst)
		if !ok || h.code[di>>12] != 0 {
			return 0, false
		}
		m := min(end-src, bus.PageSize-src&pageMask, bus.PageSize-dst&pageMask, left/copyLen)
		if m == 0 {
			return 0, false
		}
		var last byte
		if di+m <= si || si+m <= di || di < si {
			// Disjoint, or the destination trails the source: a forward
			// byte loop and a block copy write the same bytes.
			last = h.ram[si+m-1]
			copy(h.ram[di:di+m], h.ram[si:si+m])
		} else {
			// The destination runs ahead into the source: each byte read
			// may be one the loop wrote, as the guest's loop would.
			for k := uint64(0); k < m; k++ {
				last = h.ram[si+k]
				h.ram[di+k] = last
			}
		}
		h.x[s], h.x[d], h.x[t] = src+m, dst+m, uint64(last)
		insns, ended = m*copyLen, m == end-src
	default:
		return 0, false
	}
	h.steps += insns
	h.effects += insns
	return insns, ended
}

// otherOperand is the BNE operand that is not register r.
func otherOperand(bne *insn, r uint8) uint8 {
	if bne.rs1 == r {
		return bne.rs2
	}
	return bne.rs1
}
