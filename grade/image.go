package grade

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// CheckKernel explains why elfData cannot be a kernel for the RISC-V virt
// machine, or returns nil. Both backends check before booting, so a wrong
// file gives one clear reason instead of a confusing console.
func CheckKernel(elfData []byte) error {
	if len(elfData) == 0 {
		return fmt.Errorf("kernel: the file is empty")
	}
	f, err := elf.NewFile(bytes.NewReader(elfData))
	if err != nil {
		return fmt.Errorf("kernel: not an ELF file (%v)", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_RISCV || f.Class != elf.ELFCLASS64 {
		return fmt.Errorf("kernel: built for %v %v, want a 64-bit RISC-V kernel (EM_RISCV, ELFCLASS64)", f.Machine, f.Class)
	}
	if f.Type != elf.ET_EXEC {
		return fmt.Errorf("kernel: ELF type %v, want an executable (ET_EXEC)", f.Type)
	}
	loadable := false
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Memsz > 0 {
			loadable = true
		}
	}
	if !loadable {
		return fmt.Errorf("kernel: the ELF file has no loadable segment")
	}
	return nil
}

// xv6 file system geometry: 1024-byte blocks, the superblock in block 1.
const (
	fsBlockSize = 1024
	fsMagic     = 0x10203040
	sectorSize  = 512
)

// CheckFS explains why img cannot be an xv6 file system image, or returns
// nil: its size must be whole sectors and hold every block its superblock
// claims.
func CheckFS(img []byte) error {
	switch {
	case len(img) == 0:
		return fmt.Errorf("fs image: the file is empty")
	case len(img)%sectorSize != 0:
		return fmt.Errorf("fs image: %d bytes is not a whole number of %d-byte sectors", len(img), sectorSize)
	case len(img) < 2*fsBlockSize:
		return fmt.Errorf("fs image: %d bytes is too small to hold a superblock", len(img))
	}
	sb := img[fsBlockSize:]
	if magic := binary.LittleEndian.Uint32(sb); magic != fsMagic {
		return fmt.Errorf("fs image: superblock magic %#x, want %#x (not an xv6 file system)", magic, fsMagic)
	}
	blocks := uint64(binary.LittleEndian.Uint32(sb[4:]))
	if have := uint64(len(img)) / fsBlockSize; blocks > have {
		return fmt.Errorf("fs image: the superblock says %d blocks but the image has only %d (%d bytes): truncated?",
			blocks, have, len(img))
	}
	return nil
}
