// Package elfload loads a statically linked ELF executable into guest RAM
// at its physical addresses, for any board: the target machine and class are
// parameters (RISC-V 64 here, i386 ELF32 for the PC board).
package elfload

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/xv6emu/xv6emu/bus"
)

// Target is the kind of ELF a board accepts.
type Target struct {
	Machine elf.Machine
	Class   elf.Class
}

// Targets of the boards.
var (
	RISCV64 = Target{elf.EM_RISCV, elf.ELFCLASS64}
	I386    = Target{elf.EM_386, elf.ELFCLASS32}
)

// Image is a loaded executable.
type Image struct {
	Entry   uint64
	symbols map[string]uint64
}

// Symbol returns the value of the named symbol from the ELF symbol table.
func (im *Image) Symbol(name string) (uint64, bool) {
	v, ok := im.symbols[name]
	return v, ok
}

// LoadFile loads the ELF file at path into b.
func LoadFile(path string, b *bus.Bus, want Target) (*Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	im, err := Load(f, b, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return im, nil
}

// Load loads the ELF read from r into b: every PT_LOAD segment at its
// physical address, with the part beyond the file contents zeroed.
func Load(r io.ReaderAt, b *bus.Bus, want Target) (*Image, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return nil, errors.New("not an ELF file")
		}
		return nil, fmt.Errorf("reading ELF: %w", err)
	}
	defer f.Close()
	if err := check(f, want); err != nil {
		return nil, err
	}
	for i, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		if err := loadSegment(b, p); err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
	}
	return &Image{Entry: f.Entry, symbols: symbols(f)}, nil
}

func check(f *elf.File, want Target) error {
	if f.Class != want.Class {
		return fmt.Errorf("is %v, want %v", f.Class, want.Class)
	}
	if f.Data != elf.ELFDATA2LSB {
		return fmt.Errorf("is %v, want little-endian", f.Data)
	}
	if f.Machine != want.Machine {
		return fmt.Errorf("is for %v, want %v", f.Machine, want.Machine)
	}
	if f.Type != elf.ET_EXEC {
		return fmt.Errorf("is %v, want an executable", f.Type)
	}
	return nil
}

func loadSegment(b *bus.Bus, p *elf.Prog) error {
	if p.Filesz > p.Memsz {
		return fmt.Errorf("file size %#x exceeds memory size %#x", p.Filesz, p.Memsz)
	}
	if p.Memsz > uint64(len(b.RAM)) || !b.IsRAM(p.Paddr, int(p.Memsz)) {
		return fmt.Errorf("[%#x, %#x) is outside RAM [%#x, %#x)",
			p.Paddr, p.Paddr+p.Memsz, b.RAMBase, b.RAMBase+uint64(len(b.RAM)))
	}
	data := make([]byte, p.Memsz)
	if _, err := io.ReadFull(p.Open(), data[:p.Filesz]); err != nil {
		return fmt.Errorf("reading: %w", err)
	}
	return b.WriteRAM(p.Paddr, data)
}

func symbols(f *elf.File) map[string]uint64 {
	m := make(map[string]uint64)
	syms, err := f.Symbols()
	if err != nil {
		return m // no symbol table: lookups simply fail
	}
	for _, s := range syms {
		if s.Name != "" && s.Section != elf.SHN_UNDEF {
			m[s.Name] = s.Value
		}
	}
	return m
}
