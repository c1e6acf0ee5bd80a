package pcdev

import "github.com/xv6emu/xv6emu/bus"

// pic8259 is one 8259A. Priorities are fixed (IR0 highest); rotation
// commands act as the EOIs they include.
type pic8259 struct {
	irr, isr, imr uint8
	lines         uint8 // input levels, for edge detection
	base          uint8 // ICW2: vector of IR0
	icw           int   // next ICW expected (2, 3, 4), 0 when initialised
	needICW4      bool
	single        bool
	levelMode     bool // LTIM: level-triggered inputs
	autoEOI       bool
	readISR       bool // OCW3: command port reads ISR instead of IRR
	poll          bool // OCW3 poll: the next command read acknowledges
}

// best returns the highest-priority request that may interrupt now: not
// masked, and above everything in service. -1 if none.
func (p *pic8259) best() int {
	req := p.irr &^ p.imr
	for i := 0; i < 8; i++ {
		if p.isr&(1<<i) != 0 {
			return -1 // an equal or higher priority is in service
		}
		if req&(1<<i) != 0 {
			return i
		}
	}
	return -1
}

func (p *pic8259) setLine(i int, level bool) {
	m := uint8(1) << i
	if level {
		if p.levelMode || p.lines&m == 0 {
			p.irr |= m
		}
		p.lines |= m
	} else {
		p.lines &^= m
		if p.levelMode {
			p.irr &^= m
		}
	}
}

// take moves request i to in-service, as the second INTA pulse does.
func (p *pic8259) take(i int) {
	m := uint8(1) << i
	if !p.levelMode {
		p.irr &^= m
	}
	if !p.autoEOI {
		p.isr |= m
	}
}

func (p *pic8259) eoi(specific bool, level int) {
	if specific {
		p.isr &^= 1 << level
		return
	}
	for i := 0; i < 8; i++ {
		if p.isr&(1<<i) != 0 {
			p.isr &^= 1 << i
			return
		}
	}
}

func (p *pic8259) writeCommand(v uint8) {
	switch {
	case v&0x10 != 0: // ICW1
		*p = pic8259{lines: p.lines, icw: 2, needICW4: v&1 != 0, single: v&2 != 0, levelMode: v&8 != 0}
	case v&0x08 != 0: // OCW3
		if v&0x02 != 0 {
			p.readISR = v&1 != 0
		}
		p.poll = v&0x04 != 0
	default: // OCW2
		switch v >> 5 {
		case 1, 5: // non-specific EOI (and rotate)
			p.eoi(false, 0)
		case 3, 7: // specific EOI (and rotate)
			p.eoi(true, int(v&7))
		}
	}
}

func (p *pic8259) writeData(v uint8) {
	switch p.icw {
	case 2:
		p.base = v & 0xF8
		p.icw = 3
		if p.single {
			p.icw = 4
		}
		if p.icw == 4 && !p.needICW4 {
			p.icw = 0
		}
	case 3:
		p.icw = 0
		if p.needICW4 {
			p.icw = 4
		}
	case 4:
		p.autoEOI = v&2 != 0
		p.icw = 0
	default:
		p.imr = v
	}
}

// PIC is the cascaded 8259A pair of a PC: the slave's output on the
// master's IR2, irqs 0-7 on the master and 8-15 on the slave. Output is the
// master's INT line; Acknowledge is the CPU's interrupt acknowledge.
type PIC struct {
	master, slave pic8259
	out           *bus.IRQ
}

// NewPIC returns a PIC pair in its power-on state (nothing masked, vectors
// not yet programmed) driving out.
func NewPIC(out *bus.IRQ) *PIC { return &PIC{out: out} }

// Input returns the sink for irq line n (0-15), to Connect to a bus.IRQ.
func (c *PIC) Input(n int) func(level bool) {
	return func(level bool) {
		if n < 8 {
			c.master.setLine(n, level)
		} else {
			c.slave.setLine(n-8, level)
		}
		c.update()
	}
}

func (c *PIC) update() {
	c.master.setLine(2, c.slave.best() >= 0)
	c.out.Set(c.master.best() >= 0)
}

// Acknowledge returns the vector of the interrupt the pair delivers now and
// puts it in service; ok is false when nothing is requested.
func (c *PIC) Acknowledge() (vector uint8, ok bool) {
	i := c.master.best()
	if i < 0 {
		return 0, false
	}
	c.master.take(i)
	vector = c.master.base + uint8(i)
	if i == 2 && !c.master.single {
		j := c.slave.best()
		if j < 0 {
			j = 7 // spurious slave interrupt
		} else {
			c.slave.take(j)
		}
		vector = c.slave.base + uint8(j)
	}
	c.update()
	return vector, true
}

// Masks returns the master and slave interrupt mask registers.
func (c *PIC) Masks() (master, slave uint8) { return c.master.imr, c.slave.imr }

// Master is the device for ports 0x20-0x21; Slave for 0xA0-0xA1.
func (c *PIC) Master() bus.Device { return picPorts{c, &c.master} }

// Slave is the device for ports 0xA0-0xA1.
func (c *PIC) Slave() bus.Device { return picPorts{c, &c.slave} }

type picPorts struct {
	c *PIC
	p *pic8259
}

func (d picPorts) Read(offset uint64, size int) uint64 {
	p := d.p
	if offset == 1 {
		return uint64(p.imr)
	}
	if p.poll {
		p.poll = false
		i := p.best()
		if i < 0 {
			return 0
		}
		p.take(i)
		d.c.update()
		return uint64(0x80 | i)
	}
	if p.readISR {
		return uint64(p.isr)
	}
	return uint64(p.irr)
}

func (d picPorts) Write(offset uint64, size int, value uint64) {
	if offset == 0 {
		d.p.writeCommand(uint8(value))
	} else {
		d.p.writeData(uint8(value))
	}
	d.c.update()
}
