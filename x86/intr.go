package x86

// This file owns interrupts and exceptions: raising a fault from deep
// inside an instruction, delivering it (and external interrupts and int n)
// through the IDT or the real-mode IVT, double and triple faults, and iret.

// Exception vectors.
const (
	excDE = 0
	excDB = 1
	excBP = 3
	excOF = 4
	excUD = 6
	excNM = 7
	excDF = 8
	excTS = 10
	excNP = 11
	excSS = 12
	excGP = 13
	excPF = 14
	excAC = 17
)

type excInfo struct {
	vec    uint8
	err    uint32
	hasErr bool
}

// faultSignal is the panic value that unwinds a faulting instruction to
// the run loop. Only raise panics with it; anything else is a real bug and
// is re-raised.
type faultSignal struct{}

var faultPanic = &faultSignal{}

// raise aborts the current instruction with exception vec. The run loop
// restores EIP and ESP to the instruction's start and delivers it.
func (c *CPU) raise(vec uint8, err uint32, hasErr bool) {
	c.exc = excInfo{vec, err, hasErr}
	panic(faultPanic)
}

// Run executes up to budget instructions and returns how many steps it
// took (a faulting instruction is a step). It returns early when the CPU
// halts, waits for a STARTUP IPI, shuts down, or spins (see Spinning).
func (c *CPU) Run(budget uint64) uint64 {
	start := c.steps
	c.restartSpinWatch()
	if c.shut || c.waitSIPI {
		return 0
	}
	if c.halted {
		if !c.intr || c.flags&FlagIF == 0 {
			return 0
		}
		c.halted = false
	}
	end := start + budget
	c.watchForCycle(end)
	for c.steps < end && !c.halted && !c.shut && !c.spinning {
		if c.cyc.now {
			c.watchForCycle(end)
			continue
		}
		if c.runSafe(end) {
			c.restoreAfterFault()
			c.steps++
			c.Stats.Exceptions[c.exc.vec&31]++
			c.deliverSafe(c.exc.vec, c.exc.err, c.exc.hasErr, false, c.eip)
		}
	}
	c.Stats.Instructions = c.steps
	return c.steps - start
}

// runSafe runs the interpreter, reporting whether it stopped at a fault.
func (c *CPU) runSafe(end uint64) (faulted bool) {
	defer func() {
		if r := recover(); r != nil {
			if r == breakPanic {
				c.spinning = true // Run returns; DebugRun reports the breakpoint
				return
			}
			if r != faultPanic {
				panic(r)
			}
			faulted = true
		}
	}()
	c.loop(end)
	return false
}

// deliverSafe delivers an event, turning a fault during delivery into the
// next event: #DF after a fault, shutdown after #DF.
func (c *CPU) deliverSafe(vec uint8, err uint32, hasErr, soft bool, ret uint32) {
	c.effects++
	isFault := !soft && vec < 32
	for {
		if c.tryDeliver(vec, err, hasErr, soft, ret) {
			return
		}
		switch {
		case vec == excDF:
			c.shutdownf("triple fault")
			return
		case isFault:
			vec, err, hasErr = excDF, 0, true
		default:
			// A fault delivering int n is the instruction's own fault.
			vec, err, hasErr = c.exc.vec, c.exc.err, c.exc.hasErr
			isFault = true
			if soft {
				ret = c.eip
			}
		}
		soft = false
		c.Stats.Exceptions[vec&31]++
	}
}

func (c *CPU) shutdownf(reason string) {
	c.shut = true
	c.shutReason = reason
}

func (c *CPU) tryDeliver(vec uint8, err uint32, hasErr, soft bool, ret uint32) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != faultPanic {
				panic(r)
			}
			ok = false
		}
	}()
	c.deliver(vec, err, hasErr, soft, ret)
	return true
}

// takeInterrupt acknowledges INTR and delivers the vector.
func (c *CPU) takeInterrupt() {
	if c.intAck == nil {
		return
	}
	vec, ok := c.intAck()
	if !ok {
		return
	}
	c.Stats.Interrupts++
	c.halted = false
	c.deliverSafe(vec, 0, false, false, c.eip)
}

// deliver enters the handler for vec with return address ret. soft marks
// int n, int3 and into, whose gate DPL is checked against CPL.
func (c *CPU) deliver(vec uint8, err uint32, hasErr, soft bool, ret uint32) {
	if !c.protected() {
		c.deliverReal(vec, ret)
		return
	}
	idx := uint32(vec) * 8
	ext := uint32(1)
	if soft {
		ext = 0
	}
	gateErr := idx | 2 | ext
	if idx+7 > uint32(c.idtr.limit) {
		c.raise(excGP, gateErr, true)
	}
	lo := c.readSys(c.idtr.base+idx, 4)
	hi := c.readSys(c.idtr.base+idx+4, 4)
	typ := hi >> 8 & 0x1F
	switch typ {
	case 0x0E, 0x0F, 0x06, 0x07:
	default: // task gates are not supported
		c.raise(excGP, gateErr, true)
	}
	if soft && uint8(hi>>13&3) < c.cpl {
		c.raise(excGP, gateErr, true)
	}
	if hi&descP == 0 {
		c.raise(excNP, gateErr, true)
	}
	sel := uint16(lo >> 16)
	off := lo&0xFFFF | hi&0xFFFF0000
	size := 4
	if typ&8 == 0 {
		off &= 0xFFFF
		size = 2
	}
	if sel&^3 == 0 {
		c.raise(excGP, ext, true)
	}
	_, clo, chi := c.readDesc(sel, excGP)
	cs := descSeg(sel, clo, chi)
	if cs.typ&0x18 != 0x18 || cs.dpl > c.cpl {
		c.raise(excGP, uint32(sel&^3)|ext, true)
	}
	if chi&descP == 0 {
		c.raise(excNP, uint32(sel&^3)|ext, true)
	}
	newCPL := c.cpl
	if cs.typ&4 == 0 {
		newCPL = cs.dpl
	}
	flags := c.getFlags()
	frame := [6]uint32{}
	n := 0
	ss := c.seg[SS]
	esp := c.r[ESP]
	if newCPL < c.cpl {
		ssSel, nesp := c.tssStack(newCPL)
		if ssSel&^3 == 0 {
			c.raise(excTS, ext, true)
		}
		_, slo, shi := c.readDesc(ssSel, excTS)
		nss := descSeg(ssSel, slo, shi)
		if uint8(ssSel&3) != newCPL || nss.dpl != newCPL || nss.typ&0x1A != 0x12 {
			c.raise(excTS, uint32(ssSel&^3)|ext, true)
		}
		if shi&descP == 0 {
			c.raise(excSS, uint32(ssSel&^3)|ext, true)
		}
		frame[n], frame[n+1] = uint32(ss.sel), esp
		n += 2
		ss, esp = nss, nesp
	}
	frame[n], frame[n+1], frame[n+2] = flags, uint32(c.seg[CS].sel), ret
	n += 3
	if hasErr {
		frame[n] = err
		n++
	}
	// Write the frame with supervisor (new-ring) accesses; registers change
	// only once every write has succeeded.
	user := newCPL == 3
	for i := 0; i < n; i++ {
		if ss.big {
			esp -= uint32(size)
		} else {
			esp = esp&^0xFFFF | (esp-uint32(size))&0xFFFF
		}
		o := esp
		if !ss.big {
			o &= 0xFFFF
		}
		c.writeSlow(ss.base+o, size, frame[i], user)
	}
	c.seg[SS] = ss
	c.r[ESP] = esp
	cs.sel = sel&^3 | uint16(newCPL)
	c.setCS(cs)
	c.setCPL(newCPL)
	c.eip = off
	c.settle()
	c.flags &^= FlagTF | FlagNT | FlagRF | FlagVM
	if typ&1 == 0 {
		c.flags &^= FlagIF
	}
}

// deliverReal enters a real-mode handler through the IVT.
func (c *CPU) deliverReal(vec uint8, ret uint32) {
	idx := uint32(vec) * 4
	if idx+3 > uint32(c.idtr.limit) {
		c.raise(excGP, 0, true)
	}
	v := c.readSys(c.idtr.base+idx, 4)
	c.push(c.getFlags()&0xFFFF, 2)
	c.push(uint32(c.seg[CS].sel), 2)
	c.push(ret&0xFFFF, 2)
	c.settle()
	c.flags &^= FlagIF | FlagTF | FlagAC
	c.farJump(uint16(v>>16), v&0xFFFF)
}

// softInt is int n / int3 / into at the instruction ending at next.
func (c *CPU) softInt(vec uint8, next uint32) {
	if c.cpl == 3 {
		c.Stats.Syscalls++
	}
	c.steps++
	c.deliverSafe(vec, 0, false, true, next)
}

// iret returns from an interrupt handler.
func (c *CPU) iret(size int) {
	c.effects++
	if !c.protected() {
		ip := c.top(0, size)
		cs := uint16(c.top(uint32(size), size))
		fl := c.top(uint32(2*size), size)
		c.addSP(uint32(3 * size))
		c.farJump(cs, ip)
		mask := uint32(writableFlags)
		if size == 2 {
			mask &= 0xFFFF
		}
		c.setFlagBits(mask, fl)
		return
	}
	eip := c.top(0, size)
	sel := uint16(c.top(uint32(size), size))
	fl := c.top(uint32(2*size), size)
	rpl := uint8(sel & 3)
	if rpl < c.cpl || sel&^3 == 0 {
		c.raise(excGP, uint32(sel&^3), true)
	}
	addr, lo, hi := c.readDesc(sel, excGP)
	cs := descSeg(sel, lo, hi)
	if cs.typ&0x18 != 0x18 || cs.typ&4 == 0 && cs.dpl != rpl || cs.typ&4 != 0 && cs.dpl > rpl {
		c.raise(excGP, uint32(sel&^3), true)
	}
	if hi&descP == 0 {
		c.raise(excNP, uint32(sel&^3), true)
	}
	var ss segment
	var esp uint32
	outer := rpl > c.cpl
	if outer {
		esp = c.top(uint32(3*size), size)
		ss = c.outerStack(uint16(c.top(uint32(4*size), size)), rpl)
	}
	if size == 2 {
		eip &= 0xFFFF
	}
	if eip > cs.limit {
		c.raise(excGP, 0, true)
	}
	c.setAccessed(addr, hi)
	// Committed from here on.
	mask := uint32(arithFlags | FlagTF | FlagDF | FlagNT | FlagAC | FlagID)
	iopl := uint8(c.flags >> 12 & 3)
	if c.cpl == 0 {
		mask |= FlagIOPL
	}
	if c.cpl <= iopl {
		mask |= FlagIF
	}
	if size == 2 {
		mask &= 0xFFFF
	}
	c.setFlagBits(mask, fl)
	c.setCS(cs)
	c.eip = eip
	frame := c.r[ESP]
	if outer {
		c.setCPL(rpl)
		c.seg[SS] = ss
		if size == 2 {
			esp = c.r[ESP]&^0xFFFF | esp&0xFFFF
		}
		c.r[ESP] = esp
		c.dropInaccessible()
	} else {
		c.addSP(uint32(3 * size))
	}
	if outer && rpl == 3 {
		c.noteUserEntry(frame)
	}
}
