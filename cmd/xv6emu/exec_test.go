package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const isaTests = "../../rv64/testdata/"

// captureRun runs the command line and returns its exit status, stdout and
// stderr.
func captureRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	resetFlags(rootCmd)
	oldOut, oldErr := os.Stdout, os.Stderr
	rOut, wOut, _ := os.Pipe()
	rErr, wErr, _ := os.Pipe()
	os.Stdout, os.Stderr = wOut, wErr
	outc, errc := make(chan string), make(chan string)
	go func() { b, _ := io.ReadAll(rOut); outc <- string(b) }()
	go func() { b, _ := io.ReadAll(rErr); errc <- string(b) }()
	code := run(args)
	wOut.Close()
	wErr.Close()
	os.Stdout, os.Stderr = oldOut, oldErr
	return code, <-outc, <-errc
}

// resetFlags puts every flag back to its default: cobra keeps the values
// of one execution for the next, and a test runs many.
func resetFlags(c *cobra.Command) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if s, ok := f.Value.(pflag.SliceValue); ok {
			_ = s.Replace(nil) // Set would append the default's text
		} else {
			_ = f.Value.Set(f.DefValue)
		}
		f.Changed = false
	})
	for _, sub := range c.Commands() {
		resetFlags(sub)
	}
}

func TestExecExitStatus(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"pass", []string{"exec", isaTests + "elf/alu.elf"}, 0, "", ""},
		{"fail", []string{"exec", isaTests + "elf/xfail3.elf"}, 1, "FAIL: test 3\n", "test 3 failed"},
		{"console", []string{"exec", isaTests + "elf/console.elf"}, 0, "hello\n", ""},
		{"limit", []string{"exec", "--max-insns", "100", isaTests + "elf/alu.elf"}, 3, "", "no result after 100 instructions"},
		{"missing", []string{"exec", isaTests + "nope.elf"}, 2, "", "no such file"},
		{"not ELF", []string{"exec", "main.go"}, 2, "", "not an ELF file"},
		{"32-bit", []string{"exec", isaTests + "bad/rv32.elf"}, 2, "", "ELFCLASS32"},
		{"x86", []string{"exec", isaTests + "bad/x86.elf"}, 2, "", "EM_X86_64"},
		{"no tohost", []string{"exec", isaTests + "bad/notohost.elf"}, 2, "", "no tohost symbol"},
		{"no file", []string{"exec"}, 2, "", "accepts 1 arg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := captureRun(t, c.args...)
			assert.Equal(t, c.code, code)
			assert.Equal(t, c.stdout, stdout)
			if c.stderr == "" {
				assert.Empty(t, stderr)
			} else {
				assert.Contains(t, stderr, c.stderr)
				assert.Equal(t, 1, strings.Count(strings.TrimSuffix(stderr, "\n"), "\n")+1-
					strings.Count(stderr, "Run '"), "one-line error")
			}
		})
	}
}

// patchedAlu copies alu.elf with words written over its entry point.
func patchedAlu(t *testing.T, words ...uint32) string {
	t.Helper()
	data, err := os.ReadFile(isaTests + "elf/alu.elf")
	require.NoError(t, err)
	f, err := elf.NewFile(bytes.NewReader(data))
	require.NoError(t, err)
	var off uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && f.Entry >= p.Vaddr && f.Entry < p.Vaddr+p.Filesz {
			off = p.Off + f.Entry - p.Vaddr
		}
	}
	require.NotZero(t, off)
	for i, w := range words {
		binary.LittleEndian.PutUint32(data[off+uint64(4*i):], w)
	}
	path := filepath.Join(t.TempDir(), "patched.elf")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// A program stuck in a trap storm, or one that runs without end, gets a
// verdict instead of running for ever.
func TestExecEndsHostilePrograms(t *testing.T) {
	storm := patchedAlu(t, 0x30501073, 0x00000067) // csrw mtvec, zero; jr zero
	code, _, stderr := captureRun(t, "exec", storm)
	assert.Equal(t, 8, code, stderr)
	assert.Contains(t, stderr, "trap storm: ")

	counter := patchedAlu(t, 0x00100317, 0x00032283, 0x00128293, 0x00532023, 0xff5ff06f) // count in memory for ever
	start := time.Now()
	code, _, stderr = captureRun(t, "exec", "--wall-timeout", "100ms", counter)
	assert.Equal(t, 7, code, stderr)
	assert.Contains(t, stderr, "wall-clock limit exceeded: no result after 0.")
	assert.Less(t, time.Since(start), 5*time.Second)

	code, _, stderr = captureRun(t, "exec", "/dev/zero")
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "/dev/zero: not a regular file")

	code, _, stderr = captureRun(t, "exec", "--wall-timeout", "0", counter)
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "must be positive")
}

func TestExecTrace(t *testing.T) {
	code, stdout, _ := captureRun(t, "exec", "--trace", isaTests+"elf/alu.elf")
	require.Equal(t, 0, code)
	lines := strings.Split(stdout, "\n")
	require.Greater(t, len(lines), 100)
	assert.Equal(t, "0000000080000000: auipc x5,0x0                     x5=0x80000000", lines[0])
	assert.Contains(t, lines[2], "csrw mtvec,x5")
}
