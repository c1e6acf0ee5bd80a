package x86

import "encoding/binary"

// This file records each CPU's first iret to ring 3 through each kernel
// stack address, for `xv6emu compare`: where a thread's trapframe lives
// and what its user stack holds as it starts (the fake return address and
// the arguments, on i386). iret is a slow path; nothing here runs per
// ordinary instruction.

// UserEntry is a CPU's first iret to ring 3 from one frame address.
type UserEntry struct {
	Frame    uint32 // kernel ESP at the iret: the CPU-pushed part of the trapframe
	EIP, ESP uint32
	Words    [3]uint32 // the user stack at ESP: return address, arg1, arg2
	WordsOK  bool      // false when the stack was not mapped in RAM
}

// MaxUserEntries bounds the entries a CPU records.
const MaxUserEntries = 16

type userEntries struct {
	list    [MaxUserEntries]UserEntry
	n       int
	last    uint32 // frame of the latest iret to ring 3
	entered bool   // there was one
}

// UserFrame is the frame address of the CPU's latest iret to ring 3:
// which thread (kernel stack) it last entered user mode as.
func (c *CPU) UserFrame() uint32 { return c.entries.last }

// UserEntries returns the CPU's recorded first user entries, oldest first.
func (c *CPU) UserEntries() []UserEntry { return c.entries.list[:c.entries.n] }

// noteUserEntry records an iret to ring 3 whose frame was at frame, once
// per frame address, and counts it as a thread switch when the frame (the
// thread's kernel stack) is not the previous one's.
func (c *CPU) noteUserEntry(frame uint32) {
	e := &c.entries
	if e.entered && frame != e.last {
		c.Stats.ThreadSwitches++
	}
	e.last, e.entered = frame, true
	if e.n == MaxUserEntries {
		return
	}
	for i := 0; i < e.n; i++ {
		if e.list[i].Frame == frame {
			return
		}
	}
	u := UserEntry{Frame: frame, EIP: c.eip, ESP: c.r[ESP], WordsOK: true}
	for i := range u.Words {
		v, ok := c.peekUser(u.ESP + uint32(4*i))
		u.Words[i] = v
		u.WordsOK = u.WordsOK && ok
	}
	e.list[e.n] = u
	e.n++
}

// peekUser reads a word at a linear address through the page tables
// without faulting, touching A/D bits or the TLB.
func (c *CPU) peekUser(lin uint32) (uint32, bool) {
	pa := uint64(lin)
	if c.cr0&cr0PG != 0 {
		pde, ok := c.peekPhys(uint64(c.cr3&^0xFFF) + uint64(lin>>22)*4)
		if !ok || pde&1 == 0 {
			return 0, false
		}
		if pde&0x80 != 0 && c.cr4&cr4PSE != 0 {
			pa = uint64(pde&0xFFC00000) | uint64(lin&0x3FFFFF)
		} else {
			pte, ok := c.peekPhys(uint64(pde&^0xFFF) + uint64(lin>>12&0x3FF)*4)
			if !ok || pte&1 == 0 {
				return 0, false
			}
			pa = uint64(pte&^0xFFF) | uint64(lin&0xFFF)
		}
	}
	return c.peekPhys(pa)
}

// peekPhys reads a RAM word (nothing else: a device read may have effects).
func (c *CPU) peekPhys(pa uint64) (uint32, bool) {
	idx := pa - c.ramBase
	if pa < c.ramBase || idx+4 > uint64(len(c.ram)) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(c.ram[idx:]), true
}
