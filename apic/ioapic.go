package apic

// I/O APIC layout: an index register and a data window.
const (
	IOBase   = 0xFEC0_0000
	IOSize   = 0x1000
	IORegSel = 0x00
	IOWin    = 0x10

	IORegID      = 0x00
	IORegVersion = 0x01
	IORegArb     = 0x02
	IORegTable   = 0x10 // two registers per pin: low, then high (destination)

	// Pins is the number of redirection entries (an 82093AA's).
	Pins = 24
	// IOVersion: version 0x11, highest entry Pins-1.
	IOVersion = (Pins-1)<<16 | 0x11
)

// Redirection entry bits beyond those shared with LVT entries.
const (
	RedirLogical   = 1 << 11
	RedirLowActive = 1 << 13
	RedirRemoteIRR = 1 << 14
)

// IOAPIC routes device irq lines (pins) to local APICs. Pins are wired with
// Input. An edge-triggered pin sends its vector on each rising edge while
// unmasked (an edge while masked is lost, as the 82093AA manual says); a
// level-triggered pin sends while high, then waits for the EOI of its
// vector (Remote IRR) before sending again.
type IOAPIC struct {
	sys   *System
	sel   uint32
	id    uint32
	redir [Pins]uint64
	line  [Pins]bool // input levels, after polarity
}

func newIOAPIC(s *System, id uint8) *IOAPIC {
	io := &IOAPIC{sys: s, id: uint32(id&0xF) << 24}
	for i := range io.redir {
		io.redir[i] = LVTMasked
	}
	return io
}

// Input returns the sink for pin's line, to Connect to a bus.IRQ. Lines are
// active high (polarity bit clear), as ISA irqs behind QEMU's IOAPIC are;
// a guest that sets the polarity bit inverts the line.
func (io *IOAPIC) Input(pin int) func(level bool) {
	return func(level bool) { io.setLine(pin, level) }
}

// Redirection returns pin's redirection entry (for tests and debuggers).
func (io *IOAPIC) Redirection(pin int) uint64 { return io.redir[pin] }

func (io *IOAPIC) setLine(pin int, raw bool) {
	level := raw != (io.redir[pin]&RedirLowActive != 0)
	rising := level && !io.line[pin]
	io.line[pin] = raw != (io.redir[pin]&RedirLowActive != 0)
	e := io.redir[pin]
	if e&LVTMasked != 0 {
		return
	}
	if e&LVTLevel == 0 {
		if rising {
			io.send(pin)
		}
		return
	}
	io.service(pin)
}

// service sends a level-triggered pin's vector if it is asserted, unmasked
// and not waiting for an EOI.
func (io *IOAPIC) service(pin int) {
	e := io.redir[pin]
	if e&LVTLevel == 0 || e&LVTMasked != 0 || e&RedirRemoteIRR != 0 || !io.line[pin] {
		return
	}
	io.redir[pin] |= RedirRemoteIRR
	io.send(pin)
}

func (io *IOAPIC) send(pin int) {
	e := io.redir[pin]
	mode := uint32(e>>8) & 7
	if mode != ModeFixed && mode != ModeLowest {
		return // NMI, SMI, INIT, ExtINT from a pin are not modelled
	}
	io.sys.route(uint8(e>>56), e&RedirLogical != 0, mode, uint8(e), e&LVTLevel != 0)
}

// eoi ends Remote IRR for the pins sending vector; a level pin still
// asserted sends again.
func (io *IOAPIC) eoi(vector uint8) {
	for pin, e := range io.redir {
		if uint8(e) == vector && e&RedirRemoteIRR != 0 {
			io.redir[pin] &^= RedirRemoteIRR
			io.service(pin)
		}
	}
}

// Read implements bus.Device: IOREGSEL and IOWIN, 32 bits each.
func (io *IOAPIC) Read(offset uint64, size int) uint64 {
	if size != 4 {
		return 0
	}
	switch offset {
	case IORegSel:
		return uint64(io.sel)
	case IOWin:
		return uint64(io.reg())
	}
	return 0
}

func (io *IOAPIC) reg() uint32 {
	switch r := io.sel; {
	case r == IORegID, r == IORegArb:
		return io.id
	case r == IORegVersion:
		return IOVersion
	case r >= IORegTable && r < IORegTable+2*Pins:
		e := io.redir[(r-IORegTable)/2]
		if r&1 != 0 {
			return uint32(e >> 32)
		}
		return uint32(e)
	}
	return 0
}

// Write implements bus.Device.
func (io *IOAPIC) Write(offset uint64, size int, value uint64) {
	if size != 4 {
		return
	}
	v := uint32(value)
	switch offset {
	case IORegSel:
		io.sel = v & 0xFF
	case IOWin:
		io.setReg(v)
	}
}

func (io *IOAPIC) setReg(v uint32) {
	r := io.sel
	switch {
	case r == IORegID:
		io.id = v & 0x0F00_0000
	case r >= IORegTable && r < IORegTable+2*Pins:
		pin := int(r-IORegTable) / 2
		e := io.redir[pin]
		if r&1 != 0 {
			e = e&0xFFFF_FFFF | uint64(v&0xFF00_0000)<<32
		} else {
			const ro = RedirRemoteIRR | ICRPending
			wasLow := e&RedirLowActive != 0
			e = e&^0xFFFF_FFFF | e&ro | uint64(v)&^ro&0x1_FFFF
			if e&LVTLevel == 0 {
				e &^= RedirRemoteIRR
			}
			if (e&RedirLowActive != 0) != wasLow {
				io.line[pin] = !io.line[pin]
			}
		}
		io.redir[pin] = e
		io.service(pin)
	}
}
