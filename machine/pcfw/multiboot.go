package pcfw

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Multiboot (version 1) constants.
const (
	MultibootMagic      = 0x1BADB002 // in the kernel's header
	MultibootBootMagic  = 0x2BADB002 // in EAX at entry
	multibootSearch     = 8192
	multibootFlagAOut   = 1 << 16 // the header's address fields are valid
	multibootUnknownReq = 0xFFFC  // required feature bits 2-15: none understood but 0 and 1
	// InfoAddr is where WriteInfo puts the multiboot information (below the
	// boot sector's 0x7C00, away from kernels loaded at 1 MiB).
	InfoAddr = 0x9000
)

// Header is a kernel's multiboot header.
type Header struct {
	Offset int // file offset of the header
	Flags  uint32
	// Valid when Flags has bit 16 (the "a.out kludge"): where to load the
	// file and where to enter.
	HeaderAddr, LoadAddr, LoadEndAddr, BSSEndAddr, EntryAddr uint32
}

// ErrNoMultiboot means the image has no multiboot header in its first 8 KiB.
var ErrNoMultiboot = errors.New("no multiboot header (magic 0x1BADB002) in the first 8 KiB")

// FindHeader returns the multiboot header of a kernel image.
func FindHeader(image []byte) (Header, error) {
	n := min(len(image), multibootSearch)
	for off := 0; off+12 <= n; off += 4 {
		le := binary.LittleEndian
		if le.Uint32(image[off:]) != MultibootMagic {
			continue
		}
		flags := le.Uint32(image[off+4:])
		if MultibootMagic+flags+le.Uint32(image[off+8:]) != 0 {
			continue
		}
		h := Header{Offset: off, Flags: flags}
		if flags&multibootUnknownReq != 0 {
			return h, fmt.Errorf("multiboot header asks for features %#x this loader lacks", flags&multibootUnknownReq)
		}
		if flags&multibootFlagAOut != 0 {
			if off+32 > len(image) {
				return h, errors.New("multiboot header truncated")
			}
			h.HeaderAddr = le.Uint32(image[off+12:])
			h.LoadAddr = le.Uint32(image[off+16:])
			h.LoadEndAddr = le.Uint32(image[off+20:])
			h.BSSEndAddr = le.Uint32(image[off+24:])
			h.EntryAddr = le.Uint32(image[off+28:])
		}
		return h, nil
	}
	return Header{}, ErrNoMultiboot
}

// LoadAOut loads an image by its header's address fields (flag bit 16):
// the file from the header's position back to LoadAddr, up to LoadEndAddr
// (0: the end of the file), then zeroes to BSSEndAddr. It returns the entry.
func (h Header) LoadAOut(image []byte, ram []byte) (uint32, error) {
	if h.Flags&multibootFlagAOut == 0 {
		return 0, errors.New("multiboot header has no address fields")
	}
	if h.LoadAddr > h.HeaderAddr {
		return 0, errors.New("multiboot: load_addr above header_addr")
	}
	start := int64(h.Offset) - int64(h.HeaderAddr-h.LoadAddr)
	if start < 0 {
		return 0, errors.New("multiboot: load_addr before the start of the file")
	}
	end := int64(len(image))
	if h.LoadEndAddr != 0 {
		if h.LoadEndAddr < h.LoadAddr {
			return 0, errors.New("multiboot: load_end_addr below load_addr")
		}
		end = min(end, start+int64(h.LoadEndAddr-h.LoadAddr))
	}
	data := image[start:end]
	bssEnd := uint64(h.LoadAddr) + uint64(len(data))
	if h.BSSEndAddr != 0 {
		bssEnd = max(bssEnd, uint64(h.BSSEndAddr))
	}
	if bssEnd > uint64(len(ram)) {
		return 0, fmt.Errorf("multiboot: image ends at %#x, beyond RAM", bssEnd)
	}
	copy(ram[h.LoadAddr:], data)
	clear(ram[uint64(h.LoadAddr)+uint64(len(data)) : bssEnd])
	return h.EntryAddr, nil
}

// Multiboot information offsets and flags.
const (
	InfoFlagMem     = 1 << 0
	InfoFlagBootDev = 1 << 1
	InfoFlagCmdline = 1 << 2
	InfoFlagMmap    = 1 << 6
	InfoFlagLoader  = 1 << 9

	infoSize = 88
)

// TopReserved is the RAM at the top of memory that QEMU's firmware keeps
// for itself (ACPI tables) and the memory map marks reserved.
const TopReserved = 128 << 10

// WriteInfo writes a multiboot information structure at InfoAddr for a
// machine with memBytes of RAM and returns its address (for EBX). It says
// what QEMU 7.2 with SeaBIOS says, checked with the pc test kernel:
// mem_lower 639 KiB, mem_upper the KiB from 1 MiB to the reserved top
// 128 KiB, boot device 0x8000FFFF, the command line, the loader's name,
// and SeaBIOS's e820 memory map.
func WriteInfo(ram []byte, memBytes uint64, cmdline string) (uint32, error) {
	le := binary.LittleEndian
	if len(ram) < InfoAddr+1024 || memBytes < 2<<20 {
		return 0, errors.New("pcfw: RAM too small for multiboot information")
	}
	info := ram[InfoAddr:]
	clear(info[:infoSize])
	mmap := uint32(InfoAddr + infoSize)
	top := memBytes - TopReserved
	entries := []struct {
		base, length uint64
		typ          uint32
	}{
		{0, EBDA, 1},
		{EBDA, 0xA0000 - EBDA, 2},
		{0xF0000, 0x10000, 2},
		{0x100000, top - 0x100000, 1},
		{top, TopReserved, 2},
		{0xFFFC0000, 0x40000, 2},
	}
	p := mmap
	for _, e := range entries {
		le.PutUint32(ram[p:], 20)
		le.PutUint64(ram[p+4:], e.base)
		le.PutUint64(ram[p+12:], e.length)
		le.PutUint32(ram[p+20:], e.typ)
		p += 24
	}
	cmd := p
	if len(cmdline) > 512 {
		cmdline = cmdline[:512]
	}
	copy(ram[cmd:], cmdline)
	ram[cmd+uint32(len(cmdline))] = 0
	name := cmd + uint32(len(cmdline)) + 1
	copy(ram[name:], "xv6emu\x00")

	le.PutUint32(info[0:], InfoFlagMem|InfoFlagBootDev|InfoFlagCmdline|InfoFlagMmap|InfoFlagLoader)
	le.PutUint32(info[4:], BaseMemKiB)
	le.PutUint32(info[8:], uint32((top-0x100000)>>10))
	le.PutUint32(info[12:], 0x8000FFFF)
	le.PutUint32(info[16:], cmd)
	le.PutUint32(info[44:], p-mmap)
	le.PutUint32(info[48:], mmap)
	le.PutUint32(info[64:], name)
	return InfoAddr, nil
}
