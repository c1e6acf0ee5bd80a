package qemu

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/kernel"
)

// i386ELF is our embedded x86 kernel, a multiboot i386 ELF.
func i386ELF() []byte {
	k, err := kernel.X86Kernel()
	if err != nil {
		panic(err)
	}
	return k
}

// bootDisk is a disk whose first sector has the boot signature.
func bootDisk() []byte {
	d := make([]byte, 1024)
	d[510], d[511] = 0x55, 0xAA
	return d
}

func TestArgsPCAreClassicXv6s(t *testing.T) {
	b, err := New(Config{Arch: grade.X86, Binary: os.Args[0], Kernel: i386ELF()})
	require.NoError(t, err)
	assert.Equal(t, "-kernel K -m 512 -smp 3,sockets=3 -nographic -no-reboot -net none "+
		"-drive file=F,index=1,media=disk,format=raw", strings.Join(b.Args("K", "F"), " "))
	b, err = New(Config{Arch: grade.X86, Binary: os.Args[0], BootDisk: bootDisk(), CPUs: 2, MemMB: 256})
	require.NoError(t, err)
	assert.Equal(t, "-m 256 -smp 2,sockets=2 -nographic -no-reboot -net none "+
		"-drive file=D,index=0,media=disk,format=raw -drive file=F,index=1,media=disk,format=raw",
		strings.Join(b.ArgsPC("", "D", "F"), " "))
	assert.Equal(t, "qemu-system-i386", BinaryFor(grade.X86))
	assert.Equal(t, "qemu-system-riscv64", BinaryFor(grade.RISCV))
}

func TestNewPCRejectsBadInput(t *testing.T) {
	for name, c := range map[string]struct {
		cfg  Config
		want string
	}{
		"riscv kernel":        {Config{Arch: grade.X86, Kernel: riscvELF()}, "built for RISC-V: use --arch riscv"},
		"i386 kernel":         {Config{Kernel: i386ELF()}, "built for i386: use --arch x86"},
		"boot disk on riscv":  {Config{Kernel: riscvELF(), BootDisk: bootDisk()}, "only x86"},
		"unbootable disk":     {Config{Arch: grade.X86, BootDisk: make([]byte, 1024)}, "0x55AA"},
		"nothing to boot":     {Config{Arch: grade.X86}, "empty"},
		"not multiboot":       {Config{Arch: grade.X86, Kernel: make([]byte, 100)}, "multiboot"},
		"fs of partial block": {Config{Arch: grade.X86, Kernel: i386ELF(), FS: make([]byte, 1000)}, "sectors"},
	} {
		c.cfg.Binary = os.Args[0]
		_, err := New(c.cfg)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
		}
	}
	// Classic xv6's fs.img has no superblock magic: whole sectors will do.
	_, err := New(Config{Arch: grade.X86, Binary: os.Args[0], Kernel: i386ELF(), FS: make([]byte, 4096)})
	assert.NoError(t, err)
}

// A run on x86 hands QEMU the kernel, boot disk and file system as files
// in the places classic xv6's Makefile puts them.
func TestRunPCPassesDisks(t *testing.T) {
	t.Setenv("XV6EMU_FAKE_QEMU", "x86")
	b, err := New(Config{Arch: grade.X86, Binary: os.Args[0], Kernel: i386ELF(), BootDisk: bootDisk(), FS: fsImage(), CPUs: 2})
	require.NoError(t, err)
	o := b.Run(context.Background(), spec(10*time.Second, "args"))
	require.Equal(t, grade.Finished, o.Ending, "%s\n%s", o.Reason, o.Console)
	assert.Regexp(t, regexp.MustCompile(`\$ args\n-kernel \S+/kernel -m 512 -smp 2,sockets=2 -nographic -no-reboot -net none `+
		`-drive file=\S+/xv6\.img,index=0,media=disk,format=raw -drive file=\S+/fs\.img,index=1,media=disk,format=raw\n`), string(o.Console))
}
