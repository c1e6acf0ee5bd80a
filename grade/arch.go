package grade

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"

	"github.com/xv6emu/xv6emu/machine/pcfw"
)

// Arch is a guest architecture: which board a backend boots and which
// kernels and images it takes.
type Arch string

// The architectures: RISC-V on the virt board (MIT's xv6-riscv), i386 on
// the pc board (classic xv6).
const (
	RISCV Arch = "riscv"
	X86   Arch = "x86"
)

// Arches lists every architecture, the default first.
var Arches = []Arch{RISCV, X86}

// ParseArch checks an --arch value; "" is RISCV.
func ParseArch(s string) (Arch, error) {
	switch Arch(s) {
	case "", RISCV:
		return RISCV, nil
	case X86:
		return X86, nil
	}
	return "", fmt.Errorf("--arch %q: want riscv or x86", s)
}

// ELFArch names the architecture an ELF file was built for, as a user
// would say it ("RISC-V", "i386", "x86-64"), and the --arch that boots it
// ("" when none does). ok is false when data is not an ELF file.
func ELFArch(data []byte) (name string, arch Arch, ok bool) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	switch {
	case f.Machine == elf.EM_RISCV && f.Class == elf.ELFCLASS64:
		return "RISC-V", RISCV, true
	case f.Machine == elf.EM_RISCV:
		return "32-bit RISC-V", "", true
	case f.Machine == elf.EM_386 && f.Class == elf.ELFCLASS32:
		return "i386", X86, true
	case f.Machine == elf.EM_X86_64:
		return "x86-64", "", true
	}
	return fmt.Sprintf("%v %v", f.Machine, f.Class), "", true
}

// CheckKernelFor is CheckKernel for the board of arch: on x86 a kernel is
// an i386 ELF executable or a multiboot image (classic xv6's kernel is
// both). A kernel for the other architecture gets a reason that names the
// --arch to use.
func CheckKernelFor(arch Arch, data []byte) error {
	if name, got, ok := ELFArch(data); ok && got != arch && got != "" {
		return fmt.Errorf("kernel: built for %s: use --arch %s", name, got)
	}
	if arch != X86 {
		return CheckKernel(data)
	}
	if len(data) == 0 {
		return fmt.Errorf("kernel: the file is empty")
	}
	if _, err := pcfw.FindHeader(data); err != nil {
		return fmt.Errorf("kernel: not a multiboot kernel: %v", err)
	}
	if name, _, ok := ELFArch(data); ok && name != "i386" {
		return fmt.Errorf("kernel: built for %s, want an i386 kernel (EM_386, ELFCLASS32)", name)
	}
	return nil
}

// CheckFSFor is CheckFS for arch. Classic x86 xv6 has 512-byte blocks and
// no superblock magic, so on x86 an image only needs whole sectors; one
// with our magic is checked in full.
func CheckFSFor(arch Arch, img []byte) error {
	if arch != X86 {
		return CheckFS(img)
	}
	if len(img) >= 2*fsBlockSize && binary.LittleEndian.Uint32(img[fsBlockSize:]) == fsMagic {
		return CheckFS(img)
	}
	switch {
	case len(img) == 0:
		return fmt.Errorf("fs image: the file is empty")
	case len(img)%sectorSize != 0:
		return fmt.Errorf("fs image: %d bytes is not a whole number of %d-byte sectors", len(img), sectorSize)
	}
	return nil
}

// CheckBootDisk explains why img cannot be a pc boot disk (IDE master,
// booted through its first sector), or returns nil.
func CheckBootDisk(img []byte) error {
	switch {
	case len(img) < sectorSize:
		return fmt.Errorf("boot disk: %d bytes is less than one sector", len(img))
	case len(img)%sectorSize != 0:
		return fmt.Errorf("boot disk: %d bytes is not a whole number of %d-byte sectors", len(img), sectorSize)
	case img[510] != 0x55 || img[511] != 0xAA:
		return fmt.Errorf("boot disk: sector 0 is not bootable (no 0x55AA signature)")
	}
	return nil
}
