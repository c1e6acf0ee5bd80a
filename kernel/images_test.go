package kernel

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"
)

// The embedded images are what the boards boot: check that each is the
// kind of file its board expects, so a packing mix-up fails here and not
// as a hang in a boot test.

func TestRISCVKernelIsRV64(t *testing.T) {
	k, err := RISCVKernel()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(k))
	if err != nil {
		t.Fatal(err)
	}
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_RISCV {
		t.Errorf("riscv-kernel is %v %v, want ELFCLASS64 EM_RISCV", f.Class, f.Machine)
	}
}

func TestX86KernelIsMultibootELF32(t *testing.T) {
	k, err := X86Kernel()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(k))
	if err != nil {
		t.Fatal(err)
	}
	if f.Class != elf.ELFCLASS32 || f.Machine != elf.EM_386 {
		t.Errorf("x86-kernel is %v %v, want ELFCLASS32 EM_386", f.Class, f.Machine)
	}
	// A multiboot loader enters at the physical address, inside a
	// segment it loads.
	inside := false
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && f.Entry >= p.Paddr && f.Entry < p.Paddr+p.Filesz {
			inside = true
		}
	}
	if !inside {
		t.Errorf("entry %#x is not the physical address of loaded code", f.Entry)
	}
	if off := multibootHeader(k); off < 0 {
		t.Error("no multiboot header in the first 8 KiB")
	}
}

// multibootHeader returns the offset of a valid multiboot header (magic,
// flags, checksum summing to 0, 4-byte aligned, in the first 8 KiB), or -1.
func multibootHeader(img []byte) int {
	for off := 0; off+12 <= len(img) && off < 8192; off += 4 {
		magic := binary.LittleEndian.Uint32(img[off:])
		flags := binary.LittleEndian.Uint32(img[off+4:])
		sum := binary.LittleEndian.Uint32(img[off+8:])
		if magic == 0x1BADB002 && magic+flags+sum == 0 {
			return off
		}
	}
	return -1
}

func TestX86DiskBootsTheKernel(t *testing.T) {
	d, err := X86Disk()
	if err != nil {
		t.Fatal(err)
	}
	k, err := X86Kernel()
	if err != nil {
		t.Fatal(err)
	}
	if len(d)%512 != 0 || len(d) < 512+len(k) {
		t.Fatalf("x86-xv6.img is %d bytes: want whole sectors holding a boot sector and the %d-byte kernel", len(d), len(k))
	}
	if d[510] != 0x55 || d[511] != 0xAA {
		t.Errorf("sector 0 ends in %#x %#x, want the boot signature 0x55 0xAA", d[510], d[511])
	}
	if !bytes.Equal(d[512:512+len(k)], k) {
		t.Error("the kernel does not follow the boot sector unchanged")
	}
}

func TestFSImagesHaveSuperblocks(t *testing.T) {
	for _, name := range []string{"riscv-fs.img", "x86-fs.img"} {
		img, err := Image(name)
		if err != nil {
			t.Fatal(err)
		}
		// Block 1 (of 1024 bytes) is the superblock; its first word the magic.
		if len(img) < 2048 || binary.LittleEndian.Uint32(img[1024:]) != 0x10203040 {
			t.Errorf("%s: no file system superblock in block 1", name)
		}
	}
}
