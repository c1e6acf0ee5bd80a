package rv64

import "github.com/xv6emu/xv6emu/bus"

// Tallying spins. MIT's lock lab counts every failed test-and-set of a
// spinlock with an AMO add into the lock (`while(test_and_set(&lk->locked))
// fetch_and_add(&lk->nts, 1);`). That loop changes memory on every pass,
// so it is no spin to spin.go, and a hart waiting for a lock that another
// hart holds across the end of its quantum runs it for the whole quantum:
// a fifth of the instructions of the lab's kalloctest on a solution with
// per-CPU free lists (4.5G of 24.5G, 3 harts).
//
// Such a loop is a fixed point but for its counter: at its back edge the
// registers repeat, each pass is the same number of steps, and its only
// effect is one AMO add, with no result kept, of the same amount to the
// same word. Nothing else can change during the Run (no other hart runs),
// so k more passes leave the registers as they are and add k times the
// amount to the counter. skipTallies does exactly that, for as many whole
// passes as the budget holds: same memory, registers, instruction count
// and guest time as interpreting them, less host time.
//
// stuckInLoop finds such loops: tallies do not break a streak (pureStreak
// subtracts them from the effects), and at the comparison a pass with
// exactly one tally, like the pass before, makes execute call skipTallies
// instead of stopping. The loop body is checked as well (talliesOnly):
// straight-line code of integer ALU instructions, fences and AMOs, with
// one counting AMO add and no load, so no pass can read the counter and
// behave differently as it grows.

// tally is an AMO add whose result was discarded (rd = x0) and that
// changed memory. It is an effect, and also counts in h.tallies.
type tally struct {
	pa   uint64
	add  uint64
	size uint64
}

// skipTallies runs whole passes of the tallying loop whose back edge is at
// pc, as many as left steps hold, and returns the steps they took. The
// hart stays at the back edge, about to take it.
func (h *Hart) skipTallies(pc uint64, imm int64, left uint64) uint64 {
	w := &h.spin
	w.ready = false
	if h.cyc.probing || h.cyc.sniffing || w.period == 0 {
		return 0 // a probe logs every access
	}
	k := left / w.period
	if k == 0 {
		return 0
	}
	body, ok := h.talliesOnly(pc, imm)
	if !ok || uint64(len(body))+1 != w.period {
		return 0 // a pass took a detour (a trap, a jump)
	}
	t := h.tally
	idx, ok := h.ramIndex(t.pa, t.size)
	if !ok {
		return 0 // a device register: each write may matter
	}
	h.storeRAM(idx, t.size, bus.ReadLE(h.ram[idx:], int(t.size))+k*t.add)
	for _, in := range body {
		if in.op >= opAMOSWAP && in.op <= opAMOMAXU {
			h.countAtomics(in, k)
		}
	}
	h.steps += k * w.period
	h.effects += k
	h.tallies += k
	w.skipped += k * w.period
	return k * w.period
}

// talliesOnly returns the decoded body of the loop closed by the back edge
// at pc, if it is straight-line code on the fetch page made only of
// integer ALU instructions, fences and AMOs, with exactly one AMO add that
// keeps no result.
func (h *Hart) talliesOnly(pc uint64, imm int64) ([]*insn, bool) {
	c := &h.icache
	start := pc + uint64(imm)
	if imm >= 0 || start>>12 != pc>>12 || c.fetchPage == nil || pc>>12 != c.fetchVPN {
		return nil, false
	}
	body := h.spin.body[:0]
	tallies := 0
	for a := start; a < pc; {
		s := &c.fetchPage.slots[a&pageMask>>1]
		switch {
		case s.op == opLUI || s.op == opAUIPC || s.op == opFENCE:
		case s.op >= opADDI && s.op <= opREMUW:
		case s.op == opAMOADD && s.rd == zeroSink:
			tallies++
		case s.op >= opAMOSWAP && s.op <= opAMOMAXU:
		default:
			return nil, false
		}
		if len(body) == cap(body) {
			return nil, false
		}
		body = append(body, s)
		a += uint64(s.len)
		if a > pc {
			return nil, false
		}
	}
	return body, tallies == 1
}
