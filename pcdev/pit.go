package pcdev

import (
	"math/bits"

	"github.com/xv6emu/xv6emu/bus"
)

// PITHz is the 8253's input clock.
const PITHz = 1_193_182

// pitChannel is one counter. Its count is not stored: it follows from the
// time the count was loaded.
type pitChannel struct {
	mode    uint8 // 0-5
	access  uint8 // 1 low byte, 2 high byte, 3 low then high
	bcd     bool
	reload  uint32 // 1..65536
	loaded  bool
	start   uint64 // PIT clock when the count was loaded
	writeHi bool   // lo/hi access: next write is the high byte
	readHi  bool   // lo/hi access: next read is the high byte
	pending uint8  // low byte written, waiting for the high one
	latched bool
	latch   uint16
	status  bool // a status byte is latched
	statusV uint8
	gate    bool
	fired   uint64 // periods (mode 2/3) or 1 (mode 0) already signalled
}

// PIT is an 8253/8254 programmable interval timer at ports 0x40-0x43, with
// port 0x61 (speaker/gate 2) available through Port61. Channel 0 drives
// irq (may be nil): a rising edge at every period in modes 2 and 3, and at
// terminal count in mode 0. The board calls Update after advancing time and
// uses NextDeadline to skip idle time, as for the other timers.
type PIT struct {
	now     func() uint64
	ch      [3]pitChannel
	irq     *bus.IRQ
	speaker uint8 // port 0x61 bits 0 and 1
}

// NewPIT returns a PIT whose time follows now (board ticks at 10 MHz).
func NewPIT(now func() uint64, irq *bus.IRQ) *PIT {
	p := &PIT{now: now, irq: irq}
	for i := range p.ch {
		p.ch[i] = pitChannel{mode: 3, access: 3, reload: 65536, gate: i != 2}
	}
	return p
}

// clock is the PIT clock count at board time t.
func clock(t uint64) uint64 {
	hi, lo := bits.Mul64(t, PITHz)
	if hi >= TicksPerSecond {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, TicksPerSecond)
	return q
}

// boardTime is the first board time at which the PIT clock reaches c.
func boardTime(c uint64) uint64 {
	hi, lo := bits.Mul64(c, TicksPerSecond)
	if hi >= PITHz {
		return ^uint64(0)
	}
	q, r := bits.Div64(hi, lo, PITHz)
	if r != 0 {
		q++
	}
	return q
}

// elapsed is how many PIT clocks channel c has counted.
func (p *PIT) elapsed(c *pitChannel) uint64 {
	if !c.loaded || !c.gate {
		return 0
	}
	return clock(p.now()) - c.start
}

// count is the counter value now, and the channel's OUT pin.
func (p *PIT) count(c *pitChannel) (uint16, bool) {
	if !c.loaded {
		return 0, c.mode != 0
	}
	e := p.elapsed(c)
	r := uint64(c.reload)
	switch c.mode {
	case 2, 6:
		ph := e % r
		return uint16(r - ph), ph != r-1
	case 3, 7:
		ph := e % r
		half := (r + 1) / 2
		if ph < half {
			return uint16(r - 2*ph), true
		}
		return uint16(r - 2*(ph-half)), false
	default: // 0, 1, 4, 5: one pass down, then wrapping
		v := uint16((r - e%65536) % 65536)
		if c.mode == 0 || c.mode == 1 {
			return v, e >= r
		}
		return v, e != r
	}
}

// Read implements bus.Device for ports 0x40-0x43.
func (p *PIT) Read(offset uint64, size int) uint64 {
	if offset > 2 {
		return 0xFF // the control word is write-only
	}
	c := &p.ch[offset]
	if c.status {
		c.status = false
		return uint64(c.statusV)
	}
	v := c.latch
	if !c.latched {
		v, _ = p.count(c)
		if c.bcd {
			v = toBCD16(v)
		}
	}
	var b uint8
	switch c.access {
	case 1:
		b = uint8(v)
		c.latched = false
	case 2:
		b = uint8(v >> 8)
		c.latched = false
	default:
		if c.readHi {
			b = uint8(v >> 8)
			c.latched = false
		} else {
			b = uint8(v)
		}
		c.readHi = !c.readHi
	}
	return uint64(b)
}

// Write implements bus.Device for ports 0x40-0x43.
func (p *PIT) Write(offset uint64, size int, value uint64) {
	v := uint8(value)
	if offset == 3 {
		p.control(v)
		return
	}
	if offset > 2 {
		return
	}
	c := &p.ch[offset]
	switch c.access {
	case 1:
		p.load(c, uint32(v))
	case 2:
		p.load(c, uint32(v)<<8)
	default:
		if !c.writeHi {
			c.pending = v
			c.writeHi = true
			if c.mode == 0 {
				c.loaded = false // writing the low byte stops mode 0
			}
			return
		}
		c.writeHi = false
		p.load(c, uint32(v)<<8|uint32(c.pending))
	}
}

func (p *PIT) load(c *pitChannel, n uint32) {
	if c.bcd {
		n = fromBCD16(uint16(n))
	}
	if n == 0 {
		n = 65536
		if c.bcd {
			n = 10000
		}
	}
	c.reload = n
	c.loaded = true
	c.start = clock(p.now())
	c.fired = 0
	if c == &p.ch[0] {
		p.irq.Set(c.mode != 0) // OUT goes low in mode 0, high otherwise
	}
}

func (p *PIT) control(v uint8) {
	sel := v >> 6
	if sel == 3 { // read-back
		for i := 0; i < 3; i++ {
			if v&(2<<i) == 0 {
				continue
			}
			c := &p.ch[i]
			if v&0x20 == 0 && !c.latched {
				c.latch, _ = p.count(c)
				c.latched, c.readHi = true, false
			}
			if v&0x10 == 0 && !c.status {
				_, out := p.count(c)
				s := c.access<<4 | c.mode<<1
				if out {
					s |= 0x80
				}
				if !c.loaded {
					s |= 0x40 // null count
				}
				if c.bcd {
					s |= 1
				}
				c.status, c.statusV = true, s
			}
		}
		return
	}
	c := &p.ch[sel]
	acc := v >> 4 & 3
	if acc == 0 { // counter latch
		if !c.latched {
			c.latch, _ = p.count(c)
			c.latched, c.readHi = true, false
		}
		return
	}
	gate := c.gate
	*c = pitChannel{mode: v >> 1 & 7, access: acc, bcd: v&1 != 0, reload: 65536, gate: gate}
	if sel == 0 {
		p.irq.Set(c.mode != 0)
	}
}

// Update raises channel 0's irq for each period (or terminal count) that
// has passed; periods missed while time jumped are coalesced into one edge.
func (p *PIT) Update() {
	c := &p.ch[0]
	if !c.loaded || p.irq == nil {
		return
	}
	e := p.elapsed(c)
	switch c.mode {
	case 2, 3, 6, 7:
		if k := e / uint64(c.reload); k > c.fired {
			c.fired = k
			p.irq.Set(false)
			p.irq.Set(true)
		}
	case 0:
		if c.fired == 0 && e >= uint64(c.reload) {
			c.fired = 1
			p.irq.Set(true)
		}
	}
}

// NextDeadline returns the board time of channel 0's next interrupt; ok is
// false when it will not interrupt (no irq, stopped, or mode 0 done).
func (p *PIT) NextDeadline() (uint64, bool) {
	c := &p.ch[0]
	if !c.loaded || !c.gate || p.irq == nil {
		return 0, false
	}
	switch c.mode {
	case 2, 3, 6, 7:
		return boardTime(c.start + (c.fired+1)*uint64(c.reload)), true
	case 0:
		if c.fired == 0 {
			return boardTime(c.start + uint64(c.reload)), true
		}
	}
	return 0, false
}

// Port61 is the device for port 0x61: bit 0 gates channel 2, bit 1 enables
// the speaker, bit 5 reads channel 2's OUT, bit 4 toggles with refresh.
func (p *PIT) Port61() bus.Device { return port61{p} }

type port61 struct{ p *PIT }

func (d port61) Read(offset uint64, size int) uint64 {
	p := d.p
	v := p.speaker
	if _, out := p.count(&p.ch[2]); out && p.ch[2].gate {
		v |= 0x20
	}
	// DRAM refresh toggles every 15 us: a PIT-clock derived bit.
	if clock(p.now())/18&1 != 0 {
		v |= 0x10
	}
	return uint64(v)
}

func (d port61) Write(offset uint64, size int, value uint64) {
	p := d.p
	c := &p.ch[2]
	gate := value&1 != 0
	if gate && !c.gate && c.loaded {
		c.start = clock(p.now()) // a rising gate restarts the count
	}
	c.gate = gate
	p.speaker = uint8(value) & 3
}

func toBCD16(v uint16) uint16 {
	v %= 10000
	return v/1000<<12 | v/100%10<<8 | v/10%10<<4 | v%10
}

func fromBCD16(v uint16) uint32 {
	return uint32(v>>12&0xF)*1000 + uint32(v>>8&0xF)*100 + uint32(v>>4&0xF)*10 + uint32(v&0xF)
}
