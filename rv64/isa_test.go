package rv64_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/machine/bare"
	"github.com/xv6emu/xv6emu/rv64"
)

// What testdata/fpsig and testdata/intsig print on QEMU.
const (
	fpsigQEMU  = "87913a396e079aeb"
	intsigQEMU = "6c7bcd87a9432d4b"
)

// TestISA runs every instruction test program in testdata/elf (built from
// testdata/src by testdata/Makefile) on the bare board. xfail3 must fail
// test 3, console must print through tohost, and fpsig and intsig must
// print the signatures QEMU prints.
func TestISA(t *testing.T) {
	t.Run("interpreted", func(t *testing.T) {
		t.Setenv("XV6EMU_JIT", "0")
		runISATests(t)
	})
	t.Run("translated", func(t *testing.T) {
		t.Setenv("XV6EMU_JIT", "all") // every block, on its first entry
		translated, all := runISATests(t)
		if rv64.JITSupported {
			// Most of every program, or the translator was not tested.
			assert.Greater(t, translated, all/2, "instructions run translated")
		}
	})
}

// runISATests is TestISA's body, run with and without the translator.
func runISATests(t *testing.T) (translated, all uint64) {
	files, err := filepath.Glob("testdata/elf/*.elf")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no test programs: run make in rv64/testdata")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".elf")
		t.Run(name, func(t *testing.T) {
			var console bytes.Buffer
			b, err := bare.Load(f, &console)
			require.NoError(t, err)
			res, err := b.Run(100_000_000)
			require.NoError(t, err, "console: %s", console.String())
			translated, all = translated+b.Hart.Translated(), all+b.Hart.Instret()
			switch name {
			case "xfail3": // fails on purpose
				assert.False(t, res.Passed)
				assert.Equal(t, uint64(3), res.Test)
			case "console":
				assert.True(t, res.Passed)
				assert.Equal(t, "hello\n", console.String())
			case "intsig":
				// Registers after 3000 blocks of random RV64IM
				// instructions, and the cause and mtval of every
				// illegal one, as printed on QEMU 7.2 (spike board,
				// -cpu rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false).
				assert.True(t, res.Passed)
				assert.Equal(t, intsigQEMU+"\n", console.String())
			case "fpsig":
				// The hash of ~165,000 FP results and their fflags, as
				// printed by the same ELF on qemu-system-riscv64 7.2
				// (-machine spike -bios none), whose FPU is SoftFloat.
				assert.True(t, res.Passed)
				assert.Equal(t, fpsigQEMU+"\n", console.String())
			default:
				assert.True(t, res.Passed, "test %d failed (console: %q)", res.Test, console.String())
			}
		})
	}
	return translated, all
}
