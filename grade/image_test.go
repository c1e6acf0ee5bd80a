package grade

import (
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/xv6emu/xv6emu/machine/elfload"
)

// elf64 builds a minimal ELF64 executable for machine with one small
// loadable segment (or none).
func elf64(machine elf.Machine, typ elf.Type, segments int) []byte {
	var image []byte
	if segments > 0 {
		image = make([]byte, 4)
	}
	return elfload.Executable(machine, typ, 0x80000000, image)
}

// elf32 builds the header of a 32-bit i386 executable, as an x86 xv6
// kernel would be.
func elf32() []byte {
	h := make([]byte, 52)
	copy(h, []byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS32), byte(elf.ELFDATA2LSB), 1})
	binary.LittleEndian.PutUint16(h[16:], uint16(elf.ET_EXEC))
	binary.LittleEndian.PutUint16(h[18:], uint16(elf.EM_386))
	binary.LittleEndian.PutUint32(h[20:], 1)
	binary.LittleEndian.PutUint16(h[40:], 52)
	return h
}

func TestCheckKernel(t *testing.T) {
	assert.NoError(t, CheckKernel(elf64(elf.EM_RISCV, elf.ET_EXEC, 1)))
	cases := map[string]struct {
		data []byte
		err  string
	}{
		"empty":     {nil, "kernel: the file is empty"},
		"text":      {[]byte("#!/bin/sh\necho hi\n"), "kernel: not an ELF file"},
		"x86-64":    {elf64(elf.EM_X86_64, elf.ET_EXEC, 1), "kernel: built for EM_X86_64 ELFCLASS64, want a 64-bit RISC-V kernel"},
		"i386":      {elf32(), "kernel: built for EM_386 ELFCLASS32, want a 64-bit RISC-V kernel"},
		"object":    {elf64(elf.EM_RISCV, elf.ET_REL, 1), "kernel: ELF type ET_REL, want an executable"},
		"no loads":  {elf64(elf.EM_RISCV, elf.ET_EXEC, 0), "no loadable segment"},
		"truncated": {elf64(elf.EM_RISCV, elf.ET_EXEC, 1)[:70], "kernel: not an ELF file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := CheckKernel(c.data)
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), c.err)
			}
		})
	}
}

// fsImage returns an image of n bytes whose superblock claims blocks.
func fsImage(n int, magic, blocks uint32) []byte {
	img := make([]byte, n)
	if n >= 2048 {
		binary.LittleEndian.PutUint32(img[1024:], magic)
		binary.LittleEndian.PutUint32(img[1028:], blocks)
	}
	return img
}

func TestCheckFS(t *testing.T) {
	assert.NoError(t, CheckFS(fsImage(2000*1024, fsMagic, 2000)))
	assert.NoError(t, CheckFS(fsImage(2048*1024, fsMagic, 2000)), "spare room at the end is harmless")
	cases := map[string]struct {
		img []byte
		err string
	}{
		"empty":     {nil, "fs image: the file is empty"},
		"odd size":  {make([]byte, 1000), "fs image: 1000 bytes is not a whole number of 512-byte sectors"},
		"tiny":      {make([]byte, 1024), "too small to hold a superblock"},
		"magic":     {fsImage(4096, 0xdeadbeef, 4), "superblock magic 0xdeadbeef, want 0x10203040"},
		"truncated": {fsImage(1000*1024, fsMagic, 2000), "the superblock says 2000 blocks but the image has only 1000 (1024000 bytes): truncated?"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := CheckFS(c.img)
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), c.err)
			}
		})
	}
}
