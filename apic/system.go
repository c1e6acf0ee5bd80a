package apic

import "github.com/xv6emu/xv6emu/bus"

// System joins the local APICs of all CPUs and one I/O APIC.
type System struct {
	cpus []*LAPIC
	io   *IOAPIC
	now  func() uint64
}

// New returns the APICs of an n-CPU machine whose clock is now (board ticks
// at 10 MHz). LAPIC i has APIC id i; the I/O APIC has id ioID.
func New(n int, ioID uint8, now func() uint64) *System {
	s := &System{now: now}
	for i := 0; i < n; i++ {
		l := &LAPIC{sys: s, index: i}
		l.reset()
		s.cpus = append(s.cpus, l)
	}
	s.io = newIOAPIC(s, ioID)
	return s
}

// LAPIC returns CPU i's local APIC.
func (s *System) LAPIC(i int) *LAPIC { return s.cpus[i] }

// IOAPIC returns the I/O APIC.
func (s *System) IOAPIC() *IOAPIC { return s.io }

func (s *System) nowNs() uint64 { return s.now() * nsPerTick }

// Update fires every LAPIC timer whose time has come. The board calls it
// after advancing its clock.
func (s *System) Update() {
	now := s.nowNs()
	for _, l := range s.cpus {
		l.tick(now)
	}
}

// NextDeadline returns the board time (in ticks) of the next timer
// interrupt of any LAPIC; ok is false when none is armed.
func (s *System) NextDeadline() (deadline uint64, ok bool) {
	var best uint64
	for _, l := range s.cpus {
		if d, armed := l.deadline(); armed && (!ok || d < best) {
			best, ok = d, true
		}
	}
	return (best + nsPerTick - 1) / nsPerTick, ok
}

// Window is the device for the LAPIC page: every access goes to the local
// APIC of the CPU current() names, as each CPU sees its own at the same
// address.
func (s *System) Window(current func() int) bus.Device { return window{s, current} }

type window struct {
	s       *System
	current func() int
}

func (w window) Read(offset uint64, size int) uint64 {
	return w.s.cpus[w.current()].Read(offset, size)
}

func (w window) Write(offset uint64, size int, value uint64) {
	w.s.cpus[w.current()].Write(offset, size, value)
}

// matches reports whether l is a destination of an APIC message.
func (l *LAPIC) matches(dest uint8, logical bool) bool {
	if !logical {
		return dest == 0xFF || dest == l.ID()
	}
	ldr := uint8(l.ldr >> 24)
	if l.dfr>>28 == 0xF { // flat model
		return dest&ldr != 0
	}
	// cluster model: high nibble cluster, low nibble members
	return (dest>>4 == 0xF || dest>>4 == ldr>>4) && dest&ldr&0xF != 0
}

// route delivers a message to every LAPIC that matches dest, or to one of
// them (the lowest task priority) for lowest-priority delivery.
func (s *System) route(dest uint8, logical bool, mode uint32, vector uint8, level bool) {
	if mode == ModeLowest {
		var pick *LAPIC
		for _, l := range s.cpus {
			if l.matches(dest, logical) && (pick == nil || l.tpr < pick.tpr) {
				pick = l
			}
		}
		if pick != nil {
			s.deliver(pick, ModeFixed, vector, level)
		}
		return
	}
	for _, l := range s.cpus {
		if l.matches(dest, logical) {
			s.deliver(l, mode, vector, level)
		}
	}
}

func (s *System) deliver(l *LAPIC, mode uint32, vector uint8, level bool) {
	switch mode {
	case ModeFixed, ModeLowest:
		l.accept(vector, level)
	case ModeINIT:
		id := l.id
		l.reset()
		l.id = id // INIT leaves the APIC id alone
		if l.OnINIT != nil {
			l.OnINIT()
		}
	case ModeStartup:
		if l.OnStartup != nil {
			l.OnStartup(vector)
		}
	}
}

// sendIPI carries out a write to from's ICR.
func (s *System) sendIPI(from *LAPIC, low, high uint32) {
	mode := low & ICRDeliveryMode >> 8
	vector := uint8(low)
	level := low&ICRLevel != 0
	if mode == ModeINIT && level && low&ICRAssert == 0 {
		return // INIT level de-assert: arbitration-id sync, no effect here
	}
	if (mode == ModeFixed || mode == ModeLowest) && vector < 16 {
		from.error(ESRSendIllegal)
		return
	}
	if mode == ModeINIT || mode == ModeStartup {
		level = false
	}
	switch low & ICRShorthand >> 18 {
	case 0:
		s.route(uint8(high>>24), low&ICRLogical != 0, mode, vector, level)
	case 1:
		s.deliver(from, mode, vector, level)
	case 2:
		for _, l := range s.cpus {
			s.deliver(l, mode, vector, level)
		}
	case 3:
		for _, l := range s.cpus {
			if l != from {
				s.deliver(l, mode, vector, level)
			}
		}
	}
}
