package rv64

import (
	"encoding/binary"
	"math/bits"

	"github.com/xv6emu/xv6emu/bus"
)

// Run executes up to budget instructions and returns how many it executed
// (see Instret: an instruction that raises an exception counts too, so a
// guest in a trap loop still makes time pass). It returns early when the
// hart executes WFI with no interrupt pending and enabled (Waiting then
// reports true, and Run returns 0 at once until an interrupt is pending),
// and when it finds the hart in a loop that can change nothing before the
// budget runs out (Spinning reports true).
func (h *Hart) Run(budget uint64) (executed uint64) {
	// Other harts may have written memory.
	h.reserved = false
	h.restartSpinWatch()
	h.guardStop = false
	start := h.steps
	if h.waiting {
		if h.mip()&h.csr.mie == 0 {
			return 0
		}
		h.waiting = false
	}
	h.pollInterrupts()
	if h.guards != nil {
		h.icache.forgetFetchPage()
		if h.guarded(h.pc) {
			h.guardStop = true
			return 0
		}
	}
	if h.Trace != nil {
		for n := uint64(0); n < budget && !h.waiting && !h.spinning; n++ {
			h.step()
		}
	} else {
		// At most twice round: a sniff that finds where a cycle probe
		// should start stops execute there, and the probe goes on in this
		// Run (see cycle.go).
		for range 2 {
			left := h.watchForCycle(budget - min(budget, h.steps-start))
			if left == 0 || h.waiting || h.spinning {
				break
			}
			h.execute(left)
			if !h.cyc.probing || h.waiting || h.spinning {
				break
			}
		}
	}
	return h.steps - start
}

// step executes one instruction and reports it to Trace.
func (h *Hart) step() {
	pc := h.pc
	in := h.fetch()
	if in == nil {
		return // the fetch trapped; the handler runs next step
	}
	saved := *in
	traps := h.traps
	h.execute(1) // fetches the same (cached) instruction again
	if h.traps != traps || h.spinning {
		return // it raised an exception or found a spin: nothing retired
	}
	rd, v := -1, uint64(0)
	switch {
	case writesX(saved.op) && saved.rd != zeroSink:
		rd, v = int(saved.rd), h.x[saved.rd]
	case writesF(saved.op):
		rd, v = 32+int(saved.rd), h.f[saved.rd]
	}
	h.Trace(pc, saved.raw, rd, v)
}

// execute runs up to budget instructions, polling for interrupts after
// each one that retires while checkInt is set (the board and the slow
// paths set it when an interrupt may have become takeable).
//
// interpret does the work. Only its slow paths can set checkInt, and they
// poll themselves, so its fast paths never look. The one way checkInt can
// be set at an instruction interpret runs fast is an instruction that set
// it and then trapped (or a Run entered with it set); interpret then
// returns, and the next instruction runs here on its own, with its poll.
func (h *Hart) execute(budget uint64) {
	start := h.steps
	for {
		n := h.steps - start
		if n >= budget {
			return
		}
		if !h.checkInt {
			if h.interpret(budget - n) {
				return
			}
			continue
		}
		traps := h.traps
		if h.interpret(1) {
			return
		}
		if h.traps == traps && h.checkInt {
			h.pollInterrupts()
		}
	}
}

// interpret is the interpreter loop: find the block of decoded
// instructions at pc, and for each, switch on its op. It runs up to budget
// instructions and reports whether the Run must stop early (WFI, a spin or
// cycle found, a guarded page). It also returns, without stopping, after a
// trap that leaves checkInt set.
//
// The pc and the step count live in locals: the chain from one
// instruction to the next must not go through memory. Within a block the
// next instruction is the next element (see dpage), and the pc and count
// advance beside it. Instructions that need nothing beyond registers, RAM
// through the TLBs and the decoded page (the fast cases) touch only the
// locals. Everything else (a TLB miss, a device, a trap, a CSR, a hook of
// spin or cycle detection) may read or move h.pc and h.steps, so it writes
// them back first (h.steps counting the instructions before it) and reads
// them again after, and no local but the loop's invariants is live across
// a call: the compiler then keeps them in registers instead of spilling
// them on every instruction. A taken branch leaves its block.
func (h *Hart) interpret(budget uint64) (stop bool) {
	x := &h.x
	c := &h.icache
	start, pc := h.steps, h.pc
	n := uint64(0)
blocks:
	for n < budget {
		var blk []insn
		if pc>>12 == c.fetchVPN {
			d := c.fetchPage
			k := pc & pageMask >> 1
			if e := d.entry[k]; e != 0 {
				blk = d.code[e>>8 : e>>8+e&0xff]
				if nat := d.native[k]; nat > nativeRefused && uint64(len(blk)) <= budget-n {
					// Translated (jit.go): it runs the block up to
					// where the interpreter must take over, or to
					// its end.
					h.jitPC, h.jitBudget, h.jitPage = pc, budget-n, c.fetchBase
					done := h.runNative(nat)
					pc, n = h.jitPC, n+done
					h.jit.ran += done
					if h.jitPage != c.fetchBase { // it chained into another page
						c.fetchVPN, c.fetchBase, c.fetchPage = h.jitVPN, h.jitPage, c.pages[h.jitPage>>12]
						d, k = c.fetchPage, noPage
					}
					if at := h.jitAt; at>>8 == uint32(k) {
						blk = blk[at&0xff:]
					} else { // in a block it chained into
						e := d.entry[at>>8]
						blk = d.code[e>>8+at&0xff : e>>8+e&0xff]
					}
				} else if nat == nativeNone {
					if d.heat[k]++; d.heat[k] >= h.jit.heat {
						h.translateBlock(d, k, blk, pc)
					}
				}
			} else if budget == 1 || h.formBlock(d, c.fetchBase, pc) == nil {
				// One step (a cycle probe or a tracer stepping through
				// code, where a block for every pc would fill the arena),
				// or an instruction whose second half is on the next page.
				in := &d.slots[k]
				if in.op == opNone {
					h.pc, h.steps = pc, start+n
					if in = h.decodeSlot(in, c.fetchBase, pc); in == nil {
						goto trapped
					}
				}
				if in == &h.scratch[0] {
					blk = h.scratch[:]
				} else {
					blk = d.slots[k : k+1]
				}
			} else {
				continue // formed
			}
		} else if r, ok := h.tlb.fetch.Lookup(pc); ok && h.guards == nil && c.pages[r>>12] != nil {
			// A jump to a page the fetch TLB maps and whose code is
			// decoded already (calls and returns between the kernel's
			// hot functions): switch pages without leaving the loop.
			c.fetchVPN, c.fetchBase, c.fetchPage = pc>>12, r&^pageMask, c.pages[r>>12]
			continue
		} else {
			h.pc, h.steps = pc, start+n
			in := h.fetchSlow(pc)
			if in == nil {
				if h.guardStop {
					return true // a debugger's guarded page (SetGuards)
				}
				goto trapped
			}
			if in != &h.scratch[0] {
				continue // pc's page is the fetch page now
			}
			blk = h.scratch[:] // from a device, or across a page boundary
		}
		if left := budget - n; uint64(len(blk)) > left {
			blk = blk[:left]
		}
		for i := range blk {
			in := &blk[i]
			npc := pc + uint64(in.len)
			switch in.op {
			case opLUI:
				x[in.rd] = uint64(in.imm)
			case opAUIPC:
				x[in.rd] = pc + uint64(in.imm)
			case opJAL:
				if in.rd == zeroSink && h.pureBackEdge(pc, int64(in.imm)) {
					npc = pc + uint64(in.imm)
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					goto backEdge
				}
				x[in.rd] = npc
				npc = pc + uint64(in.imm)
			case opJALR:
				t := (x[in.rs1] + uint64(in.imm)) &^ 1
				x[in.rd] = npc
				npc = t
			case opBEQ:
				if x[in.rs1] == x[in.rs2] {
					npc = pc + uint64(in.imm)
					if h.pureBackEdge(pc, int64(in.imm)) {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						goto backEdge
					}
					pc, n = npc, n+uint64(i)+1
					continue blocks
				}
			case opBNE:
				if x[in.rs1] != x[in.rs2] {
					npc = pc + uint64(in.imm)
					if in.idiom != idiomNone {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						if h.idiomBNE(in, budget-n-uint64(i)-1) {
							return true
						}
						goto retiredSlow
					}
					if h.pureBackEdge(pc, int64(in.imm)) {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						if h.bneBackEdge(in, budget-n-uint64(i)-1) {
							return true
						}
						goto retiredSlow
					}
					pc, n = npc, n+uint64(i)+1
					continue blocks
				}
			case opBLT:
				if int64(x[in.rs1]) < int64(x[in.rs2]) {
					npc = pc + uint64(in.imm)
					if h.pureBackEdge(pc, int64(in.imm)) {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						goto backEdge
					}
					pc, n = npc, n+uint64(i)+1
					continue blocks
				}
			case opBGE:
				if int64(x[in.rs1]) >= int64(x[in.rs2]) {
					npc = pc + uint64(in.imm)
					if h.pureBackEdge(pc, int64(in.imm)) {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						goto backEdge
					}
					pc, n = npc, n+uint64(i)+1
					continue blocks
				}
			case opBLTU:
				if x[in.rs1] < x[in.rs2] {
					npc = pc + uint64(in.imm)
					if in.idiom != idiomNone {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						if h.idiomBranch(in, budget-n-uint64(i)-1) {
							return true
						}
						goto retiredSlow
					}
					if h.pureBackEdge(pc, int64(in.imm)) {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						goto backEdge
					}
					pc, n = npc, n+uint64(i)+1
					continue blocks
				}
			case opBGEU:
				if x[in.rs1] >= x[in.rs2] {
					npc = pc + uint64(in.imm)
					if in.idiom != idiomNone {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						if h.idiomBranch(in, budget-n-uint64(i)-1) {
							return true
						}
						goto retiredSlow
					}
					if h.pureBackEdge(pc, int64(in.imm)) {
						h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
						goto backEdge
					}
					pc, n = npc, n+uint64(i)+1
					continue blocks
				}

			// Loads and stores: a TLB hit that stays within its page is a
			// direct RAM access (stores also check that the page holds no
			// decoded code).
			case opLD:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-8 {
					x[in.rd] = binary.LittleEndian.Uint64(h.ram[r:])
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opLW:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-4 {
					x[in.rd] = uint64(int32(binary.LittleEndian.Uint32(h.ram[r:])))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opLWU:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-4 {
					x[in.rd] = uint64(binary.LittleEndian.Uint32(h.ram[r:]))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opLH:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-2 {
					x[in.rd] = uint64(int16(binary.LittleEndian.Uint16(h.ram[r:])))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opLHU:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-2 {
					x[in.rd] = uint64(binary.LittleEndian.Uint16(h.ram[r:]))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opLB:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok {
					x[in.rd] = uint64(int8(h.ram[r]))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opLBU:
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.load.Lookup(a); ok {
					x[in.rd] = uint64(h.ram[r])
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.loadX(in, a) {
						goto trapped
					}
					goto retiredSlow
				}
			case opSD:
				h.effects++
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-8 && h.code[r>>12] == 0 {
					binary.LittleEndian.PutUint64(h.ram[r:], x[in.rs2])
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.store(a, 8, x[in.rs2]) {
						goto trapped
					}
					goto retiredSlow
				}
			case opSW:
				h.effects++
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-4 && h.code[r>>12] == 0 {
					binary.LittleEndian.PutUint32(h.ram[r:], uint32(x[in.rs2]))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.store(a, 4, x[in.rs2]) {
						goto trapped
					}
					goto retiredSlow
				}
			case opSH:
				h.effects++
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-2 && h.code[r>>12] == 0 {
					binary.LittleEndian.PutUint16(h.ram[r:], uint16(x[in.rs2]))
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.store(a, 2, x[in.rs2]) {
						goto trapped
					}
					goto retiredSlow
				}
			case opSB:
				h.effects++
				a := x[in.rs1] + uint64(in.imm)
				if r, ok := h.tlb.store.Lookup(a); ok && h.code[r>>12] == 0 {
					h.ram[r] = byte(x[in.rs2])
				} else {
					h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
					if !h.store(a, 1, x[in.rs2]) {
						goto trapped
					}
					goto retiredSlow
				}

			case opADDI:
				x[in.rd] = x[in.rs1] + uint64(in.imm)
			case opSLTI:
				x[in.rd] = b2u(int64(x[in.rs1]) < int64(in.imm))
			case opSLTIU:
				x[in.rd] = b2u(x[in.rs1] < uint64(in.imm))
			case opXORI:
				x[in.rd] = x[in.rs1] ^ uint64(in.imm)
			case opORI:
				x[in.rd] = x[in.rs1] | uint64(in.imm)
			case opANDI:
				x[in.rd] = x[in.rs1] & uint64(in.imm)
			case opSLLI:
				x[in.rd] = x[in.rs1] << (in.imm & 63)
			case opSRLI:
				x[in.rd] = x[in.rs1] >> (in.imm & 63)
			case opSRAI:
				x[in.rd] = uint64(int64(x[in.rs1]) >> (in.imm & 63))
			case opADD:
				x[in.rd] = x[in.rs1] + x[in.rs2]
			case opSUB:
				x[in.rd] = x[in.rs1] - x[in.rs2]
			case opSLL:
				x[in.rd] = x[in.rs1] << (x[in.rs2] & 63)
			case opSLT:
				x[in.rd] = b2u(int64(x[in.rs1]) < int64(x[in.rs2]))
			case opSLTU:
				x[in.rd] = b2u(x[in.rs1] < x[in.rs2])
			case opXOR:
				x[in.rd] = x[in.rs1] ^ x[in.rs2]
			case opSRL:
				x[in.rd] = x[in.rs1] >> (x[in.rs2] & 63)
			case opSRA:
				x[in.rd] = uint64(int64(x[in.rs1]) >> (x[in.rs2] & 63))
			case opOR:
				x[in.rd] = x[in.rs1] | x[in.rs2]
			case opAND:
				x[in.rd] = x[in.rs1] & x[in.rs2]
			case opADDIW:
				x[in.rd] = sext32(x[in.rs1] + uint64(in.imm))
			case opSLLIW:
				x[in.rd] = sext32(x[in.rs1] << (in.imm & 31))
			case opSRLIW:
				x[in.rd] = sext32(uint64(uint32(x[in.rs1]) >> (in.imm & 31)))
			case opSRAIW:
				x[in.rd] = uint64(int64(int32(x[in.rs1]) >> (in.imm & 31)))
			case opADDW:
				x[in.rd] = sext32(x[in.rs1] + x[in.rs2])
			case opSUBW:
				x[in.rd] = sext32(x[in.rs1] - x[in.rs2])
			case opSLLW:
				x[in.rd] = sext32(x[in.rs1] << (x[in.rs2] & 31))
			case opSRLW:
				x[in.rd] = sext32(uint64(uint32(x[in.rs1]) >> (x[in.rs2] & 31)))
			case opSRAW:
				x[in.rd] = uint64(int64(int32(x[in.rs1]) >> (x[in.rs2] & 31)))

			case opMUL:
				x[in.rd] = x[in.rs1] * x[in.rs2]
			case opMULH:
				x[in.rd] = mulh(x[in.rs1], x[in.rs2])
			case opMULHSU:
				x[in.rd] = mulhsu(x[in.rs1], x[in.rs2])
			case opMULHU:
				x[in.rd], _ = bits.Mul64(x[in.rs1], x[in.rs2])
			case opDIV:
				x[in.rd] = div(x[in.rs1], x[in.rs2])
			case opDIVU:
				x[in.rd] = divu(x[in.rs1], x[in.rs2])
			case opREM:
				x[in.rd] = rem(x[in.rs1], x[in.rs2])
			case opREMU:
				x[in.rd] = remu(x[in.rs1], x[in.rs2])
			case opMULW:
				x[in.rd] = sext32(x[in.rs1] * x[in.rs2])
			case opDIVW:
				x[in.rd] = divw(x[in.rs1], x[in.rs2])
			case opDIVUW:
				x[in.rd] = divuw(x[in.rs1], x[in.rs2])
			case opREMW:
				x[in.rd] = remw(x[in.rs1], x[in.rs2])
			case opREMUW:
				x[in.rd] = remuw(x[in.rs1], x[in.rs2])

			case opFENCE, opFENCEI:
				// One hart in one goroutine sees its own stores in order,
				// and stores to code pages already drop their decoded
				// instructions. (So they are no effect for spin detection
				// either.)

			// sstatus from S or M mode, read or written without changing
			// the translation context or turning an interrupt enable on
			// (push_off's csrr and csrw): nothing but the register and
			// mstatus changes, so the block goes on. Anything else takes
			// the slow path below.
			case opCSRRS, opCSRRW:
				if h.sstatusInBlock(in) {
					break
				}
				h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
				if !h.otherInsn(in, npc) {
					goto trapped
				}
				goto retiredSlow

			// amoswap.w on a page the store TLB maps and that holds no
			// code (every acquire and release): atomic's result without
			// leaving the block.
			case opAMOSWAP:
				a := x[in.rs1]
				if r, ok := h.tlb.store.Lookup(a); ok && in.size == 4 && a&3 == 0 && h.code[r>>12] == 0 {
					old := binary.LittleEndian.Uint32(h.ram[r:])
					v := uint32(x[in.rs2])
					if v != old {
						h.effects++
					}
					binary.LittleEndian.PutUint32(h.ram[r:], v)
					x[in.rd] = sext32(uint64(old))
					h.ctr.AMOSwapW++
					break
				}
				h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
				if !h.atomic(in) {
					goto trapped
				}
				goto retiredSlow

			case opLR, opSC, opAMOADD, opAMOXOR, opAMOAND, opAMOOR,
				opAMOMIN, opAMOMAX, opAMOMINU, opAMOMAXU:
				h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
				if !h.atomic(in) {
					goto trapped
				}
				goto retiredSlow

			case opIllegal:
				h.pc, h.steps = pc, start+n+uint64(i)
				h.illegalInsn(in)
				goto trapped

			case opMRET, opSRET, opWFI:
				h.pc, h.steps = pc, start+n+uint64(i)
				switch h.xretOrWFI(in, npc) {
				case slowStop:
					return true
				case slowTrapped:
					goto trapped
				}
				pc, n = h.pc, h.steps-start
				continue blocks

			default: // FP, CSR access, ecall, ebreak, sfence.vma
				h.pc, h.steps, h.next = pc, start+n+uint64(i), npc
				if !h.otherInsn(in, npc) {
					goto trapped
				}
				goto retiredSlow
			}
			pc = npc
		}
		n += uint64(len(blk))
		continue

	backEdge:
		// A taken branch whose loop spin or cycle detection wants to look
		// at (pureBackEdge said so; h.next is its target).
		if h.stuckInLoop(h.pc, int64(h.next-h.pc)) {
			return true
		}
	retiredSlow:
		// An instruction retired on a slow path, which may have made an
		// interrupt takeable. h.steps does not count it yet; h.next is
		// where it goes on.
		pc, n = h.next, h.steps-start+1
		if h.checkInt {
			h.pc, h.steps = pc, start+n
			h.pollInterrupts()
			pc, n = h.pc, h.steps-start
		}
		continue

	trapped:
		// The instruction raised an exception: it took a step, did not
		// retire, and the hart is at the handler.
		if h.checkInt {
			return false // execute polls after the next one
		}
		pc, n = h.pc, h.steps-start
	}
	h.pc, h.steps = pc, start+n
	return false
}

// probeStep is execute(1) for a cycle probe (cycle.go), which steps the
// hart one instruction at a time and has fetched in, the instruction at
// h.pc, already: execute(1) would find it again and go through
// interpret's entry for it, several times the instruction's own cost. It
// runs in as interpret would, with the same effects, counts, back-edge
// hooks and interrupt poll, and reports whether it did. It leaves to
// execute(1), having changed nothing, everything interpret would not run
// on a fast path, and the cases where its entry does more than run the
// instruction: checkInt set (execute polls first), a block whose entry
// would translate it, or a translated block of one instruction (execute
// would run it natively). The cases mirror interpret's; keep them in step
// (TestProbeStepMatchesExecute, FuzzProbeStepMatchesExecute).
func (h *Hart) probeStep(in *insn) bool {
	if h.checkInt || in == &h.scratch[0] || h.cyc.slowProbes {
		return false
	}
	// fetch returned a slot of the fetch page, at pc.
	c := &h.icache
	d, pc := c.fetchPage, h.pc
	k := pc & pageMask >> 1
	heated := false
	e := d.entry[k]
	if e != 0 {
		switch nat := d.native[k]; {
		case nat > nativeRefused:
			if e&0xff <= 1 {
				return false
			}
		case nat == nativeNone:
			if d.heat[k]+1 >= h.jit.heat {
				return false
			}
			// interpret's entry heats the block before it runs the
			// instruction; nothing below reads the heat, so the order
			// does not matter, and a fallback takes it back.
			d.heat[k]++
			heated = true
		}
		// interpret would run the block's copy of the slot. It is the
		// same but for idiom, which the copy may not have caught up with
		// (loopIdiom copies it from the slot): a slot's idiomNone is the
		// copy's None or Unknown, which interpret makes None at a taken
		// branch, as probeStep does; any other slot idiom goes to
		// execute(1).
	}
	x := &h.x
	npc := pc + uint64(in.len)
	switch in.op {
	case opLUI:
		x[in.rd] = uint64(in.imm)
	case opAUIPC:
		x[in.rd] = pc + uint64(in.imm)
	case opJAL:
		if in.rd == zeroSink && h.pureBackEdge(pc, int64(in.imm)) {
			return h.probeBackEdge(in, pc+uint64(in.imm))
		}
		x[in.rd] = npc
		npc = pc + uint64(in.imm)
	case opJALR:
		t := (x[in.rs1] + uint64(in.imm)) &^ 1
		x[in.rd] = npc
		npc = t
	case opBEQ:
		if x[in.rs1] == x[in.rs2] {
			npc = pc + uint64(in.imm)
			if h.pureBackEdge(pc, int64(in.imm)) {
				return h.probeBackEdge(in, npc)
			}
		}
	case opBNE:
		if x[in.rs1] != x[in.rs2] {
			if in.idiom != idiomNone {
				goto fallback
			}
			if e != 0 {
				d.code[e>>8].idiom = idiomNone // as loopIdiom would
			}
			npc = pc + uint64(in.imm)
			if h.pureBackEdge(pc, int64(in.imm)) {
				return h.probeBackEdge(in, npc)
			}
		}
	case opBLT:
		if int64(x[in.rs1]) < int64(x[in.rs2]) {
			npc = pc + uint64(in.imm)
			if h.pureBackEdge(pc, int64(in.imm)) {
				return h.probeBackEdge(in, npc)
			}
		}
	case opBGE:
		if int64(x[in.rs1]) >= int64(x[in.rs2]) {
			npc = pc + uint64(in.imm)
			if h.pureBackEdge(pc, int64(in.imm)) {
				return h.probeBackEdge(in, npc)
			}
		}
	case opBLTU:
		if x[in.rs1] < x[in.rs2] {
			if in.idiom != idiomNone {
				goto fallback
			}
			if e != 0 {
				d.code[e>>8].idiom = idiomNone // as loopIdiom would
			}
			npc = pc + uint64(in.imm)
			if h.pureBackEdge(pc, int64(in.imm)) {
				return h.probeBackEdge(in, npc)
			}
		}
	case opBGEU:
		if x[in.rs1] >= x[in.rs2] {
			if in.idiom != idiomNone {
				goto fallback
			}
			if e != 0 {
				d.code[e>>8].idiom = idiomNone // as loopIdiom would
			}
			npc = pc + uint64(in.imm)
			if h.pureBackEdge(pc, int64(in.imm)) {
				return h.probeBackEdge(in, npc)
			}
		}

	case opLD, opLW, opLWU, opLH, opLHU, opLB, opLBU:
		size := loadSize[in.op-opLB]
		a := x[in.rs1] + uint64(in.imm)
		r, ok := h.tlb.load.Lookup(a)
		if !ok || a&pageMask > bus.PageSize-size {
			goto fallback
		}
		v := bus.ReadLE(h.ram[r:], int(size))
		switch in.op {
		case opLB:
			v = uint64(int8(v))
		case opLH:
			v = uint64(int16(v))
		case opLW:
			v = sext32(v)
		}
		x[in.rd] = v
	case opSD, opSW, opSH, opSB:
		size := uint64(1) << (in.op - opSB)
		a := x[in.rs1] + uint64(in.imm)
		r, ok := h.tlb.store.Lookup(a)
		if !ok || a&pageMask > bus.PageSize-size || h.code[r>>12] != 0 {
			goto fallback
		}
		h.effects++
		bus.WriteLE(h.ram[r:], int(size), x[in.rs2])

	case opADDI:
		x[in.rd] = x[in.rs1] + uint64(in.imm)
	case opSLTI:
		x[in.rd] = b2u(int64(x[in.rs1]) < int64(in.imm))
	case opSLTIU:
		x[in.rd] = b2u(x[in.rs1] < uint64(in.imm))
	case opXORI:
		x[in.rd] = x[in.rs1] ^ uint64(in.imm)
	case opORI:
		x[in.rd] = x[in.rs1] | uint64(in.imm)
	case opANDI:
		x[in.rd] = x[in.rs1] & uint64(in.imm)
	case opSLLI:
		x[in.rd] = x[in.rs1] << (in.imm & 63)
	case opSRLI:
		x[in.rd] = x[in.rs1] >> (in.imm & 63)
	case opSRAI:
		x[in.rd] = uint64(int64(x[in.rs1]) >> (in.imm & 63))
	case opADD:
		x[in.rd] = x[in.rs1] + x[in.rs2]
	case opSUB:
		x[in.rd] = x[in.rs1] - x[in.rs2]
	case opSLL:
		x[in.rd] = x[in.rs1] << (x[in.rs2] & 63)
	case opSLT:
		x[in.rd] = b2u(int64(x[in.rs1]) < int64(x[in.rs2]))
	case opSLTU:
		x[in.rd] = b2u(x[in.rs1] < x[in.rs2])
	case opXOR:
		x[in.rd] = x[in.rs1] ^ x[in.rs2]
	case opSRL:
		x[in.rd] = x[in.rs1] >> (x[in.rs2] & 63)
	case opSRA:
		x[in.rd] = uint64(int64(x[in.rs1]) >> (x[in.rs2] & 63))
	case opOR:
		x[in.rd] = x[in.rs1] | x[in.rs2]
	case opAND:
		x[in.rd] = x[in.rs1] & x[in.rs2]
	case opADDIW:
		x[in.rd] = sext32(x[in.rs1] + uint64(in.imm))
	case opSLLIW:
		x[in.rd] = sext32(x[in.rs1] << (in.imm & 31))
	case opSRLIW:
		x[in.rd] = sext32(uint64(uint32(x[in.rs1]) >> (in.imm & 31)))
	case opSRAIW:
		x[in.rd] = uint64(int64(int32(x[in.rs1]) >> (in.imm & 31)))
	case opADDW:
		x[in.rd] = sext32(x[in.rs1] + x[in.rs2])
	case opSUBW:
		x[in.rd] = sext32(x[in.rs1] - x[in.rs2])
	case opSLLW:
		x[in.rd] = sext32(x[in.rs1] << (x[in.rs2] & 31))
	case opSRLW:
		x[in.rd] = sext32(uint64(uint32(x[in.rs1]) >> (x[in.rs2] & 31)))
	case opSRAW:
		x[in.rd] = uint64(int64(int32(x[in.rs1]) >> (x[in.rs2] & 31)))

	case opMUL:
		x[in.rd] = x[in.rs1] * x[in.rs2]
	case opMULH:
		x[in.rd] = mulh(x[in.rs1], x[in.rs2])
	case opMULHSU:
		x[in.rd] = mulhsu(x[in.rs1], x[in.rs2])
	case opMULHU:
		x[in.rd], _ = bits.Mul64(x[in.rs1], x[in.rs2])
	case opDIV:
		x[in.rd] = div(x[in.rs1], x[in.rs2])
	case opDIVU:
		x[in.rd] = divu(x[in.rs1], x[in.rs2])
	case opREM:
		x[in.rd] = rem(x[in.rs1], x[in.rs2])
	case opREMU:
		x[in.rd] = remu(x[in.rs1], x[in.rs2])
	case opMULW:
		x[in.rd] = sext32(x[in.rs1] * x[in.rs2])
	case opDIVW:
		x[in.rd] = divw(x[in.rs1], x[in.rs2])
	case opDIVUW:
		x[in.rd] = divuw(x[in.rs1], x[in.rs2])
	case opREMW:
		x[in.rd] = remw(x[in.rs1], x[in.rs2])
	case opREMUW:
		x[in.rd] = remuw(x[in.rs1], x[in.rs2])

	case opFENCE, opFENCEI:

	case opCSRRS, opCSRRW:
		if !h.sstatusInBlock(in) { // it changes nothing when it says no
			goto fallback
		}

	case opAMOSWAP:
		a := x[in.rs1]
		r, ok := h.tlb.store.Lookup(a)
		if !ok || in.size != 4 || a&3 != 0 || h.code[r>>12] != 0 {
			goto fallback
		}
		old := binary.LittleEndian.Uint32(h.ram[r:])
		v := uint32(x[in.rs2])
		if v != old {
			h.effects++
		}
		binary.LittleEndian.PutUint32(h.ram[r:], v)
		x[in.rd] = sext32(uint64(old))
		h.ctr.AMOSwapW++

	default:
		goto fallback
	}
	h.pc = npc
	h.steps++
	return true

fallback:
	if heated {
		d.heat[k]--
	}
	return false
}

// probeBackEdge is probeStep's taken branch or jump (x0 link) in to
// target where pureBackEdge said yes: interpret's backEdge (bneBackEdge
// for a BNE) and retiredSlow.
func (h *Hart) probeBackEdge(in *insn, target uint64) bool {
	h.next = target
	var stop bool
	if in.op == opBNE {
		stop = h.bneBackEdge(in, 0)
	} else {
		stop = h.stuckInLoop(h.pc, int64(in.imm))
	}
	if stop {
		return true // at the branch, not counted, as interpret leaves it
	}
	h.pc = h.next
	h.steps++
	if h.checkInt {
		h.pollInterrupts()
	}
	return true
}

// Slow paths of interpret. They run with h.pc and h.steps up to date (and
// h.next the pc after the instruction, where interpret goes on when it
// retires), and take no pointer to interpret's locals, which then stay in
// registers.

// loopIdiom runs, at a taken BNE, BLTU or BGEU at h.pc, the loop idiom it closes, if
// any, with at most left instructions after this one. It reports whether
// one ran: h.steps then counts its instructions, and h.next is the
// fall-through if the loop ended.
func (h *Hart) loopIdiom(in *insn, left uint64) bool {
	if in.idiom == idiomUnknown {
		// The slot is where idiom.go keeps what it found; in is a
		// block's copy of it.
		c := &h.icache
		if h.pc>>12 == c.fetchVPN {
			slot := &c.fetchPage.slots[h.pc&pageMask>>1]
			if slot.idiom == idiomUnknown {
				h.classifyIdiom(slot, h.pc)
			}
			in.idiom = slot.idiom
		} else {
			h.classifyIdiom(in, h.pc)
		}
	}
	if in.idiom < idiomFill {
		return false
	}
	done, ended := h.runIdiom(in, h.pc, left)
	if ended {
		h.next = h.pc + uint64(in.len)
	}
	return done > 0
}

// idiomBNE runs the hooks of a taken BNE at h.pc that may close a loop
// idiom: the idiom, else those of any back edge. It reports whether the
// Run stops at the branch.
func (h *Hart) idiomBNE(in *insn, left uint64) (stop bool) {
	if h.loopIdiom(in, left) {
		return false
	}
	return h.pureBackEdge(h.pc, int64(in.imm)) && h.bneBackEdge(in, left)
}

// idiomBranch is idiomBNE for the other branches that may close a loop
// idiom (BLTU, BGEU), whose back edges have no tallying spins to skip.
func (h *Hart) idiomBranch(in *insn, left uint64) (stop bool) {
	if h.loopIdiom(in, left) {
		return false
	}
	return h.pureBackEdge(h.pc, int64(in.imm)) && h.stuckInLoop(h.pc, int64(in.imm))
}

// bneBackEdge is backEdge for a BNE: after spin detection, a tallying
// loop's passes may be skipped (h.steps then counts them). It reports
// whether the Run stops at the branch.
func (h *Hart) bneBackEdge(in *insn, left uint64) (stop bool) {
	if h.stuckInLoop(h.pc, int64(in.imm)) {
		return true
	}
	if h.spin.ready {
		h.skipTallies(h.pc, int64(in.imm), left)
	}
	return false
}

// loadX is a load into x[in.rd] from va through the slow path. It
// reports false if it trapped.
func (h *Hart) loadX(in *insn, va uint64) bool {
	size := loadSize[in.op-opLB]
	v, ok := h.load(va, size)
	if !ok {
		return false
	}
	switch in.op {
	case opLB:
		v = uint64(int8(v))
	case opLH:
		v = uint64(int16(v))
	case opLW:
		v = sext32(v)
	}
	h.x[in.rd] = v
	return true
}

// What xretOrWFI tells execute to do next.
const (
	slowOn      = iota // go on at h.pc
	slowTrapped        // the instruction trapped
	slowStop           // the Run ends here
)

// xretOrWFI executes MRET, SRET or WFI (npc the pc after it). When it
// retires, it counts its step and polls for interrupts itself: pc is then
// the xRET target or the instruction after WFI, where a newly enabled
// interrupt is taken.
func (h *Hart) xretOrWFI(in *insn, npc uint64) int {
	if h.cyc.sniffing && in.op != opWFI && h.sniffBackEdge(h.pc, 0) {
		return slowStop // a loop through a trap may have no back edge
	}
	h.effects++
	if !h.system(in, npc) {
		return slowTrapped
	}
	h.steps++
	if in.op == opWFI {
		h.pc = npc
		h.cyc.nextProbe = h.steps + cycleAfterWFI
		if h.mip()&h.csr.mie == 0 {
			h.waiting = true
			return slowStop
		}
	}
	h.pollInterrupts()
	return slowOn
}

// otherInsn executes an FP instruction, a CSR access, ecall, ebreak or
// sfence.vma, reporting false if it trapped.
func (h *Hart) otherInsn(in *insn, npc uint64) bool {
	h.effects++
	if in.op >= opFirstFP {
		return h.float(in)
	}
	return h.system(in, npc)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func sext32(v uint64) uint64 { return uint64(int64(int32(v))) }

func mulh(a, b uint64) uint64 {
	hi, _ := bits.Mul64(a, b)
	if int64(a) < 0 {
		hi -= b
	}
	if int64(b) < 0 {
		hi -= a
	}
	return hi
}

func mulhsu(a, b uint64) uint64 {
	hi, _ := bits.Mul64(a, b)
	if int64(a) < 0 {
		hi -= b
	}
	return hi
}

func div(a, b uint64) uint64 {
	switch {
	case b == 0:
		return ^uint64(0)
	case int64(a) == -1<<63 && int64(b) == -1:
		return a
	}
	return uint64(int64(a) / int64(b))
}

func divu(a, b uint64) uint64 {
	if b == 0 {
		return ^uint64(0)
	}
	return a / b
}

func rem(a, b uint64) uint64 {
	switch {
	case b == 0:
		return a
	case int64(a) == -1<<63 && int64(b) == -1:
		return 0
	}
	return uint64(int64(a) % int64(b))
}

func remu(a, b uint64) uint64 {
	if b == 0 {
		return a
	}
	return a % b
}

func divw(a, b uint64) uint64 {
	x, y := int32(a), int32(b)
	switch {
	case y == 0:
		return ^uint64(0)
	case x == -1<<31 && y == -1:
		return uint64(int64(x))
	}
	return uint64(int64(x / y))
}

func divuw(a, b uint64) uint64 {
	x, y := uint32(a), uint32(b)
	if y == 0 {
		return ^uint64(0)
	}
	return sext32(uint64(x / y))
}

func remw(a, b uint64) uint64 {
	x, y := int32(a), int32(b)
	switch {
	case y == 0:
		return uint64(int64(x))
	case x == -1<<31 && y == -1:
		return 0
	}
	return uint64(int64(x % y))
}

func remuw(a, b uint64) uint64 {
	x, y := uint32(a), uint32(b)
	if y == 0 {
		return sext32(uint64(x))
	}
	return sext32(uint64(x % y))
}
