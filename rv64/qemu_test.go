package rv64_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQEMUSecondOpinion runs the instruction tests and the signature
// programs on qemu-system-riscv64 (the "spike" board, whose HTIF tohost
// ends the run), when QEMU is installed. It checks that what the tests
// expect is what an independent implementation does, and that the
// signatures TestISA compares against are QEMU's. The tests are the
// -DQEMU builds in testdata/elf-qemu, which skip the behaviours QEMU 7.2
// implements differently (IMPL in testdata/src/test.h).
func TestQEMUSecondOpinion(t *testing.T) {
	qemu, err := exec.LookPath("qemu-system-riscv64")
	if err != nil {
		t.Skip("qemu-system-riscv64 not installed")
	}
	run := func(t *testing.T, elf, cpu string) (string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, qemu, "-machine", "spike", "-cpu", cpu, "-m", "64M",
			"-bios", "none", "-nographic", "-kernel", elf)
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		require.NoError(t, ctx.Err(), "QEMU timed out")
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return out.String(), code
	}
	files, err := filepath.Glob("testdata/elf-qemu/*.elf")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".elf"), func(t *testing.T) {
			_, code := run(t, f, "rv64,h=false")
			assert.Zero(t, code, "QEMU fails test %d", code)
		})
	}
	t.Run("fpsig", func(t *testing.T) {
		out, code := run(t, "testdata/elf/fpsig.elf", "rv64,h=false")
		assert.Zero(t, code)
		assert.Equal(t, fpsigQEMU+"\n", out)
	})
	t.Run("intsig", func(t *testing.T) {
		out, code := run(t, "testdata/elf/intsig.elf", "rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false")
		assert.Zero(t, code)
		assert.Equal(t, intsigQEMU+"\n", out)
	})
}
