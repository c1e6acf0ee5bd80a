package inproc

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/kernel"
)

func x86Images(t *testing.T) (k, fs, boot []byte) {
	t.Helper()
	k, err := kernel.X86Kernel()
	require.NoError(t, err)
	fs, err = kernel.X86FS()
	require.NoError(t, err)
	boot, err = kernel.X86Disk()
	require.NoError(t, err)
	return k, fs, boot
}

// Both boot paths of the pc board reach the shell and run a command, the
// same way for the same seed.
func TestRunPCBootsEmbeddedX86(t *testing.T) {
	k, fs, boot := x86Images(t)
	for name, cfg := range map[string]Config{
		"multiboot": {Arch: grade.X86, Kernel: k, FS: fs, CPUs: 2},
		"boot disk": {Arch: grade.X86, BootDisk: boot, FS: fs, CPUs: 2},
	} {
		b, err := New(cfg)
		require.NoError(t, err, name)
		s := spec(30*time.Second, "echo hi")
		s.Seed = 3
		o := b.Run(context.Background(), s)
		require.Equal(t, grade.Finished, o.Ending, "%s: %s\n%s", name, o.Reason, o.Console)
		assert.Contains(t, string(o.Console), "init: starting sh\n$ echo hi\nhi\n$ ", name)
		again := b.Run(context.Background(), s)
		assert.Equal(t, string(o.Console), string(again.Console), name)
		assert.Equal(t, o.Guest, again.Guest, name)
	}
}

func TestNewPCRejectsBadInput(t *testing.T) {
	k, fs, boot := x86Images(t)
	rv, err := kernel.RISCVKernel()
	require.NoError(t, err)
	for name, c := range map[string]struct {
		cfg  Config
		want string
	}{
		"riscv kernel on x86": {Config{Arch: grade.X86, Kernel: rv}, "built for RISC-V: use --arch riscv"},
		"x86 kernel on riscv": {Config{Kernel: k}, "built for i386: use --arch x86"},
		"boot disk on riscv":  {Config{Kernel: rv, BootDisk: boot}, "only the x86 pc board"},
		"fs as boot disk":     {Config{Arch: grade.X86, BootDisk: fs}, "0x55AA"},
		"nothing to boot":     {Config{Arch: grade.X86, FS: fs}, "empty"},
	} {
		_, err := New(c.cfg)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
		}
	}
}
