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

// execute is the interpreter loop: fetch a decoded instruction, switch on
// its op. Exceptions `continue` without retiring (the trap has already
// moved pc to the handler).
func (h *Hart) execute(budget uint64) {
	x := &h.x
	c := &h.icache
	for n := uint64(0); n < budget; n++ {
		// Fetch: the decoded slot on the current page, else the slow path.
		pc := h.pc
		var in *insn
		if pc>>12 == c.fetchVPN {
			in = &c.fetchPage.slots[pc&pageMask>>1]
			if in.op == opNone {
				in = h.decodeSlot(in, c.fetchBase, pc)
			}
		} else {
			in = h.fetchSlow(pc)
		}
		if in == nil {
			if h.guardStop {
				return // a debugger's guarded page (SetGuards)
			}
			continue // the fetch trapped
		}
		npc := pc + uint64(in.len)
		switch in.op {
		case opLUI:
			x[in.rd] = uint64(in.imm)
		case opAUIPC:
			x[in.rd] = pc + uint64(in.imm)
		case opJAL:
			if in.rd == zeroSink && h.pureBackEdge(pc, in.imm) && h.stuckInLoop(pc, in.imm) {
				return
			}
			x[in.rd] = npc
			npc = pc + uint64(in.imm)
		case opJALR:
			t := (x[in.rs1] + uint64(in.imm)) &^ 1
			x[in.rd] = npc
			npc = t
		case opBEQ:
			if x[in.rs1] == x[in.rs2] {
				if h.pureBackEdge(pc, in.imm) && h.stuckInLoop(pc, in.imm) {
					return
				}
				npc = pc + uint64(in.imm)
			}
		case opBNE:
			if x[in.rs1] != x[in.rs2] {
				npc = pc + uint64(in.imm)
				if in.idiom != idiomNone {
					if in.idiom == idiomUnknown {
						h.classifyIdiom(in, pc)
					}
					if in.idiom >= idiomFill {
						if done, ended := h.runIdiom(in, pc, budget-n-1); done > 0 {
							n += done
							if ended {
								npc = pc + uint64(in.len)
							}
							break
						}
					}
				}
				if h.pureBackEdge(pc, in.imm) {
					if h.stuckInLoop(pc, in.imm) {
						return
					}
					if h.spin.ready {
						n += h.skipTallies(pc, in.imm, budget-n-1)
					}
				}
			}
		case opBLT:
			if int64(x[in.rs1]) < int64(x[in.rs2]) {
				if h.pureBackEdge(pc, in.imm) && h.stuckInLoop(pc, in.imm) {
					return
				}
				npc = pc + uint64(in.imm)
			}
		case opBGE:
			if int64(x[in.rs1]) >= int64(x[in.rs2]) {
				if h.pureBackEdge(pc, in.imm) && h.stuckInLoop(pc, in.imm) {
					return
				}
				npc = pc + uint64(in.imm)
			}
		case opBLTU:
			if x[in.rs1] < x[in.rs2] {
				if h.pureBackEdge(pc, in.imm) && h.stuckInLoop(pc, in.imm) {
					return
				}
				npc = pc + uint64(in.imm)
			}
		case opBGEU:
			if x[in.rs1] >= x[in.rs2] {
				if h.pureBackEdge(pc, in.imm) && h.stuckInLoop(pc, in.imm) {
					return
				}
				npc = pc + uint64(in.imm)
			}

		// Loads and stores: a TLB hit that stays within its page is a direct
		// RAM access (stores also check that the page holds no decoded code).
		case opLD:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-8 {
				x[in.rd] = binary.LittleEndian.Uint64(h.ram[i:])
			} else if v, ok := h.load(a, 8); ok {
				x[in.rd] = v
			} else {
				continue
			}
		case opLW:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-4 {
				x[in.rd] = uint64(int32(binary.LittleEndian.Uint32(h.ram[i:])))
			} else if v, ok := h.load(a, 4); ok {
				x[in.rd] = sext32(v)
			} else {
				continue
			}
		case opLWU:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-4 {
				x[in.rd] = uint64(binary.LittleEndian.Uint32(h.ram[i:]))
			} else if v, ok := h.load(a, 4); ok {
				x[in.rd] = v
			} else {
				continue
			}
		case opLH:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-2 {
				x[in.rd] = uint64(int16(binary.LittleEndian.Uint16(h.ram[i:])))
			} else if v, ok := h.load(a, 2); ok {
				x[in.rd] = uint64(int16(v))
			} else {
				continue
			}
		case opLHU:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-2 {
				x[in.rd] = uint64(binary.LittleEndian.Uint16(h.ram[i:]))
			} else if v, ok := h.load(a, 2); ok {
				x[in.rd] = v
			} else {
				continue
			}
		case opLB:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-1 {
				x[in.rd] = uint64(int8(h.ram[i]))
			} else if v, ok := h.load(a, 1); ok {
				x[in.rd] = uint64(int8(v))
			} else {
				continue
			}
		case opLBU:
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.load.Lookup(a); ok && a&pageMask <= bus.PageSize-1 {
				x[in.rd] = uint64(h.ram[i])
			} else if v, ok := h.load(a, 1); ok {
				x[in.rd] = v
			} else {
				continue
			}
		case opSD:
			h.effects++
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-8 && h.code[i>>12] == 0 {
				binary.LittleEndian.PutUint64(h.ram[i:], x[in.rs2])
			} else if !h.store(a, 8, x[in.rs2]) {
				continue
			}
		case opSW:
			h.effects++
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-4 && h.code[i>>12] == 0 {
				binary.LittleEndian.PutUint32(h.ram[i:], uint32(x[in.rs2]))
			} else if !h.store(a, 4, x[in.rs2]) {
				continue
			}
		case opSH:
			h.effects++
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-2 && h.code[i>>12] == 0 {
				binary.LittleEndian.PutUint16(h.ram[i:], uint16(x[in.rs2]))
			} else if !h.store(a, 2, x[in.rs2]) {
				continue
			}
		case opSB:
			h.effects++
			a := x[in.rs1] + uint64(in.imm)
			if i, ok := h.tlb.store.Lookup(a); ok && a&pageMask <= bus.PageSize-1 && h.code[i>>12] == 0 {
				h.ram[i] = byte(x[in.rs2])
			} else if !h.store(a, 1, x[in.rs2]) {
				continue
			}

		case opADDI:
			x[in.rd] = x[in.rs1] + uint64(in.imm)
		case opSLTI:
			x[in.rd] = b2u(int64(x[in.rs1]) < in.imm)
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
			// One hart in one goroutine sees its own stores in order, and
			// stores to code pages already drop their decoded instructions.
			// (So they are no effect for spin detection either.)

		case opLR, opSC, opAMOSWAP, opAMOADD, opAMOXOR, opAMOAND, opAMOOR,
			opAMOMIN, opAMOMAX, opAMOMINU, opAMOMAXU:
			if !h.atomic(in) {
				continue
			}

		case opIllegal:
			h.illegalInsn(in)
			continue

		case opMRET, opSRET, opWFI:
			if h.cyc.sniffing && in.op != opWFI && h.sniffBackEdge(pc, 0) {
				return // a loop through a trap may have no back edge
			}
			h.effects++
			if !h.system(in, npc) {
				continue
			}
			h.steps++
			if in.op == opWFI {
				h.pc = npc
				h.cyc.nextProbe = h.steps + cycleAfterWFI
				if h.mip()&h.csr.mie == 0 {
					h.waiting = true
					return
				}
			}
			// pc is now the xRET target or the instruction after WFI,
			// where a newly enabled interrupt is taken.
			h.pollInterrupts()
			continue

		default: // FP, CSR access, ecall, ebreak, sfence.vma
			h.effects++
			if in.op >= opFirstFP {
				if !h.float(in) {
					continue
				}
			} else if !h.system(in, npc) {
				continue
			}
		}
		h.pc = npc
		h.steps++
		if h.checkInt {
			h.pollInterrupts()
		}
	}
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
