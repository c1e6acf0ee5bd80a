// Package clint is the RISC-V core-local interruptor of QEMU's virt board:
// per-hart software-interrupt bits (msip), per-hart timer comparators
// (mtimecmp) and the shared machine timer (mtime).
//
// Time is not kept here. The board supplies a clock (now) and calls Update
// whenever it advances it; mtime is that clock plus an offset that a guest
// write to mtime adjusts.
//
// Checked against QEMU 7.2 with a bare-metal probe: comparators reset to 0,
// so MTIP is pending until software sets one (kernels set mtimecmp before
// enabling MTIE); msip takes 4-byte accesses, mtimecmp and mtime 4 or 8
// bytes. QEMU raises an access fault for other sizes; a bus.Device cannot,
// so here they read zero and write nothing.
package clint

import (
	"math"

	"github.com/xv6emu/xv6emu/bus"
)

// Register offsets within the CLINT region.
const (
	MSIPBase     = 0x0000 // 4 bytes per hart, bit 0 = machine software interrupt
	MTimeCmpBase = 0x4000 // 8 bytes per hart
	MTime        = 0xBFF8 // 8 bytes
	Size         = 0x10000
)

// CLINT implements bus.Device for harts harts.
type CLINT struct {
	now      func() uint64
	offset   uint64 // mtime = now() + offset (mod 2^64)
	msip     []uint32
	mtimecmp []uint64
	msipIRQ  []bus.IRQ
	mtipIRQ  []bus.IRQ
}

// New returns a CLINT for harts harts whose mtime follows now. Every
// comparator starts at 0, as on QEMU; the board's first Update raises MTIP.
func New(harts int, now func() uint64) *CLINT {
	return &CLINT{
		now:      now,
		msip:     make([]uint32, harts),
		mtimecmp: make([]uint64, harts),
		msipIRQ:  make([]bus.IRQ, harts),
		mtipIRQ:  make([]bus.IRQ, harts),
	}
}

// MSIP is hart h's machine software interrupt line.
func (c *CLINT) MSIP(h int) *bus.IRQ { return &c.msipIRQ[h] }

// MTIP is hart h's machine timer interrupt line: high while mtime >= mtimecmp[h].
func (c *CLINT) MTIP(h int) *bus.IRQ { return &c.mtipIRQ[h] }

// MTime is the current value of the mtime register.
func (c *CLINT) MTime() uint64 { return c.now() + c.offset }

// Update re-evaluates every timer line against the current time. The board
// calls it after advancing its clock.
func (c *CLINT) Update() {
	t := c.MTime()
	for h, cmp := range c.mtimecmp {
		c.mtipIRQ[h].Set(t >= cmp)
	}
}

// NextDeadline returns the board-clock time (a value of now) at which the
// next timer interrupt will rise: the nearest comparator still ahead of
// mtime. ok is false when no comparator is ahead of mtime, or when the only
// ones ahead are at their reset value of all ones, which stands for "disarmed"
// (mtime would need some 58,000 years at 10 MHz to reach it).
func (c *CLINT) NextDeadline() (deadline uint64, ok bool) {
	now := c.now()
	t := now + c.offset
	var best uint64
	for _, cmp := range c.mtimecmp {
		if cmp <= t || cmp == math.MaxUint64 {
			continue
		}
		if d := cmp - t; !ok || d < best {
			best, ok = d, true
		}
	}
	return now + best, ok
}

// Read implements bus.Device. A 4-byte access to msip, or a 4- or 8-byte
// access inside mtimecmp or mtime (so an RV32 kernel can use halves), works;
// anything else reads zero.
func (c *CLINT) Read(offset uint64, size int) uint64 {
	if size != 4 && (size != 8 || offset < MTimeCmpBase) {
		return 0
	}
	switch {
	case offset < MSIPBase+4*uint64(len(c.msip)):
		h := offset / 4
		return lane(uint64(c.msip[h]), offset-4*h, size, 4)
	case offset >= MTimeCmpBase && offset < MTimeCmpBase+8*uint64(len(c.mtimecmp)):
		h := (offset - MTimeCmpBase) / 8
		return lane(c.mtimecmp[h], offset-MTimeCmpBase-8*h, size, 8)
	case offset >= MTime && offset < MTime+8:
		return lane(c.MTime(), offset-MTime, size, 8)
	}
	return 0
}

// Write implements bus.Device with the access rules of Read. A 4-byte
// write to half of mtimecmp or mtime merges into the register.
func (c *CLINT) Write(offset uint64, size int, value uint64) {
	if size != 4 && (size != 8 || offset < MTimeCmpBase) {
		return
	}
	switch {
	case offset < MSIPBase+4*uint64(len(c.msip)):
		h := offset / 4
		v, ok := merge(uint64(c.msip[h]), offset-4*h, size, 4, value)
		if !ok {
			return
		}
		c.msip[h] = uint32(v & 1) // only bit 0 exists
		c.msipIRQ[h].Set(c.msip[h] != 0)
	case offset >= MTimeCmpBase && offset < MTimeCmpBase+8*uint64(len(c.mtimecmp)):
		h := (offset - MTimeCmpBase) / 8
		v, ok := merge(c.mtimecmp[h], offset-MTimeCmpBase-8*h, size, 8, value)
		if !ok {
			return
		}
		c.mtimecmp[h] = v
		c.mtipIRQ[h].Set(c.MTime() >= v)
	case offset >= MTime && offset < MTime+8:
		v, ok := merge(c.MTime(), offset-MTime, size, 8, value)
		if !ok {
			return
		}
		c.offset = v - c.now()
		c.Update()
	}
}

// lane extracts size bytes at byte position pos of a width-byte register,
// or zero if the access does not fit in the register.
func lane(reg, pos uint64, size, width int) uint64 {
	if !fits(pos, size, width) {
		return 0
	}
	return reg >> (8 * pos) & mask(size)
}

// merge stores size bytes of value at byte position pos of a width-byte
// register; ok is false if the access does not fit in the register.
func merge(reg, pos uint64, size, width int, value uint64) (uint64, bool) {
	if !fits(pos, size, width) {
		return reg, false
	}
	m := mask(size) << (8 * pos)
	return reg&^m | value<<(8*pos)&m, true
}

func fits(pos uint64, size, width int) bool {
	return size >= 1 && size <= width && pos+uint64(size) <= uint64(width)
}

func mask(size int) uint64 {
	if size >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*uint(size)) - 1
}
