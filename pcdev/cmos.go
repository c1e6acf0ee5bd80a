package pcdev

import "time"

// CMOS registers.
const (
	CMOSSeconds   = 0x00
	CMOSMinutes   = 0x02
	CMOSHours     = 0x04
	CMOSWeekday   = 0x06
	CMOSDay       = 0x07
	CMOSMonth     = 0x08
	CMOSYear      = 0x09
	CMOSStatusA   = 0x0A
	CMOSStatusB   = 0x0B
	CMOSStatusC   = 0x0C
	CMOSStatusD   = 0x0D
	CMOSShutdown  = 0x0F
	CMOSBaseLo    = 0x15 // base memory in KiB
	CMOSExtLo     = 0x17 // memory above 1 MiB in KiB, at most 65535
	CMOSExt2Lo    = 0x30 // the same again
	CMOSCentury   = 0x32
	CMOSHighMemLo = 0x34 // memory above 16 MiB in 64 KiB units, at most 65535

	statusBBinary = 0x04
	statusB24h    = 0x02
)

// CMOS is the MC146818 real-time clock and its NVRAM: port 0x70 selects a
// register (bit 7 is the NMI mask), port 0x71 reads or writes it.
//
// The clock reads boot plus the guest time elapsed, never the host's clock,
// so a run is reproducible. Writes to the time registers move the clock.
// The update-in-progress bit never shows: the registers are always
// consistent.
type CMOS struct {
	now    func() uint64
	boot   time.Time
	offset time.Duration // guest writes to the clock
	index  uint8
	nmiOff bool
	ram    [128]byte
}

// NewCMOS returns a CMOS whose clock shows boot at guest time 0 and
// advances with now (board ticks at 10 MHz), with the memory-size bytes a
// BIOS sets for memBytes of RAM (QEMU's layout: 640 KiB base, extended KiB
// capped at 65535, 64 KiB units above 16 MiB).
func NewCMOS(now func() uint64, boot time.Time, memBytes uint64) *CMOS {
	c := &CMOS{now: now, boot: boot.UTC()}
	c.ram[CMOSStatusA] = 0x26 // 32.768 kHz base, 1024 Hz rate
	c.ram[CMOSStatusB] = statusB24h
	c.ram[CMOSStatusD] = 0x80 // battery good
	put16 := func(reg int, v uint64) {
		v = min(v, 0xFFFF)
		c.ram[reg], c.ram[reg+1] = byte(v), byte(v>>8)
	}
	put16(CMOSBaseLo, 640)
	var ext, high uint64
	if memBytes > 1<<20 {
		ext = (memBytes - 1<<20) >> 10
	}
	if memBytes > 16<<20 {
		high = (memBytes - 16<<20) >> 16
	}
	put16(CMOSExtLo, ext)
	put16(CMOSExt2Lo, ext)
	put16(CMOSHighMemLo, high)
	return c
}

// Time is the time the clock shows now.
func (c *CMOS) Time() time.Time {
	t := c.now()
	return c.boot.Add(time.Duration(t/TicksPerSecond)*time.Second + c.offset)
}

// Reg reads register r the way port 0x71 does.
func (c *CMOS) Reg(r uint8) uint8 {
	r &= 0x7F
	t := c.Time()
	switch r {
	case CMOSSeconds:
		return c.enc(t.Second())
	case CMOSMinutes:
		return c.enc(t.Minute())
	case CMOSHours:
		h := t.Hour()
		if c.ram[CMOSStatusB]&statusB24h != 0 {
			return c.enc(h)
		}
		pm := uint8(0)
		if h >= 12 {
			pm = 0x80
		}
		if h = h % 12; h == 0 {
			h = 12
		}
		return c.enc(h) | pm
	case CMOSWeekday:
		return c.enc(int(t.Weekday()) + 1)
	case CMOSDay:
		return c.enc(t.Day())
	case CMOSMonth:
		return c.enc(int(t.Month()))
	case CMOSYear:
		return c.enc(t.Year() % 100)
	case CMOSCentury:
		return c.enc(t.Year() / 100)
	case CMOSStatusA:
		return c.ram[r] &^ 0x80 // never updating
	case CMOSStatusC:
		v := c.ram[r]
		c.ram[r] = 0 // reading acknowledges
		return v
	}
	return c.ram[r]
}

func (c *CMOS) enc(v int) uint8 {
	if c.ram[CMOSStatusB]&statusBBinary != 0 {
		return uint8(v)
	}
	return uint8(v/10<<4 | v%10)
}

func (c *CMOS) dec(v uint8) int {
	if c.ram[CMOSStatusB]&statusBBinary != 0 {
		return int(v)
	}
	return int(v>>4)*10 + int(v&0xF)
}

// setClock changes one field of the clock by moving its offset.
func (c *CMOS) setClock(r, v uint8) {
	t := c.Time()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	switch r {
	case CMOSSeconds:
		s = c.dec(v)
	case CMOSMinutes:
		mi = c.dec(v)
	case CMOSHours:
		if c.ram[CMOSStatusB]&statusB24h != 0 {
			h = c.dec(v)
		} else {
			h = c.dec(v&0x7F) % 12
			if v&0x80 != 0 {
				h += 12
			}
		}
	case CMOSDay:
		d = c.dec(v)
	case CMOSMonth:
		mo = time.Month(c.dec(v))
	case CMOSYear:
		y = y/100*100 + c.dec(v)
	case CMOSCentury:
		y = c.dec(v)*100 + y%100
	default:
		return
	}
	n := time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	c.offset += n.Sub(t)
}

// Read implements bus.Device for ports 0x70-0x71.
func (c *CMOS) Read(offset uint64, size int) uint64 {
	if offset == 0 {
		return 0xFF // the index register is write-only
	}
	return uint64(c.Reg(c.index))
}

// Write implements bus.Device for ports 0x70-0x71.
func (c *CMOS) Write(offset uint64, size int, value uint64) {
	v := uint8(value)
	if offset == 0 {
		c.index = v & 0x7F
		c.nmiOff = v&0x80 != 0
		return
	}
	switch r := c.index; r {
	case CMOSSeconds, CMOSMinutes, CMOSHours, CMOSDay, CMOSMonth, CMOSYear, CMOSCentury:
		c.setClock(r, v)
	case CMOSStatusA:
		c.ram[r] = v & 0x7F
	case CMOSStatusC, CMOSStatusD:
		// read-only
	default:
		c.ram[r] = v
	}
}
