package elfload

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

const testdata = "../../rv64/testdata/"

func TestLoadRISCV(t *testing.T) {
	b := bus.New(0x80000000, 1<<20)
	im, err := LoadFile(testdata+"elf/alu.elf", b, RISCV64)
	require.NoError(t, err)
	assert.Equal(t, uint64(0x80000000), im.Entry)
	tohost, ok := im.Symbol("tohost")
	assert.True(t, ok)
	assert.Equal(t, uint64(0x80001000), tohost, "tohost sits on its own page after the code")
	_, ok = im.Symbol("no_such_symbol")
	assert.False(t, ok)
	// The first instruction (auipc t0, 0) is at the entry point.
	assert.Equal(t, uint32(0x00000297), binary.LittleEndian.Uint32(b.RAM))
}

func TestLoadZeroesBSS(t *testing.T) {
	b := bus.New(0x80000000, 1<<20)
	for i := range b.RAM {
		b.RAM[i] = 0xAA
	}
	// bench.elf: .tohost at 0x80001000 then .bss from 0x80002000, in one
	// segment whose memory size exceeds its file size.
	_, err := LoadFile("../../rv64/cpubench/bench.elf", b, RISCV64)
	require.NoError(t, err)
	assert.Equal(t, make([]byte, 0x1000), b.RAM[0x2000:0x3000], "bss is zeroed")
	assert.Equal(t, byte(0xAA), b.RAM[0xF0000], "memory beyond the image is untouched")
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name, file string
		target     Target
		want       string
	}{
		{"not ELF", "../../go.mod", RISCV64, "not an ELF file"},
		{"32-bit", testdata + "bad/rv32.elf", RISCV64, "is ELFCLASS32, want ELFCLASS64"},
		{"x86-64", testdata + "bad/x86.elf", RISCV64, "is for EM_X86_64, want EM_RISCV"},
		{"riscv on i386", testdata + "bad/rv32.elf", I386, "is for EM_RISCV, want EM_386"},
		{"missing", testdata + "nonexistent.elf", RISCV64, "no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFile(c.file, bus.New(0x80000000, 1<<20), c.target)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestLoadOutsideRAM(t *testing.T) {
	// RAM elsewhere than where the program is linked.
	_, err := LoadFile(testdata+"elf/alu.elf", bus.New(0x40000000, 1<<20), RISCV64)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside RAM")
	// RAM too small for the segments.
	_, err = LoadFile(testdata+"elf/vm.elf", bus.New(0x80000000, 8192), RISCV64)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside RAM")
}

func TestLoadTruncated(t *testing.T) {
	data, err := os.ReadFile(testdata + "elf/alu.elf")
	require.NoError(t, err)
	_, err = Load(bytes.NewReader(data[:100]), bus.New(0x80000000, 1<<20), RISCV64)
	require.Error(t, err)
}

// Executable's output is what Load and debug/elf expect.
func TestExecutableLoads(t *testing.T) {
	image := []byte{0x6f, 0, 0, 0, 1, 2, 3}
	b := bus.New(0x80000000, 1<<20)
	im, err := Load(bytes.NewReader(Executable(elf.EM_RISCV, elf.ET_EXEC, 0x80000100, image)), b, RISCV64)
	require.NoError(t, err)
	assert.Equal(t, uint64(0x80000100), im.Entry)
	assert.Equal(t, image, b.RAM[0x100:0x100+len(image)])

	f, err := elf.NewFile(bytes.NewReader(Executable(elf.EM_X86_64, elf.ET_REL, 0x1000, nil)))
	require.NoError(t, err)
	assert.Equal(t, elf.EM_X86_64, f.Machine)
	assert.Equal(t, elf.ET_REL, f.Type)
	assert.Empty(t, f.Progs)
}
