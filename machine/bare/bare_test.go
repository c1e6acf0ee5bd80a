package bare

import (
	"bytes"
	"testing"

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
