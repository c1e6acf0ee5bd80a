package elfload

import (
	"debug/elf"
	"encoding/binary"
)

// Executable builds a minimal little-endian ELF64 file of the given
// machine and type whose one loadable segment (read, write, execute) holds
// image at address base, which is also the entry point; with a nil image
// it has no segment. Tests use it to turn a few instructions into a kernel.
func Executable(machine elf.Machine, typ elf.Type, base uint64, image []byte) []byte {
	const (
		ehsize, phsize = 64, 56
		dataOff        = 0x1000 // page-aligned, as linkers place segments
	)
	phnum := 0
	size := ehsize
	if image != nil {
		phnum = 1
		size = dataOff + len(image)
	}
	b := make([]byte, size)
	copy(b, []byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)})
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(typ))
	le.PutUint16(b[18:], uint16(machine))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(b[24:], base)   // entry
	le.PutUint64(b[32:], ehsize) // phoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], uint16(phnum))
	le.PutUint16(b[58:], 64) // shentsize
	if image == nil {
		return b
	}
	ph := b[ehsize:]
	le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
	le.PutUint32(ph[4:], uint32(elf.PF_R|elf.PF_W|elf.PF_X))
	le.PutUint64(ph[8:], dataOff)
	le.PutUint64(ph[16:], base) // vaddr
	le.PutUint64(ph[24:], base) // paddr
	le.PutUint64(ph[32:], uint64(len(image)))
	le.PutUint64(ph[40:], uint64(len(image)))
	le.PutUint64(ph[48:], dataOff)
	copy(b[dataOff:], image)
	return b
}
