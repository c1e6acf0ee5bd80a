package x86

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
)

// The fast loop: runs of specialized opcodes (see specialize) execute here,
// in a function small enough that EIP, the step count and the fetch page
// stay in host registers, with no check for interrupts between
// instructions and no operand-size work. The interpreter (loop) hands over
// at a specialized opcode when no interrupt is deliverable; nothing run
// here can make one deliverable (no port, device or flag access beyond the
// arithmetic flags), so none is missed. An instruction whose memory access
// is not a TLB hit on a flat segment (on a page without decoded code, for
// a store), or that is not specialized, or that lies off the fetch page,
// ends the run before it is executed, with c.eip and c.steps at it: the
// interpreter then runs it with its full semantics. So nothing here
// faults, and each instruction does exactly what the interpreter's case
// for it does.

// What runFast did.
const (
	fastNone = iota // nothing: the interpreter runs the instruction
	fastRan         // c.eip and c.steps are past what ran
	fastStop        // as fastRan, and the interpreter returns (a spin)
)

// runFast runs specialized instructions from in (the one at c.eip on the
// fetch page) until one needs the interpreter or step end is reached.
func (c *CPU) runFast(in *insn, end uint64) int {
	ic := &c.icache
	page, eip0 := ic.fetchPage, ic.fetchEIP0
	eip, steps := c.eip, c.steps
	r := &c.r
	t := &c.tlb
	for {
		next := eip + uint32(in.len)
		switch in.op {
		case opMovRR:
			r[in.rm] = r[in.reg]
		case opLoad32:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.r[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastR {
				if v, ok := c.apicConstRead(a, in.seg); ok {
					r[in.reg] = v
					break
				}
				goto out
			}
			r[in.reg] = binary.LittleEndian.Uint32(c.ram[e.off+uint64(a&pageMask):])
		case opStore32:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.w[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastW || c.code[e.off>>12] != 0 {
				goto out
			}
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[e.off+uint64(a&pageMask):], r[in.reg])
		case opAddRR:
			a, b := r[in.rm], r[in.reg]
			r[in.rm] = a + b
			c.lazy32(lazyAdd, a+b, a, b)
		case opSubRR:
			a, b := r[in.rm], r[in.reg]
			r[in.rm] = a - b
			c.lazy32(lazySub, a-b, a, b)
		case opCmpRR:
			a, b := r[in.rm], r[in.reg]
			c.lazy32(lazySub, a-b, a, b)
		case opAndRR:
			v := r[in.rm] & r[in.reg]
			r[in.rm] = v
			c.lazy32(lazyLogic, v, 0, 0)
		case opOrRR:
			v := r[in.rm] | r[in.reg]
			r[in.rm] = v
			c.lazy32(lazyLogic, v, 0, 0)
		case opXorRR:
			if in.rm == in.reg {
				r[in.rm] = 0
				c.flags = c.flags&^arithFlags | FlagZF | FlagPF // as xorZero
				c.lz.op = lazyNone
				break
			}
			v := r[in.rm] ^ r[in.reg]
			r[in.rm] = v
			c.lazy32(lazyLogic, v, 0, 0)
		case opTestRR:
			c.lazy32(lazyLogic, r[in.rm]&r[in.reg], 0, 0)
		case opAddRI:
			a := r[in.rm]
			r[in.rm] = a + in.imm
			c.lazy32(lazyAdd, a+in.imm, a, in.imm)
		case opSubRI:
			a := r[in.rm]
			r[in.rm] = a - in.imm
			c.lazy32(lazySub, a-in.imm, a, in.imm)
		case opCmpRI:
			a := r[in.rm]
			c.lazy32(lazySub, a-in.imm, a, in.imm)
		case opAndRI:
			v := r[in.rm] & in.imm
			r[in.rm] = v
			c.lazy32(lazyLogic, v, 0, 0)
		case opOrRI:
			v := r[in.rm] | in.imm
			r[in.rm] = v
			c.lazy32(lazyLogic, v, 0, 0)
		case opXorRI:
			v := r[in.rm] ^ in.imm
			r[in.rm] = v
			c.lazy32(lazyLogic, v, 0, 0)
		case opTestRI:
			c.lazy32(lazyLogic, r[in.rm]&in.imm, 0, 0)
		case opTestRB:
			c.setLazy(lazyLogic, 1, c.getReg(in.rm, 1)&in.imm, 0, 0)
		case opMovzxRB:
			r[in.reg] = c.getReg(in.rm, 1)
		case opLea32:
			r[in.reg] = in.disp + r[in.base] + r[in.index]<<(in.scale&3)
		case opMovRI:
			r[in.rm] = in.imm
		case opCmpRM:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.r[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastR {
				goto out
			}
			x, y := r[in.reg], binary.LittleEndian.Uint32(c.ram[e.off+uint64(a&pageMask):])
			c.lazy32(lazySub, x-y, x, y)
		case opLoadZB:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.r[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || !c.seg[in.seg&7].fastR {
				goto out
			}
			r[in.reg] = uint32(c.ram[e.off+uint64(a&pageMask)])
		case opStoreI32:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.w[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastW || c.code[e.off>>12] != 0 {
				goto out
			}
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[e.off+uint64(a&pageMask):], in.imm)
		case opAluMI:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			if in.reg == aluCmp {
				// Only a read, as the interpreter's aluRM does it.
				e := &t.r[t.user&1][a>>12&tlbMask]
				if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastR {
					goto out
				}
				c.alu(aluCmp, binary.LittleEndian.Uint32(c.ram[e.off+uint64(a&pageMask):]), in.imm, 4)
				break
			}
			e := &t.w[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastW || c.code[e.off>>12] != 0 {
				goto out
			}
			p := c.ram[e.off+uint64(a&pageMask):]
			v := c.alu(in.reg, binary.LittleEndian.Uint32(p), in.imm, 4)
			c.effects++ // not cmp, which went above
			binary.LittleEndian.PutUint32(p, v)
			if in.pfx&pfxLock != 0 {
				c.Stats.LockOther++
			}
		case opShiftRI:
			// shift's shl, shr and sar for 32 bits, written out.
			v, n := r[in.rm], in.imm&31
			switch {
			case n == 0:
			case in.reg == 4 || in.reg == 6:
				r[in.rm] = v << n
				c.lazy32(lazyShl, v<<n, v<<(n-1), 0)
			case in.reg == 5:
				r[in.rm] = v >> n
				c.lazy32(lazyShr, v>>n, v>>(n-1), 0)
			case in.reg == 7:
				sv := int32(v)
				r[in.rm] = uint32(sv >> n)
				c.lazy32(lazyShr, uint32(sv>>n), uint32(sv>>(n-1)), 0)
			default:
				if v, ok := c.shift(in.reg, v, n, 4); ok {
					r[in.rm] = v
				}
			}
		case opImulRI:
			r[in.reg] = c.imul2(r[in.rm], in.imm, 4)
		case opPush32:
			sp := r[ESP] - 4
			e := &t.w[t.user&1][sp>>12&tlbMask]
			if !c.seg[SS].fastRW || e.tag != t.tag|uint64(sp>>12) || sp&pageMask > pageMask-3 || c.code[e.off>>12] != 0 {
				goto out
			}
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[e.off+uint64(sp&pageMask):], r[in.rm])
			r[ESP] = sp
		case opPop32:
			sp := r[ESP]
			e := &t.r[t.user&1][sp>>12&tlbMask]
			if !c.seg[SS].fastRW || e.tag != t.tag|uint64(sp>>12) || sp&pageMask > pageMask-3 {
				goto out
			}
			r[ESP] = sp + 4
			r[in.rm] = binary.LittleEndian.Uint32(c.ram[e.off+uint64(sp&pageMask):])
		case opCall32:
			sp := r[ESP] - 4
			e := &t.w[t.user&1][sp>>12&tlbMask]
			if !c.seg[SS].fastRW || e.tag != t.tag|uint64(sp>>12) || sp&pageMask > pageMask-3 || c.code[e.off>>12] != 0 {
				goto out
			}
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[e.off+uint64(sp&pageMask):], next)
			r[ESP] = sp
			next += in.imm
		case opRet32:
			sp := r[ESP]
			e := &t.r[t.user&1][sp>>12&tlbMask]
			if !c.seg[SS].fastRW || e.tag != t.tag|uint64(sp>>12) || sp&pageMask > pageMask-3 {
				goto out
			}
			r[ESP] = sp + 4
			next = binary.LittleEndian.Uint32(c.ram[e.off+uint64(sp&pageMask):])
		case opLeave32:
			sp := r[EBP]
			e := &t.r[t.user&1][sp>>12&tlbMask]
			if !c.seg[SS].fastRW || e.tag != t.tag|uint64(sp>>12) || sp&pageMask > pageMask-3 {
				goto out
			}
			r[EBP] = binary.LittleEndian.Uint32(c.ram[e.off+uint64(sp&pageMask):])
			r[ESP] = sp + 4
		case opNotR:
			r[in.rm] = ^r[in.rm]
		case opNegR:
			v := r[in.rm]
			r[in.rm] = -v
			c.lazy32(lazySub, -v, 0, v)
		case opImulRR:
			r[in.reg] = c.imul2(r[in.reg], r[in.rm], 4)
		case opStore8:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.w[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || !c.seg[in.seg&7].fastW || c.code[e.off>>12] != 0 {
				goto out
			}
			c.effects++
			c.ram[e.off+uint64(a&pageMask)] = byte(c.getReg(in.reg, 1))
		case opNop:
		case opPushf32, opPushI32:
			v := in.imm
			if in.op == opPushf32 {
				v = c.getFlags() &^ (FlagVM | FlagRF)
			}
			sp := r[ESP] - 4
			e := &t.w[t.user&1][sp>>12&tlbMask]
			if !c.seg[SS].fastRW || e.tag != t.tag|uint64(sp>>12) || sp&pageMask > pageMask-3 || c.code[e.off>>12] != 0 {
				goto out
			}
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[e.off+uint64(sp&pageMask):], v)
			r[ESP] = sp
		case opCli:
			if c.protected() && c.cpl > uint8(c.flags>>12&3) {
				goto out // #GP
			}
			c.flags &^= FlagIF
		case opAluRM32, opCmpMR:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.r[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || a&pageMask > pageMask-3 || !c.seg[in.seg&7].fastR {
				goto out
			}
			m := binary.LittleEndian.Uint32(c.ram[e.off+uint64(a&pageMask):])
			if in.op == opCmpMR {
				x := r[in.reg]
				c.lazy32(lazySub, m-x, m, x)
				break
			}
			r[in.reg] = c.alu(uint8(in.imm), r[in.reg], m, 4)
		case opTestMB:
			a := in.disp + r[in.base] + r[in.index]<<(in.scale&3)
			e := &t.r[t.user&1][a>>12&tlbMask]
			if e.tag != t.tag|uint64(a>>12) || !c.seg[in.seg&7].fastR {
				goto out
			}
			c.setLazy(lazyLogic, 1, uint32(c.ram[e.off+uint64(a&pageMask)])&in.imm, 0, 0)
		case opJcc:
			// cond's commonest cases, after a 32-bit compare or logic op,
			// written out.
			if l, cc := &c.lz, in.reg&15; l.size == 4 && subConds>>cc&1 != 0 && (l.op == lazySub || l.op == lazyLogic) {
				var k uint32
				if l.op == lazySub {
					k = b2u(l.a < l.b) | b2u(l.a == l.b)<<1 | b2u(int32(l.a) < int32(l.b))<<2
				} else {
					k = b2u(l.res == 0)<<1 | b2u(int32(l.res) < 0)<<2
				}
				if condTable[cc]>>k&1 == 0 {
					break
				}
			} else if cc&^1 == 4 && l.op != lazyNone {
				// je, jne: ZF is whether the (masked) result is 0.
				if (l.res == 0) == (cc&1 != 0) {
					break
				}
			} else if !c.cond(cc) {
				break
			}
			tg := next + in.imm
			if eip-tg <= spinReach || tg < eip {
				// A back edge: the spin watch and loop idioms, as in the
				// interpreter, which see c.eip and c.steps.
				c.eip, c.steps = eip, steps
				if eip-tg <= spinReach {
					// watchBackEdge's first test, written out: a loop
					// that had an effect since its last back edge.
					if w := &c.spin; w.eip != eip || w.effects != c.effects {
						w.eip, w.effects, w.visits = eip, c.effects, 0
					} else if c.watchBackEdge(eip) {
						return fastStop
					}
				}
				if tg < eip && in.disp != loopNone {
					switch c.loopIdiom(in, tg, end) {
					case loopRan:
						return fastRan
					case loopSpun:
						return fastStop
					}
				}
			}
			next = tg
		case opJmp:
			tg := next + in.imm
			if eip-tg <= spinReach {
				c.eip, c.steps = eip, steps
				if w := &c.spin; w.eip != eip || w.effects != c.effects {
					w.eip, w.effects, w.visits = eip, c.effects, 0 // as watchBackEdge
				} else if c.watchBackEdge(eip) {
					return fastStop
				}
			}
			next = tg
		default:
			goto out
		}
		eip = next
		steps++
		if steps >= end {
			break
		}
		d := uint64(eip) - eip0
		if d >= bus.PageSize {
			break
		}
		in = &page.slots[d]
	}
out:
	// c.steps was stored above only on the way to a back edge, and
	// steps has moved on since.
	if steps == c.steps {
		return fastNone
	}
	c.eip, c.steps = eip, steps
	return fastRan
}

// apicConstRead answers a 4-byte read at seg:a from the cached local-APIC
// ID or version register (see readSlow), if the device TLB maps a there
// and the value is cached; a read of them has no effect to count.
func (c *CPU) apicConstRead(a uint32, seg uint8) (uint32, bool) {
	t := &c.tlb
	e := &t.dev[t.user&1][a>>12&tlbMask]
	if e.tag != t.tag|uint64(a>>12) || !c.seg[seg&7].fastR || c.cyc.probing || c.dbg != nil {
		return 0, false
	}
	pa := e.off | uint64(a&pageMask)
	k := uint8(pa>>4) & 1
	if !c.pureAPICRead(pa) || c.apicConstOK>>k&1 == 0 {
		return 0, false
	}
	return c.apicConst[k], true
}
