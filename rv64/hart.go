package rv64

import "github.com/xv6emu/xv6emu/bus"

// Clock is the board's time source in timebase ticks (10 MHz).
type Clock interface{ Now() uint64 }

// Privilege levels.
const (
	PrivU = 0
	PrivS = 1
	PrivM = 3
)

// Interrupt bit numbers (in mip/mie and as interrupt cause codes).
const (
	IntSSI = 1
	IntMSI = 3
	IntSTI = 5
	IntMTI = 7
	IntSEI = 9
	IntMEI = 11
)

// Hart is one RV64GC hardware thread. It is not safe for concurrent use.
type Hart struct {
	// x holds x0..x31. Decoding redirects writes to x0 into x[zeroSink],
	// so x[0] stays 0 without work per instruction; the array is 256 long
	// so that indexing it with a uint8 register field needs no bounds check.
	x  [256]uint64
	f  [32]uint64
	pc uint64

	priv uint8

	bus     *bus.Bus
	ram     []byte
	ramBase uint64
	code    []uint8
	clock   Clock
	id      uint64

	csr csrState

	// steps counts instructions executed since New, including those that
	// raised an exception: it is the board's time base, so time moves on
	// even in a trap loop. traps counts the exceptions, so the
	// architectural instret is steps - traps.
	steps, traps uint64
	ctr          Events      // event counts for compare (counters.go)
	entries      userEntries // first user entries, for compare (counters.go)

	reservation uint64 // physical address reserved by LR
	reserved    bool

	waiting  bool // executed WFI and nothing pending & enabled since
	checkInt bool // something that can make an interrupt takeable changed

	// effects counts what could make one iteration of a loop behave
	// differently from the last; spin watches back edges (see spin.go).
	effects  uint64
	spin     spinWatch
	tallies  uint64 // effects that were tallies (tally.go)
	tally    tally  // the last one
	spinning bool   // the last Run stopped in a loop that cannot change anything

	guards    []uint64 // virtual pages Run does not fetch from (SetGuards)
	guardStop bool     // the last Run stopped at one
	cyc       cycleWatch

	// Translation caches: tlb is the set for the current context, one of
	// tlbs.sets (see tlbctx.go).
	tlb  *tlbSet
	tlbs tlbState

	icache  icache
	scratch [1]insn // decoded instruction that cannot live in the cache (a block of one)
	next    uint64  // execute's pc after the instruction on a slow path (run.go)

	jit       jitState // the translator (jit.go)
	jitPC     uint64   // the pc translated code starts at, and where it stopped
	jitAt     uint32   // where it stopped: block slot<<8 | instruction index
	jitVPN    uint64   // ... the virtual page of that block
	jitPage   uint64   // ... and the RAM index of its page
	jitBudget uint64   // how many instructions it may run

	// Trace, when set, is called after every retired instruction with the
	// register it wrote (0..31 integer, 32..63 FP, -1 none) and its value.
	Trace func(pc uint64, insn uint32, rd int, value uint64)

	// Cold fields last, so that adding to them never moves the hot ones
	// (see TestHotFieldsDoNotAliasRegisters).
	lastUser userThread // for counting thread switches (counters.go)
}

// New returns hart id on bus b, reset to pc 0.
func New(id int, b *bus.Bus, clock Clock) *Hart {
	h := &Hart{bus: b, ram: b.RAM, ramBase: b.RAMBase, code: b.Code, clock: clock, id: uint64(id)}
	h.icache.init(len(b.Code))
	h.cyc.gen = 1 // the zero slots of its write index are then free
	b.OnCodeWrite(h.codeWritten)
	h.setJITHeat(jitEnvHeat())
	h.Reset(0)
	return h
}

// Reset puts the hart in M-mode at pc with registers and CSRs at their
// reset values.
func (h *Hart) Reset(pc uint64) {
	h.x = [256]uint64{}
	h.f = [32]uint64{}
	h.pc = pc
	h.priv = PrivM
	h.csr = csrState{}
	h.csr.mstatus = mstatusFixed
	h.reserved = false
	h.waiting = false
	h.checkInt = true
	h.restartSpinWatch()
	h.forgetCycle()
	h.flushTLB()
}

// Reg returns integer register i.
func (h *Hart) Reg(i int) uint64 { return h.x[i&31] }

// SetReg sets integer register i (writes to x0 are ignored).
func (h *Hart) SetReg(i int, v uint64) {
	if i&31 != 0 {
		h.x[i&31] = v
		h.forgetCycle()
	}
}

// FReg returns the raw bits of FP register i.
func (h *Hart) FReg(i int) uint64 { return h.f[i&31] }

// PC returns the address of the next instruction to execute.
func (h *Hart) PC() uint64 { return h.pc }

// Priv returns the current privilege level (0 U, 1 S, 3 M).
func (h *Hart) Priv() int { return int(h.priv) }

// Waiting reports whether the hart is stalled in WFI.
func (h *Hart) Waiting() bool { return h.waiting }

// Instret returns the number of instructions executed since New: retired
// ones and ones that raised an exception (each is one step of time). The
// minstret CSR counts only retired instructions.
func (h *Hart) Instret() uint64 { return h.steps }

// SetInterrupt drives an external interrupt line: MSIP=3, MTIP=7, SEIP=9,
// MEIP=11. Other bits are ignored.
func (h *Hart) SetInterrupt(bit uint, level bool) {
	const external = 1<<IntMSI | 1<<IntMTI | 1<<IntSEI | 1<<IntMEI
	if bit >= 64 || external&(1<<bit) == 0 {
		return
	}
	if level {
		h.csr.mipHW |= 1 << bit
	} else {
		h.csr.mipHW &^= 1 << bit
	}
	h.checkInt = true
}

// TimerDeadline returns stimecmp when the Sstc timer is enabled, so the
// board knows when STIP will rise.
func (h *Hart) TimerDeadline() (uint64, bool) {
	if h.csr.menvcfg&menvcfgSTCE == 0 {
		return 0, false
	}
	return h.csr.stimecmp, true
}

// setPriv changes the privilege level and with it the translation context.
func (h *Hart) setPriv(p uint8) {
	if p != h.priv {
		h.priv = p
		h.switchTLB()
	}
}
