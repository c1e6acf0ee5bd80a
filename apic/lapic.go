// Package apic is the interrupt system of an SMP PC: one local APIC per CPU
// (at 0xFEE00000 in each CPU's view) and an I/O APIC (at 0xFEC00000) that
// turns device irq lines into messages for them.
//
// A System owns the local APICs and the I/O APIC and carries their
// messages: IPIs from the ICR, I/O APIC redirections, EOI broadcasts for
// level-triggered vectors. It knows nothing of the CPUs: each LAPIC drives
// its CPU through callbacks the board installs (SetINTR for the INTR pin,
// OnINIT and OnStartup for INIT and STARTUP IPIs), and the board answers
// the CPU's interrupt acknowledge with Acknowledge.
//
// Time comes from the board (now, in 10 MHz ticks, as for the CLINT). The
// LAPIC timer counts at the APIC bus clock of QEMU, 1 GHz, through its
// divider; the current count is derived from guest time and NextDeadline
// tells the run loop when the next timer interrupt is due, so idle time can
// be skipped. Timer interrupts missed while time jumped are coalesced into
// one, as a real LAPIC does when its IRR bit is already set.
//
// Messages are delivered at once, so the ICR's delivery-status bit always
// reads idle. INIT level de-assert (the synchronisation message xv6 sends
// after lapicinit) does nothing. NMI, SMI and ExtINT are not modelled.
package apic

import "math/bits"

// Register offsets in the local APIC page.
const (
	RegID       = 0x020
	RegVersion  = 0x030
	RegTPR      = 0x080
	RegAPR      = 0x090
	RegPPR      = 0x0A0
	RegEOI      = 0x0B0
	RegLDR      = 0x0D0
	RegDFR      = 0x0E0
	RegSVR      = 0x0F0
	RegISR      = 0x100 // 8 registers, 0x10 apart
	RegTMR      = 0x180
	RegIRR      = 0x200
	RegESR      = 0x280
	RegLVTCMCI  = 0x2F0
	RegICRLow   = 0x300
	RegICRHigh  = 0x310
	RegLVTTimer = 0x320
	RegLVTTherm = 0x330
	RegLVTPerf  = 0x340
	RegLINT0    = 0x350
	RegLINT1    = 0x360
	RegLVTError = 0x370
	RegTimerICR = 0x380
	RegTimerCCR = 0x390
	RegTimerDCR = 0x3E0

	// Version is QEMU's: version 0x14, six LVT entries.
	Version = 0x0005_0014

	LocalBase = 0xFEE0_0000
	LocalSize = 0x1000
)

// Bits of LVT entries, the SVR and the ICR.
const (
	LVTMasked   = 1 << 16
	LVTPeriodic = 1 << 17
	LVTLevel    = 1 << 15

	SVREnable = 1 << 8

	ICRDeliveryMode = 7 << 8
	ICRLogical      = 1 << 11
	ICRPending      = 1 << 12
	ICRAssert       = 1 << 14
	ICRLevel        = 1 << 15
	ICRShorthand    = 3 << 18

	ModeFixed   = 0
	ModeLowest  = 1
	ModeSMI     = 2
	ModeNMI     = 4
	ModeINIT    = 5
	ModeStartup = 6
	ModeExtINT  = 7
)

// ESR bits.
const (
	ESRSendIllegal    = 1 << 5
	ESRReceiveIllegal = 1 << 6
	ESRIllegalReg     = 1 << 7
)

// BusHz is the rate the timer counts at before its divider (QEMU's).
const BusHz = 1_000_000_000

// nsPerTick converts board ticks (10 MHz) to bus cycles.
const nsPerTick = BusHz / 10_000_000

// LAPIC is one CPU's local APIC. Its Read and Write implement bus.Device for
// the 4 KiB register page.
type LAPIC struct {
	sys   *System
	index int

	// SetINTR drives the CPU's INTR pin: high while an interrupt is
	// deliverable. OnINIT and OnStartup receive INIT and STARTUP IPIs.
	SetINTR   func(level bool)
	OnINIT    func()
	OnStartup func(vector uint8)

	id       uint32 // bits 31:24 of the ID register
	tpr      uint32
	ldr, dfr uint32
	svr      uint32
	irr, isr [8]uint32
	tmr      [8]uint32
	esr      uint32 // latched by a write to ESR
	errs     uint32 // accumulating since the last latch
	icrLow   uint32
	icrHigh  uint32
	lvt      [7]uint32 // CMCI, timer, thermal, perf, LINT0, LINT1, error
	intr     bool

	// Timer: initial count, divider, and when the current period started
	// and next expires, in bus cycles since time 0.
	timerInit  uint32
	divide     uint64
	dcr        uint32
	timerStart uint64
	expiry     uint64
	armed      bool
}

const (
	lvtCMCI = iota
	lvtTimer
	lvtThermal
	lvtPerf
	lvtLINT0
	lvtLINT1
	lvtError
)

func (l *LAPIC) reset() {
	*l = LAPIC{sys: l.sys, index: l.index, SetINTR: l.SetINTR, OnINIT: l.OnINIT, OnStartup: l.OnStartup,
		id: uint32(l.index) << 24, dfr: 0xFFFF_FFFF, svr: 0xFF, divide: 2}
	for i := range l.lvt {
		l.lvt[i] = LVTMasked
	}
	l.setINTR(false)
}

// ID is the APIC id (the ID register's top byte).
func (l *LAPIC) ID() uint8 { return uint8(l.id >> 24) }

func (l *LAPIC) enabled() bool { return l.svr&SVREnable != 0 }

func (l *LAPIC) setINTR(level bool) {
	if level == l.intr {
		return
	}
	l.intr = level
	if l.SetINTR != nil {
		l.SetINTR(level)
	}
}

// highest returns the highest vector set in a 256-bit register, or -1.
func highest(r *[8]uint32) int {
	for i := 7; i >= 0; i-- {
		if r[i] != 0 {
			return 32*i + 31 - bits.LeadingZeros32(r[i])
		}
	}
	return -1
}

func set(r *[8]uint32, v uint8)        { r[v/32] |= 1 << (v % 32) }
func clr(r *[8]uint32, v uint8)        { r[v/32] &^= 1 << (v % 32) }
func isSet(r *[8]uint32, v uint8) bool { return r[v/32]&(1<<(v%32)) != 0 }

// ppr is the processor priority: the higher class of TPR and the highest
// in-service vector.
func (l *LAPIC) ppr() uint32 {
	isrv := uint32(max(highest(&l.isr), 0))
	if l.tpr&0xF0 >= isrv&0xF0 {
		return l.tpr & 0xFF
	}
	return isrv & 0xF0
}

// deliverable returns the vector the CPU would take now, or -1.
func (l *LAPIC) deliverable() int {
	v := highest(&l.irr)
	if v < 0 || !l.enabled() || uint32(v)&0xF0 <= l.ppr()&0xF0 {
		return -1
	}
	return v
}

func (l *LAPIC) update() { l.setINTR(l.deliverable() >= 0) }

// accept puts an interrupt request in the IRR.
func (l *LAPIC) accept(vector uint8, level bool) {
	if vector < 16 {
		l.error(ESRReceiveIllegal)
		return
	}
	set(&l.irr, vector)
	if level {
		set(&l.tmr, vector)
	} else {
		clr(&l.tmr, vector)
	}
	l.update()
}

// Acknowledge is the CPU's interrupt acknowledge: the highest deliverable
// vector moves from IRR to ISR. ok is false when nothing is deliverable.
func (l *LAPIC) Acknowledge() (vector uint8, ok bool) {
	v := l.deliverable()
	if v < 0 {
		return 0, false
	}
	clr(&l.irr, uint8(v))
	set(&l.isr, uint8(v))
	l.update()
	return uint8(v), true
}

// INTR reports the level of the CPU's INTR pin.
func (l *LAPIC) INTR() bool { return l.intr }

func (l *LAPIC) eoi() {
	v := highest(&l.isr)
	if v < 0 {
		return
	}
	clr(&l.isr, uint8(v))
	if isSet(&l.tmr, uint8(v)) {
		clr(&l.tmr, uint8(v))
		l.sys.io.eoi(uint8(v))
	}
	l.update()
}

func (l *LAPIC) error(bit uint32) {
	l.errs |= bit
	if e := l.lvt[lvtError]; e&LVTMasked == 0 && l.enabled() {
		l.accept(uint8(e), false)
	}
}

// Reset puts the LAPIC in its power-on state (the CPU's INIT does this too).
func (l *LAPIC) Reset() { l.reset() }

// Read implements bus.Device. Registers are 32 bits at 16-byte strides;
// narrower reads see part of the register, other offsets read zero.
func (l *LAPIC) Read(offset uint64, size int) uint64 {
	reg := offset &^ 0xF
	within := offset & 0xF
	if within+uint64(size) > 4 {
		return 0
	}
	v := uint64(l.read(reg))
	return v >> (8 * within) & (1<<(8*uint(size)) - 1)
}

func (l *LAPIC) read(reg uint64) uint32 {
	switch {
	case reg == RegID:
		return l.id
	case reg == RegVersion:
		return Version
	case reg == RegTPR:
		return l.tpr
	case reg == RegPPR:
		return l.ppr()
	case reg == RegLDR:
		return l.ldr
	case reg == RegDFR:
		return l.dfr
	case reg == RegSVR:
		return l.svr
	case reg >= RegISR && reg < RegISR+0x80:
		return l.isr[(reg-RegISR)/0x10]
	case reg >= RegTMR && reg < RegTMR+0x80:
		return l.tmr[(reg-RegTMR)/0x10]
	case reg >= RegIRR && reg < RegIRR+0x80:
		return l.irr[(reg-RegIRR)/0x10]
	case reg == RegESR:
		return l.esr
	case reg == RegICRLow:
		return l.icrLow &^ ICRPending // delivered at once
	case reg == RegICRHigh:
		return l.icrHigh
	case reg == RegLVTCMCI:
		return l.lvt[lvtCMCI]
	case reg >= RegLVTTimer && reg <= RegLVTError:
		return l.lvt[lvtTimer+int(reg-RegLVTTimer)/0x10]
	case reg == RegTimerICR:
		return l.timerInit
	case reg == RegTimerCCR:
		return l.currentCount()
	case reg == RegTimerDCR:
		return l.dcr
	}
	return 0
}

// Write implements bus.Device. Only whole 32-bit writes take effect.
func (l *LAPIC) Write(offset uint64, size int, value uint64) {
	if size != 4 || offset&0xF != 0 {
		return
	}
	v := uint32(value)
	switch reg := offset; {
	case reg == RegID:
		l.id = v & 0xFF00_0000
	case reg == RegTPR:
		l.tpr = v & 0xFF
		l.update()
	case reg == RegEOI:
		l.eoi()
	case reg == RegLDR:
		l.ldr = v & 0xFF00_0000
	case reg == RegDFR:
		l.dfr = v | 0x0FFF_FFFF
	case reg == RegSVR:
		l.svr = v & 0x3FF
		if !l.enabled() {
			for i := range l.lvt {
				l.lvt[i] |= LVTMasked
			}
		}
		l.update()
	case reg == RegESR:
		l.esr, l.errs = l.errs, 0
	case reg == RegICRLow:
		l.icrLow = v &^ ICRPending
		l.sys.sendIPI(l, l.icrLow, l.icrHigh)
	case reg == RegICRHigh:
		l.icrHigh = v & 0xFF00_0000
	case reg == RegLVTCMCI:
		l.writeLVT(lvtCMCI, v)
	case reg >= RegLVTTimer && reg <= RegLVTError && reg&0xF == 0:
		l.writeLVT(lvtTimer+int(reg-RegLVTTimer)/0x10, v)
	case reg == RegTimerICR:
		l.timerInit = v
		l.startTimer(l.sys.nowNs())
	case reg == RegTimerDCR:
		l.setDivide(v)
	}
}

// writeLVT keeps each entry's writable bits; a disabled APIC keeps them masked.
func (l *LAPIC) writeLVT(i int, v uint32) {
	m := uint32(0x1_00FF) // mask, vector
	switch i {
	case lvtTimer:
		m |= 3 << 17
	case lvtLINT0, lvtLINT1:
		m |= 7<<8 | 1<<13 | 1<<15
	case lvtCMCI, lvtThermal, lvtPerf:
		m |= 7 << 8
	}
	v &= m
	if !l.enabled() {
		v |= LVTMasked
	}
	l.lvt[i] = v
	if i == lvtTimer {
		l.armed = l.timerInit != 0 && (l.expiry > l.sys.nowNs() || v&LVTPeriodic != 0)
	}
}

func (l *LAPIC) setDivide(v uint32) {
	now := l.sys.nowNs()
	cur := uint64(l.currentCount())
	l.dcr = v & 0xB
	s := (v&3 | v>>1&4) // bits 0, 1 and 3
	l.divide = 2 << s
	if s == 7 {
		l.divide = 1
	}
	// Counting goes on from the current count at the new rate.
	if l.timerInit != 0 && cur != 0 {
		l.timerStart = now - (uint64(l.timerInit)-cur)*l.divide
		l.expiry = now + cur*l.divide
	}
}

func (l *LAPIC) period() uint64 { return uint64(l.timerInit) * l.divide }

func (l *LAPIC) startTimer(now uint64) {
	l.timerStart = now
	l.expiry = now + l.period()
	l.armed = l.timerInit != 0
}

// currentCount derives the timer's count from guest time.
func (l *LAPIC) currentCount() uint32 {
	if l.timerInit == 0 {
		return 0
	}
	now := l.sys.nowNs()
	elapsed := (now - l.timerStart) / l.divide
	if l.lvt[lvtTimer]&LVTPeriodic != 0 {
		return l.timerInit - uint32(elapsed%uint64(l.timerInit))
	}
	if elapsed >= uint64(l.timerInit) {
		return 0
	}
	return l.timerInit - uint32(elapsed)
}

// tick fires the timer if its expiry has passed.
func (l *LAPIC) tick(now uint64) {
	if !l.armed || now < l.expiry {
		return
	}
	lvt := l.lvt[lvtTimer]
	if lvt&LVTPeriodic != 0 {
		p := l.period()
		k := (now-l.timerStart)/p + 1
		l.timerStart += (k - 1) * p
		l.expiry = l.timerStart + p
	} else {
		l.armed = false
	}
	if lvt&LVTMasked == 0 {
		l.accept(uint8(lvt), false)
	}
}

// deadline is when the timer next interrupts, in bus cycles; ok is false if
// it will not (stopped, or masked).
func (l *LAPIC) deadline() (uint64, bool) {
	if !l.armed || l.lvt[lvtTimer]&LVTMasked != 0 {
		return 0, false
	}
	return l.expiry, true
}
