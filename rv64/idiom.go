package rv64

import "github.com/xv6emu/xv6emu/bus"

// Loop idioms. Kernels built with gcc -O fill and copy memory one byte at a
// time: MIT xv6's memset is `sb v,0(p); addi p,p,1; bne p,end` and its
// memmove `addi s,s,1; addi d,d,1; lbu t,-1(s); sb t,-1(d); bne s,end`.
// A memset that stores words (ours: `sd v,-8(p); addi p,p,8; bgeu end,p`)
// is a fill loop too, closed by bne, bltu or bgeu.
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
	idiomFill                 // s[bhwd] v,o(p); addi p,p,size; bne/bltu/bgeu on p and end (o is 0 or -size)
	idiomCopy                 // addi s,s,1; addi d,d,1; lbu t,-1(s); sb t,-1(d); bne s,end
)

// Instructions per iteration of each idiom.
const (
	fillLen = 3
	copyLen = 5
)

// classifyIdiom looks at the loop a taken branch at pc (BNE, BLTU or
// BGEU) closes and caches what kind it is in the branch's slot. The loop
// body must be on the fetch page and decoded (it has just run).
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
		st, inc := body[0], body[1]
		p := st.rs1
		if st.op < opSB || st.op > opSD {
			return
		}
		size := int32(storeSize(st))
		if st.rs2 != p && isAdd(inc, p, size) && (st.imm == 0 || st.imm == -size) && fillBound(in, p) != noBound {
			in.idiom = idiomFill
		}
	case copyLen - 1:
		if in.op != opBNE {
			return
		}
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
func isIncrement(in *insn, r uint8) bool { return isAdd(in, r, 1) }

// isAdd reports whether in is `addi r,r,k`.
func isAdd(in *insn, r uint8, k int32) bool {
	return in.op == opADDI && in.rd == r && in.rs1 == r && in.imm == k
}

// storeSize is the width in bytes of a store (opSB to opSD).
func storeSize(st *insn) uint64 { return 1 << (st.op - opSB) }

// noBound is fillBound's answer for a branch that does not bound a fill.
const noBound = 0xff

// fillBound returns the register a fill loop's back edge compares its
// pointer p with, if it loops while p != end (bne), p < end (bltu) or
// end >= p (bgeu), unsigned.
func fillBound(br *insn, p uint8) uint8 {
	switch {
	case br.op == opBNE && closesOn(br, p):
		return otherOperand(br, p)
	case br.op == opBLTU && br.rs1 == p && br.rs2 != p:
		return br.rs2
	case br.op == opBGEU && br.rs2 == p && br.rs1 != p:
		return br.rs1
	}
	return noBound
}

// fillTrips is how many more iterations a fill loop whose pointer is p,
// bound end, closed by br, runs from its taken back edge: the last one is
// the one whose back edge falls through. It is 0 where the loop would not
// end within the address space in whole steps (the interpreter runs it).
func fillTrips(br *insn, p, end, size uint64) uint64 {
	switch br.op {
	case opBNE: // taken: p != end
		if d := end - p; d%size == 0 && d>>62 == 0 {
			return d / size
		}
	case opBLTU: // taken: p < end
		if end-p <= ^uint64(0)-size {
			return (end - p + size - 1) / size
		}
	case opBGEU: // taken: p <= end; it falls through once p > end
		if end <= ^uint64(0)-size {
			return (end-p)/size + 1
		}
	}
	return 0
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
		st := first
		p, size := st.rs1, storeSize(st)
		trips := fillTrips(bne, h.x[p], h.x[fillBound(bne, p)], size)
		a := h.x[p] + uint64(int64(st.imm))
		i, ok := h.tlb.store.Lookup(a)
		if !ok || h.code[i>>12] != 0 || a%size != 0 {
			return 0, false
		}
		m := min(trips, (bus.PageSize-a&pageMask)/size, left/fillLen)
		if m == 0 {
			return 0, false
		}
		v := h.x[st.rs2]
		if size == 1 { // MIT's memset: a plain byte fill
			dst := h.ram[i : i+m]
			for k := range dst {
				dst[k] = byte(v)
			}
		} else {
			// One element, then the filled part copied after itself:
			// the same bytes as m stores, at memmove's speed (our
			// kernel's memset fills whole pages eight bytes at a time).
			dst := h.ram[i : i+m*size]
			bus.WriteLE(dst, int(size), v)
			for done := size; done < uint64(len(dst)); done *= 2 {
				copy(dst[done:], dst[:done])
			}
		}
		h.x[p] += m * size
		insns, ended = m*fillLen, m == trips
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
