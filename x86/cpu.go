package x86

import (
	"github.com/xv6emu/xv6emu/bus"
)

// Clock is the board's time source in 10 MHz ticks; rdtsc derives from it.
type Clock interface{ Now() uint64 }

// General registers, in ModRM order.
const (
	EAX = iota
	ECX
	EDX
	EBX
	ESP
	EBP
	ESI
	EDI
)

// Segment registers, in ModRM (sreg) order.
const (
	ES = iota
	CS
	SS
	DS
	FS
	GS
)

// EFLAGS bits.
const (
	FlagCF   = 1 << 0
	FlagPF   = 1 << 2
	FlagAF   = 1 << 4
	FlagZF   = 1 << 6
	FlagSF   = 1 << 7
	FlagTF   = 1 << 8
	FlagIF   = 1 << 9
	FlagDF   = 1 << 10
	FlagOF   = 1 << 11
	FlagIOPL = 3 << 12
	FlagNT   = 1 << 14
	FlagRF   = 1 << 16
	FlagVM   = 1 << 17
	FlagAC   = 1 << 18
	FlagID   = 1 << 21

	arithFlags = FlagCF | FlagPF | FlagAF | FlagZF | FlagSF | FlagOF
	// writable is what popf/iret may change at CPL 0 (VIF/VIP/VM stay 0:
	// no virtual-8086 mode).
	writableFlags = arithFlags | FlagTF | FlagIF | FlagDF | FlagIOPL | FlagNT | FlagAC | FlagID
)

// Control register bits.
const (
	cr0PE = 1 << 0
	cr0MP = 1 << 1
	cr0EM = 1 << 2
	cr0TS = 1 << 3
	cr0ET = 1 << 4
	cr0NE = 1 << 5
	cr0WP = 1 << 16
	cr0AM = 1 << 18
	cr0NW = 1 << 29
	cr0CD = 1 << 30
	cr0PG = 1 << 31

	cr4PSE = 1 << 4
	cr4PGE = 1 << 7
)

// segment is a segment register with its hidden descriptor cache.
type segment struct {
	sel   uint16
	base  uint32
	limit uint32 // byte granular
	typ   uint8  // descriptor type nibble plus S bit (0x10)
	dpl   uint8
	big   bool // D/B bit
	valid bool // usable (not a null selector in protected mode)
	// fastR and fastW: base 0, limit 4 GiB, and readable (writable): an
	// access needs no check and the offset is the linear address. fastRW
	// is both with a 32-bit size: a stack push or pop needs no check.
	fastR, fastW, fastRW bool
}

type tableReg struct {
	base  uint32
	limit uint16
}

// Counters are per-CPU event counts, read by the compare command.
type Counters struct {
	Instructions uint64     // steps (same as Instret)
	Interrupts   uint64     // external interrupts taken
	Exceptions   [32]uint64 // by vector
	PageFaults   uint64
	Syscalls     uint64 // int n from ring 3
	LockXchg     uint64 // xchg with memory (always locked)
	LockXadd     uint64
	LockCmpxchg  uint64 // cmpxchg and cmpxchg8b with lock
	LockOther    uint64 // other lock-prefixed instructions
	CR3Writes    uint64 // mov to CR3: address-space switches
	// ThreadSwitches counts irets to ring 3 as another thread (kernel
	// stack) than the CPU's previous one: context switches between user
	// threads.
	ThreadSwitches uint64
}

// CPU is one i386 processor. It is not safe for concurrent use.
type CPU struct {
	// r holds EAX..EDI; r[8..] stay zero so that a decoded "no register"
	// (noReg) reads as 0 in address arithmetic without a branch. It has
	// 256 entries so that indexing it with a decoded byte needs neither a
	// mask nor a bounds check (the fast loop's register numbers are 0..8).
	r   [256]uint32
	eip uint32

	// flags holds EFLAGS; its arithmetic bits are stale while lz.op is
	// not lazyNone (see flags.go).
	flags uint32
	lz    lazyFlags

	seg  [8]segment // ES..GS; 6 and 7 unused, so a 3-bit index needs no bounds check
	ldtr segment
	tr   segment
	gdtr tableReg
	idtr tableReg
	cpl  uint8

	cr0, cr2, cr3, cr4 uint32
	dr                 [8]uint32
	apicBase           uint64
	// apicConst caches the local APIC's ID and version registers (4-byte
	// reads at +0x20 and +0x30; ok bit 0 and 1): constant unless this CPU
	// writes its APIC page or moves it, which clears the cache.
	apicConst   [2]uint32
	apicConstOK uint8
	tscOffset   uint64

	bus     *bus.Bus
	ram     []byte
	ramBase uint64
	code    []uint8
	clock   Clock
	id      int

	steps uint64

	// Interrupt state.
	intr       bool
	intAck     func() (uint8, bool)
	noIntAt    uint64 // interrupts are inhibited at this step (sti, mov ss)
	halted     bool
	waitSIPI   bool
	shut       bool
	shutReason string

	// EIP stays at the start of the instruction until it completes, so a
	// fault restarts it there. The few instructions that move ESP before
	// an access that can fault save it first (saveESP); curESPAt says for
	// which step curESP is valid.
	curESP   uint32
	curESPAt uint64
	// Exception being raised (see raise).
	exc excInfo
	// inDeliver counts nested exception deliveries, for #DF and shutdown.
	inDeliver int

	tlb     tlbSet
	slowLin uint32 // linear address of a slowRef (see wref)
	icache  icache
	// scratch holds an instruction that cannot live in the cache (it
	// crosses a page or comes from a device).
	scratch insn

	// loopsOff keeps loop idioms (loop.go) in the interpreter, fillOff
	// has fill and copy loops (fill.go, copy.go) stepped like other
	// idioms, and plainOps every instruction on its generic opcode (no
	// specialize), for tests; loopRuns counts the times a loop idiom ran,
	// fillIters the fill and copy iterations done in bulk.
	loopsOff   bool
	fillOff    bool
	plainOps   bool
	loopShapes [loopShapes]loopShape
	loopRuns   uint64
	fillIters  uint64

	// Spin detection (spin.go).
	effects  uint64
	spin     spinWatch
	spinning bool
	cyc      cycleWatch

	Stats   Counters
	entries userEntries // first user entries, for compare (entries.go)
	dbg     *debugHooks // a debugger's watchpoints; nil when none (debug.go)
	brk     *breakHooks // a debugger's breakpoints; nil when none (debug.go)
}

// New returns CPU id on bus b, in the power-on state: real mode at
// F000:FFF0.
func New(id int, b *bus.Bus, clock Clock) *CPU {
	c := &CPU{bus: b, ram: b.RAM, ramBase: b.RAMBase, code: b.Code, clock: clock, id: id}
	c.icache.init(len(b.Code))
	b.OnCodeWrite(c.codeWritten)
	c.reset()
	c.ResetReal(0xF000, 0xFFF0)
	return c
}

// reset puts every register in its power-on state (real mode).
func (c *CPU) reset() {
	c.r = [256]uint32{}
	c.r[EDX] = 0x600 // family 6
	c.flags = 2
	c.lz = lazyFlags{}
	c.cr0 = cr0ET | cr0CD | cr0NW
	c.cr2, c.cr3, c.cr4 = 0, 0, 0
	c.dr = [8]uint32{}
	c.dr[6] = 0xFFFF0FF0
	c.dr[7] = 0x400
	c.apicBase = 0xFEE00000 | 1<<11
	c.apicConstOK = 0
	if c.id == 0 {
		c.apicBase |= 1 << 8 // BSP
	}
	c.gdtr = tableReg{0, 0xFFFF}
	c.idtr = tableReg{0, 0x3FF}
	c.ldtr = segment{limit: 0xFFFF, typ: 2, valid: true}
	c.tr = segment{limit: 0xFFFF, typ: 0xB, valid: true}
	c.cpl = 0
	c.halted, c.waitSIPI, c.shut = false, false, false
	c.inDeliver = 0
	c.flushTLB()
	c.forgetCycle()
}

// ResetReal puts the CPU in real mode at cs:ip with the other registers at
// their reset values (the boot-sector hand-off).
func (c *CPU) ResetReal(cs, ip uint16) {
	c.reset()
	for i := range c.seg {
		c.seg[i] = realSeg(0)
	}
	c.seg[CS] = realSeg(cs)
	c.seg[CS].typ = 0x1B // code, readable, accessed
	c.eip = uint32(ip)
	c.modeChanged()
}

// realSeg is a segment as real mode loads it: base sel*16, 64 KiB.
func realSeg(sel uint16) segment {
	return segment{sel: sel, base: uint32(sel) << 4, limit: 0xFFFF, typ: 0x13, valid: true}
}

// flatSeg is a flat 4 GiB ring-0 segment (code if code is set).
func flatSeg(sel uint16, code bool) segment {
	s := segment{sel: sel, limit: 0xFFFFFFFF, typ: 0x13, big: true, valid: true}
	if code {
		s.typ = 0x1B
	}
	s.setFast()
	return s
}

// EnterMultiboot puts the CPU in 32-bit protected mode with paging off,
// flat CS=0x08 and data segments 0x10, IF=0, at eip: a multiboot loader's
// hand-off. The descriptor caches are set directly; no GDT is needed.
func (c *CPU) EnterMultiboot(eip, eax, ebx uint32) {
	c.reset()
	c.cr0 |= cr0PE
	c.cr0 &^= cr0CD | cr0NW
	c.seg[CS] = flatSeg(0x08, true)
	for _, i := range []int{ES, SS, DS, FS, GS} {
		c.seg[i] = flatSeg(0x10, false)
	}
	c.r[EAX], c.r[EBX] = eax, ebx
	c.eip = eip
	c.modeChanged()
}

// INIT is the INIT IPI: reset, then wait for a STARTUP IPI.
func (c *CPU) INIT() {
	c.ResetReal(0xF000, 0xFFF0)
	c.waitSIPI = true
}

// StartupIPI starts a CPU waiting after INIT in real mode at vector<<8:0.
func (c *CPU) StartupIPI(vector uint8) {
	if !c.waitSIPI {
		return
	}
	c.ResetReal(uint16(vector)<<8, 0)
	c.waitSIPI = false
}

// SetINTR drives the INTR pin (level: an interrupt is deliverable).
func (c *CPU) SetINTR(level bool) { c.intr = level }

// SetIntAck sets the function called when the CPU takes INTR; it returns
// the vector, or ok=false if nothing is to be delivered after all.
func (c *CPU) SetIntAck(f func() (vector uint8, ok bool)) { c.intAck = f }

// Instret returns the number of steps since New (instructions, including
// those that fault).
func (c *CPU) Instret() uint64 { return c.steps }

// Halted reports whether the CPU is in hlt, or waiting for a STARTUP IPI.
func (c *CPU) Halted() bool { return c.halted || c.waitSIPI }

// WaitingForSIPI reports whether the CPU is waiting for a STARTUP IPI.
func (c *CPU) WaitingForSIPI() bool { return c.waitSIPI }

// Shutdown reports a stopped CPU (triple fault) and why.
func (c *CPU) Shutdown() (reason string, down bool) { return c.shutReason, c.shut }

// ID returns the id given to New.
func (c *CPU) ID() int { return c.id }

// Reg returns general register i (EAX..EDI).
func (c *CPU) Reg(i int) uint32 { return c.r[i&7] }

// SetReg sets general register i.
func (c *CPU) SetReg(i int, v uint32) { c.r[i&7] = v; c.restartSpinWatch(); c.forgetCycle() }

// EIP returns the instruction pointer.
func (c *CPU) EIP() uint32 { return c.eip }

// SetEIP sets the instruction pointer.
func (c *CPU) SetEIP(v uint32) { c.eip = v; c.restartSpinWatch(); c.forgetCycle() }

// EFLAGS returns the flags register.
func (c *CPU) EFLAGS() uint32 { return c.getFlags() }

// Seg returns segment selector i (ES, CS, SS, DS, FS, GS).
func (c *CPU) Seg(i int) uint16 {
	if i < 0 || i >= len(c.seg) {
		return 0
	}
	return c.seg[i].sel
}

// SegBase returns the hidden base of segment register i.
func (c *CPU) SegBase(i int) uint32 {
	if i < 0 || i >= len(c.seg) {
		return 0
	}
	return c.seg[i].base
}

// CPL returns the current privilege level.
func (c *CPU) CPL() int { return int(c.cpl) }

// CR0, CR2, CR3 and CR4 return the control registers.
func (c *CPU) CR0() uint32 { return c.cr0 }
func (c *CPU) CR2() uint32 { return c.cr2 }
func (c *CPU) CR3() uint32 { return c.cr3 }
func (c *CPU) CR4() uint32 { return c.cr4 }

// protected reports CR0.PE.
func (c *CPU) protected() bool { return c.cr0&cr0PE != 0 }

// setFast recomputes the segment's fast-access bits.
func (s *segment) setFast() {
	flat := s.valid && s.base == 0 && s.limit == 0xFFFFFFFF
	data := s.typ&0x18 == 0x10
	s.fastR = flat && (data && s.typ&4 == 0 || !data && s.typ&2 != 0)
	s.fastW = flat && data && s.typ&6 == 2
	s.fastRW = s.fastR && s.fastW && s.big
}

// modeChanged is called after CS or SS changed size or the CPU changed
// mode: decoded instructions depend on the code size.
func (c *CPU) modeChanged() {
	c.icache.setMode(c.seg[CS].big)
	c.restartSpinWatch()
}
