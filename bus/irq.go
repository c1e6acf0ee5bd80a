package bus

// IRQ is a level-triggered interrupt line. A device drives it with Set; the
// interrupt controller it is wired to (a PLIC, an IOAPIC) learns of every
// change of level through the sink it connected.
type IRQ struct {
	level bool
	sink  func(level bool)
}

// Set drives the line to level, telling the sink if the level changed.
func (l *IRQ) Set(level bool) {
	if l == nil || l.level == level {
		return
	}
	l.level = level
	if l.sink != nil {
		l.sink(level)
	}
}

// Level reports the line's current level.
func (l *IRQ) Level() bool { return l != nil && l.level }

// Connect makes sink the receiver of level changes and tells it the current
// level at once, so wiring order does not matter.
func (l *IRQ) Connect(sink func(level bool)) {
	l.sink = sink
	if sink != nil {
		sink(l.level)
	}
}
