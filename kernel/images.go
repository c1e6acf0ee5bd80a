// Package kernel holds our xv6-style kernel: its C sources under src/ (not
// a Go package), the Go mkfs under mkfs/, and the built images, embedded
// zstd-compressed so that the emulator boots them with Go alone.
package kernel

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"

	"github.com/klauspost/compress/zstd"
)

//go:embed images
var images embed.FS

// decoder is shared: zstd decoders are expensive to build and safe for
// concurrent DecodeAll.
var decoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
})

// Image returns the decompressed embedded image called name (for example
// "riscv-kernel", "riscv-fs.img", "x86-kernel" or "x86-fs.img"). Each call returns a fresh copy the
// caller may modify.
func Image(name string) ([]byte, error) {
	raw, err := images.ReadFile("images/" + name + ".zst")
	if err != nil {
		if _, ok := err.(*fs.PathError); ok {
			return nil, fmt.Errorf("kernel: no embedded image %q (run 'make images')", name)
		}
		return nil, err
	}
	dec, err := decoder()
	if err != nil {
		return nil, err
	}
	out, err := dec.DecodeAll(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("kernel: embedded image %q: %w", name, err)
	}
	return out, nil
}

// RISCVKernel returns the default RISC-V kernel ELF.
func RISCVKernel() ([]byte, error) { return Image("riscv-kernel") }

// RISCVFS returns the default RISC-V file system image.
func RISCVFS() ([]byte, error) { return Image("riscv-fs.img") }

// X86Kernel returns the default i386 kernel ELF (multiboot; the file
// system goes on the primary IDE channel's slave drive).
func X86Kernel() ([]byte, error) { return Image("x86-kernel") }

// X86FS returns the default i386 file system image.
func X86FS() ([]byte, error) { return Image("x86-fs.img") }

// X86Disk returns the i386 boot disk: a boot sector followed by the
// kernel, for booting the classic way (first IDE disk), with X86FS as
// the second.
func X86Disk() ([]byte, error) { return Image("x86-xv6.img") }

// Pair returns the default kernel ELF and file system image for an
// architecture by name: "x86", or anything else for RISC-V.
func Pair(arch string) (elf, fs []byte, err error) {
	kern, fsImg := RISCVKernel, RISCVFS
	if arch == "x86" {
		kern, fsImg = X86Kernel, X86FS
	}
	if elf, err = kern(); err != nil {
		return nil, nil, err
	}
	fs, err = fsImg()
	return elf, fs, err
}
