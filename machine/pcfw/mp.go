// Package pcfw writes the firmware data a PC kernel expects to find in
// memory when no BIOS has run: the BIOS data area words for the extended
// BIOS data area and the base memory size, an Intel MultiProcessor
// Specification 1.4 floating pointer and configuration table, and a
// multiboot information structure. It also reads a kernel's multiboot
// header. No BIOS code is involved; the emulator writes these bytes before
// the first instruction.
//
// Layout (what kernels search, in the order classic xv6's mpsearch does):
// the BDA word at 0x40E holds the EBDA segment 0x9FC0 and the word at 0x413
// the base memory size, 639 KiB; the MP floating pointer is the first 16
// bytes of the EBDA (0x9FC00) with the configuration table right after it.
// A second copy of the floating pointer sits at 0xF0000 for kernels that
// only scan the BIOS ROM area.
package pcfw

import (
	"encoding/binary"
	"fmt"
)

// Addresses of the firmware data.
const (
	BDAEBDASeg  = 0x40E
	BDABaseMem  = 0x413
	EBDA        = 0x9FC00
	BaseMemKiB  = EBDA / 1024 // 639
	MPFloating  = EBDA
	MPConfig    = EBDA + 16
	MPROMCopy   = 0xF0000
	LAPICBase   = 0xFEE0_0000
	IOAPICBase  = 0xFEC0_0000
	lapicVer    = 0x14
	ioapicVer   = 0x11
	cpuSig      = 0x0663      // family 6, model 6, stepping 3
	cpuFeatures = 0x0000_0201 // FPU, APIC
)

// MP table entry types.
const (
	MPProcessor = 0
	MPBus       = 1
	MPIOAPIC    = 2
	MPIOIntr    = 3
	MPLocalIntr = 4
)

// MPConfig describes the machine the MP table announces.
type MP struct {
	CPUs     int   // processors, APIC ids 0..CPUs-1, CPU 0 the bootstrap one
	IOAPICID uint8 // the I/O APIC's id
}

// ISAPin is the I/O APIC pin ISA irq n arrives on: irq 0 (the PIT) on pin
// 2, as QEMU wires it; the others on the pin of their number.
func ISAPin(irq int) int {
	if irq == 0 {
		return 2
	}
	return irq
}

// Table returns the MP configuration table for mp, to be placed at addr.
func (mp MP) Table() []byte {
	var entries [][]byte
	for i := 0; i < mp.CPUs; i++ {
		e := make([]byte, 20)
		e[0] = MPProcessor
		e[1] = uint8(i)
		e[2] = lapicVer
		e[3] = 1 // enabled
		if i == 0 {
			e[3] |= 2 // bootstrap processor
		}
		binary.LittleEndian.PutUint32(e[4:], cpuSig)
		binary.LittleEndian.PutUint32(e[8:], cpuFeatures)
		entries = append(entries, e)
	}
	entries = append(entries, []byte{MPBus, 0, 'I', 'S', 'A', ' ', ' ', ' '})
	io := []byte{MPIOAPIC, mp.IOAPICID, ioapicVer, 1, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(io[4:], IOAPICBase)
	entries = append(entries, io)
	for irq := 0; irq < 16; irq++ {
		if irq == 2 {
			continue // the cascade: nothing arrives there
		}
		// INT, polarity and trigger conforming to the ISA bus (high, edge).
		entries = append(entries, []byte{MPIOIntr, 0, 0, 0, 0, uint8(irq), mp.IOAPICID, uint8(ISAPin(irq))})
	}
	entries = append(entries,
		[]byte{MPLocalIntr, 3, 0, 0, 0, 0, 0xFF, 0}, // ExtINT to LINT0 of every CPU
		[]byte{MPLocalIntr, 1, 0, 0, 0, 0, 0xFF, 1}, // NMI to LINT1
	)
	t := make([]byte, 44)
	copy(t, "PCMP")
	t[6] = 4 // spec 1.4
	copy(t[8:], "XV6EMU  ")
	copy(t[16:], "PC          ")
	binary.LittleEndian.PutUint16(t[34:], uint16(len(entries)))
	binary.LittleEndian.PutUint32(t[36:], LAPICBase)
	for _, e := range entries {
		t = append(t, e...)
	}
	binary.LittleEndian.PutUint16(t[4:], uint16(len(t)))
	t[7] = checksum(t)
	return t
}

// floating returns the 16-byte MP floating pointer for a table at conf.
func floating(conf uint32) []byte {
	f := make([]byte, 16)
	copy(f, "_MP_")
	binary.LittleEndian.PutUint32(f[4:], conf)
	f[8] = 1 // length in 16-byte units
	f[9] = 4 // spec 1.4
	// feature byte 1 = 0: a configuration table is present; byte 2 = 0: no
	// IMCR, virtual wire mode.
	f[10] = checksum(f)
	return f
}

// checksum is the byte that makes b sum to zero (b's own checksum byte
// must be zero when it is computed).
func checksum(b []byte) byte {
	var s byte
	for _, x := range b {
		s += x
	}
	return -s
}

// Write puts the BDA words, the MP floating pointers and the MP table into
// ram, guest physical memory from address 0.
func Write(ram []byte, mp MP) error {
	if mp.CPUs < 1 || mp.CPUs > 255 {
		return fmt.Errorf("pcfw: %d CPUs", mp.CPUs)
	}
	table := mp.Table()
	if len(ram) < MPROMCopy+16 || MPConfig+len(table) > 0xA0000 {
		return fmt.Errorf("pcfw: %d bytes of RAM cannot hold the firmware data", len(ram))
	}
	binary.LittleEndian.PutUint16(ram[BDAEBDASeg:], EBDA>>4)
	binary.LittleEndian.PutUint16(ram[BDABaseMem:], BaseMemKiB)
	fp := floating(MPConfig)
	copy(ram[MPFloating:], fp)
	copy(ram[MPConfig:], table)
	copy(ram[MPROMCopy:], fp)
	return nil
}
