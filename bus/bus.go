// Package bus is the device bus every board is built on: guest RAM with a
// fast path, a table of memory-mapped device regions, a separate port-I/O
// space (for the i386 board), and level-triggered interrupt lines.
//
// A device implements Device and raises interrupts through an *IRQ. It never
// imports a CPU package; the board in package machine decides where each
// device is mapped and where its interrupt line goes.
package bus

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sort"
)

// PageSize is the granularity of code-page tracking.
const PageSize = 4096

// Device is a register block reached by memory-mapped or port I/O.
// offset is relative to the start of the device's region; size is 1, 2, 4
// or 8 bytes. A device ignores writes to registers it does not have and
// reads them as zero.
type Device interface {
	Read(offset uint64, size int) uint64
	Write(offset uint64, size int, value uint64)
}

type region struct {
	base, size uint64
	dev        Device
	name       string
}

// Bus joins RAM and devices into one physical address space, plus a 16-bit
// port space. It is not safe for concurrent use: a board runs all of its
// harts and devices in one goroutine.
type Bus struct {
	// RAM is guest memory, starting at physical address RAMBase. CPUs read
	// and write it directly on their fast path.
	RAM     []byte
	RAMBase uint64

	// Code has one byte of marks per RAM page: MarkCode while some CPU
	// holds decoded instructions from the page, MarkPageTable while some
	// CPU holds translations read from it. Whoever writes to a marked page
	// (a CPU store, a DMA transfer) must call CodeWritten. CPUs keep their
	// store fast path for pages whose byte is zero.
	Code []uint8

	// PageTableWrites counts writes to pages marked MarkPageTable. A CPU
	// that saw no change since it filled its TLBs knows every cached
	// translation still matches memory, so a TLB flush instruction
	// (sfence.vma) can keep them: xv6's trampoline flushes twice per trap.
	PageTableWrites uint64

	regions     []region
	ports       []region
	codeWriters []func(page uint64)

	unmap   func()          // releases mapped RAM (Linux)
	cleanup runtime.Cleanup // the same for a Bus dropped without Close
}

// New returns a bus with size bytes of zeroed RAM at ramBase. The RAM
// stays valid while the Bus is reachable: keep the Bus, not just the slice.
func New(ramBase, size uint64) *Bus {
	size = (size + PageSize - 1) &^ (PageSize - 1)
	b := &Bus{RAMBase: ramBase, Code: make([]uint8, size/PageSize)}
	b.RAM = newRAM(b, size)
	return b
}

// Map places dev at physical addresses [base, base+size). Regions may not
// overlap each other or RAM.
func (b *Bus) Map(base, size uint64, dev Device, name string) error {
	if size == 0 {
		return fmt.Errorf("bus: map %s: empty region", name)
	}
	if overlaps(base, size, b.RAMBase, uint64(len(b.RAM))) {
		return fmt.Errorf("bus: map %s at %#x: overlaps RAM", name, base)
	}
	for _, r := range b.regions {
		if overlaps(base, size, r.base, r.size) {
			return fmt.Errorf("bus: map %s at %#x: overlaps %s", name, base, r.name)
		}
	}
	b.regions = append(b.regions, region{base, size, dev, name})
	sort.Slice(b.regions, func(i, j int) bool { return b.regions[i].base < b.regions[j].base })
	return nil
}

// MapPorts places dev at I/O ports [base, base+n).
func (b *Bus) MapPorts(base, n uint16, dev Device, name string) error {
	for _, r := range b.ports {
		if overlaps(uint64(base), uint64(n), r.base, r.size) {
			return fmt.Errorf("bus: map ports %s at %#x: overlaps %s", name, base, r.name)
		}
	}
	b.ports = append(b.ports, region{uint64(base), uint64(n), dev, name})
	return nil
}

func overlaps(a, an, b, bn uint64) bool {
	return a < b+bn && b < a+an
}

// IsRAM reports whether [addr, addr+size) lies entirely in RAM.
func (b *Bus) IsRAM(addr uint64, size int) bool {
	off := addr - b.RAMBase
	return addr >= b.RAMBase && off < uint64(len(b.RAM)) && uint64(len(b.RAM))-off >= uint64(size)
}

func (b *Bus) device(addr uint64, size int) (*region, uint64) {
	for i := range b.regions {
		r := &b.regions[i]
		if addr >= r.base && addr-r.base < r.size {
			off := addr - r.base
			if r.size-off < uint64(size) {
				return nil, 0
			}
			return r, off
		}
	}
	return nil, 0
}

// Load reads size bytes (1, 2, 4 or 8) at physical address addr from RAM or
// a device. ok is false when nothing is mapped there (an access fault).
func (b *Bus) Load(addr uint64, size int) (value uint64, ok bool) {
	if b.IsRAM(addr, size) {
		return ReadLE(b.RAM[addr-b.RAMBase:], size), true
	}
	if r, off := b.device(addr, size); r != nil {
		return r.dev.Read(off, size), true
	}
	return 0, false
}

// Store writes size bytes at physical address addr. ok is false when
// nothing is mapped there.
func (b *Bus) Store(addr uint64, size int, value uint64) (ok bool) {
	if b.IsRAM(addr, size) {
		off := addr - b.RAMBase
		WriteLE(b.RAM[off:], size, value)
		b.noteWrite(off, uint64(size))
		return true
	}
	if r, off := b.device(addr, size); r != nil {
		r.dev.Write(off, size, value)
		return true
	}
	return false
}

// In reads an I/O port. Unmapped ports read as all ones, as on a PC.
func (b *Bus) In(port uint16, size int) uint64 {
	for i := range b.ports {
		r := &b.ports[i]
		if uint64(port) >= r.base && uint64(port)-r.base < r.size {
			return r.dev.Read(uint64(port)-r.base, size)
		}
	}
	return 1<<(8*uint(size)) - 1
}

// Out writes an I/O port. Writes to unmapped ports are dropped.
func (b *Bus) Out(port uint16, size int, value uint64) {
	for i := range b.ports {
		r := &b.ports[i]
		if uint64(port) >= r.base && uint64(port)-r.base < r.size {
			r.dev.Write(uint64(port)-r.base, size, value)
			return
		}
	}
}

// ReadRAM copies guest RAM at physical address addr into buf (device DMA).
func (b *Bus) ReadRAM(addr uint64, buf []byte) error {
	if !b.IsRAM(addr, len(buf)) {
		return fmt.Errorf("bus: DMA read of %d bytes at %#x is outside RAM", len(buf), addr)
	}
	copy(buf, b.RAM[addr-b.RAMBase:])
	return nil
}

// WriteRAM copies data into guest RAM at physical address addr (device DMA),
// invalidating any decoded code on the pages it touches.
func (b *Bus) WriteRAM(addr uint64, data []byte) error {
	if !b.IsRAM(addr, len(data)) {
		return fmt.Errorf("bus: DMA write of %d bytes at %#x is outside RAM", len(data), addr)
	}
	off := addr - b.RAMBase
	copy(b.RAM[off:], data)
	b.noteWrite(off, uint64(len(data)))
	return nil
}

// noteWrite tells code watchers about a write to RAM offsets [off, off+n).
func (b *Bus) noteWrite(off, n uint64) {
	if n == 0 {
		return
	}
	for p := off / PageSize; p <= (off+n-1)/PageSize; p++ {
		if b.Code[p] != 0 {
			b.CodeWritten(p)
		}
	}
}

// Marks in Code.
const (
	MarkCode      = 1 << 0 // decoded instructions are cached from the page
	MarkPageTable = 1 << 1 // translations are cached from PTEs in the page
)

// MarkPageTableAt marks the RAM page holding physical address pa as one a
// translation was read from (a no-op outside RAM).
func (b *Bus) MarkPageTableAt(pa uint64) {
	if off := pa - b.RAMBase; pa >= b.RAMBase && off < uint64(len(b.RAM)) {
		b.Code[off/PageSize] |= MarkPageTable
	}
}

// StorePTEFlags writes a page-table entry whose only change is its
// accessed/dirty bits, as a hardware walker does. No translation changes,
// so it does not count in PageTableWrites; decoded code on the page is
// still dropped. ok is false when nothing is mapped at addr.
func (b *Bus) StorePTEFlags(addr uint64, size int, value uint64) (ok bool) {
	if !b.IsRAM(addr, size) {
		return b.Store(addr, size, value)
	}
	off := addr - b.RAMBase
	WriteLE(b.RAM[off:], size, value)
	if p := off / PageSize; b.Code[p]&MarkCode != 0 {
		b.CodeWritten(p)
	}
	return true
}

// OnCodeWrite registers f to be told (by RAM page index) when a page marked
// MarkCode is written. CPUs use it to drop decoded instructions.
func (b *Bus) OnCodeWrite(f func(page uint64)) {
	b.codeWriters = append(b.codeWriters, f)
}

// CodeWritten clears the marks of RAM page index page, counts a
// page-table write if it held PTEs in use, and tells every code watcher
// if it held code.
func (b *Bus) CodeWritten(page uint64) {
	m := b.Code[page]
	b.Code[page] = 0
	if m&MarkPageTable != 0 {
		b.PageTableWrites++
	}
	if m&MarkCode == 0 {
		return
	}
	for _, f := range b.codeWriters {
		f(page)
	}
}

// ReadLE reads a little-endian value of size bytes (1, 2, 4 or 8) from p.
func ReadLE(p []byte, size int) uint64 {
	switch size {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(p))
	case 4:
		return uint64(binary.LittleEndian.Uint32(p))
	default:
		return binary.LittleEndian.Uint64(p)
	}
}

// WriteLE writes the low size bytes (1, 2, 4 or 8) of v to p, little-endian.
func WriteLE(p []byte, size int, v uint64) {
	switch size {
	case 1:
		p[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(p, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(p, uint32(v))
	default:
		binary.LittleEndian.PutUint64(p, v)
	}
}
