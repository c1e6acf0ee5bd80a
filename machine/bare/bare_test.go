package bare

import (
	"bytes"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testdata = "../../rv64/testdata/"

func TestPass(t *testing.T) {
	b, err := Load(testdata+"elf/alu.elf", nil)
	require.NoError(t, err)
	res, err := b.Run(0)
	require.NoError(t, err)
	assert.True(t, res.Passed)
	assert.NotZero(t, res.Executed)
}

func TestFailReportsTestNumber(t *testing.T) {
	b, err := Load(testdata+"elf/xfail3.elf", nil)
	require.NoError(t, err)
	res, err := b.Run(0)
	require.NoError(t, err)
	assert.False(t, res.Passed)
	assert.Equal(t, uint64(3), res.Test)
}

func TestConsole(t *testing.T) {
	var out bytes.Buffer
	b, err := Load(testdata+"elf/console.elf", &out)
	require.NoError(t, err)
	res, err := b.Run(1_000_000)
	require.NoError(t, err)
	assert.True(t, res.Passed)
	assert.Equal(t, "hello\n", out.String())
}

func TestInstructionLimit(t *testing.T) {
	b, err := Load(testdata+"elf/alu.elf", nil)
	require.NoError(t, err)
	_, err = b.Run(50)
	assert.ErrorIs(t, err, ErrLimit)
	assert.LessOrEqual(t, b.Hart.Instret(), uint64(50))
}

// A program stuck in `j .` before reporting ends the run with an error,
// whatever the instruction limit.
func TestEndlessSpinIsAnError(t *testing.T) {
	b, err := Load(testdata+"elf/alu.elf", nil)
	require.NoError(t, err)
	jumpToSelf := []byte{0x6f, 0, 0, 0}
	require.NoError(t, b.Bus.WriteRAM(b.Hart.PC(), jumpToSelf))
	_, err = b.Run(0)
	assert.ErrorContains(t, err, "spins")
}

func TestDeterministic(t *testing.T) {
	run := func() uint64 {
		b, err := Load(testdata+"elf/vm.elf", nil)
		require.NoError(t, err)
		res, err := b.Run(0)
		require.NoError(t, err)
		require.True(t, res.Passed)
		return res.Executed
	}
	assert.Equal(t, run(), run())
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(testdata+"bad/notohost.elf", nil)
	assert.ErrorContains(t, err, "no tohost symbol")
	_, err = Load(testdata+"bad/rv32.elf", nil)
	assert.ErrorContains(t, err, "ELFCLASS32")
	_, err = Load(testdata+"bad/x86.elf", nil)
	assert.ErrorContains(t, err, "EM_X86_64")
	_, err = Load(testdata+"missing.elf", nil)
	assert.Error(t, err)
}

func words(ws ...uint32) []byte {
	var b []byte
	for _, w := range ws {
		b = append(b, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
	}
	return b
}

// A program whose trap vector faults too (mtvec = 0, then a jump to 0)
// ends at once with a trap-storm error, not after the instruction limit
// (or never, without one).
func TestTrapStormIsAnError(t *testing.T) {
	b, err := Load(testdata+"elf/alu.elf", nil)
	require.NoError(t, err)
	const csrwMtvecZero, jumpToZero = 0x30501073, 0x00000067
	require.NoError(t, b.Bus.WriteRAM(b.Hart.PC(), words(csrwMtvecZero, jumpToZero)))
	_, err = b.Run(0)
	assert.ErrorIs(t, err, ErrTrapStorm)
	assert.ErrorContains(t, err, "mcause 1, mepc 0x0")
	assert.Less(t, b.Hart.Instret(), uint64(100_000))
}

// A program that runs for ever without spinning (it counts in memory)
// ends at the wall-clock limit.
func TestWallLimit(t *testing.T) {
	b, err := Load(testdata+"elf/alu.elf", nil)
	require.NoError(t, err)
	const (
		auipcT1   = 0x00100317 // t1 = pc + 1 MiB, far from tohost
		lwT0      = 0x00032283 // lw t0, 0(t1)
		addiT0    = 0x00128293 // addi t0, t0, 1
		swT0      = 0x00532023 // sw t0, 0(t1)
		jumpBack3 = 0xff5ff06f // j -12
	)
	require.NoError(t, b.Bus.WriteRAM(b.Hart.PC(), words(auipcT1, lwT0, addiT0, swT0, jumpBack3)))
	b.WallLimit = 20 * time.Millisecond
	start := time.Now()
	_, err = b.Run(0)
	assert.ErrorIs(t, err, ErrWallLimit)
	assert.ErrorContains(t, err, "no result after 0.")
	assert.Less(t, time.Since(start), 2*time.Second)
}

// Files that are not regular are refused before they are opened: /dev/zero
// would be read for ever, a FIFO would block the open.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	_, err := Load("/dev/zero", nil)
	assert.ErrorContains(t, err, "/dev/zero: not a regular file")
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err = Load(fifo, nil)
	assert.ErrorContains(t, err, "not a regular file")
}
