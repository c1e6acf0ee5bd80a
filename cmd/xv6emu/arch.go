package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine"
)

// archUsage is --arch's help, the same on every command.
const archUsage = `guest architecture: riscv (MIT xv6-riscv on the virt board) or x86 (classic xv6 on an i386 pc board)`

// diskUsage is --disk's help.
const diskUsage = `x86: boot disk for IDE index 0, booted through its boot sector as a BIOS would (classic xv6's xv6.img); with --kernel it is only attached`

// registerArch adds --arch to fs.
func registerArch(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "arch", string(grade.RISCV), archUsage)
}

// parseArch checks an --arch value (a usage error if bad).
func parseArch(s string) (grade.Arch, error) {
	a, err := grade.ParseArch(s)
	if err != nil {
		return "", withCode(exitUsage, err)
	}
	return a, nil
}

// checkKernelArch refuses, in one line, a kernel ELF built for the other
// architecture, naming the --arch that boots it. what names the file for
// the message ("--kernel k.elf"). Anything else is left to the board,
// whose loader says what is wrong.
func checkKernelArch(what string, arch grade.Arch, data []byte) error {
	name, want, ok := grade.ELFArch(data)
	switch {
	case !ok || want == arch:
		return nil
	case want != "":
		return withCode(exitUsage, fmt.Errorf("%s is %s %s kernel: use --arch %s", what, article(name), name, want))
	case arch == grade.X86 && name == "x86-64":
		return withCode(exitUsage, fmt.Errorf("%s is an x86-64 kernel: the pc board (--arch x86) runs 32-bit i386 kernels", what))
	}
	return nil
}

// article is "a" or "an" before an architecture's name.
func article(name string) string {
	if name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0])) {
		return "an"
	}
	return "a"
}

// embeddedKernel returns the built-in kernel for arch.
func embeddedKernel(arch grade.Arch) ([]byte, error) {
	if arch == grade.X86 {
		return kernel.X86Kernel()
	}
	return kernel.RISCVKernel()
}

// embeddedFS returns the built-in file system image for arch.
func embeddedFS(arch grade.Arch) ([]byte, error) {
	if arch == grade.X86 {
		return kernel.X86FS()
	}
	return kernel.RISCVFS()
}

// defaultMem is --mem when it is not given: what each course's Makefile
// gives QEMU.
func defaultMem(arch grade.Arch) uint64 {
	if arch == grade.X86 {
		return machine.PCDefaultMem
	}
	return machine.DefaultMem
}

// defaultCPUs is --cpus when it is not given.
func defaultCPUs(arch grade.Arch) int {
	if arch == grade.X86 {
		return machine.PCDefaultCPUs
	}
	return machine.DefaultCPUs
}

// newMachine builds the board of arch from cfg. On x86 cfg.Disk is the
// boot disk (IDE master, may be nil) and fs the file system (IDE slave);
// on RISC-V cfg.Disk is the file system already.
func newMachine(arch grade.Arch, cfg machine.Config, fs *disk.Disk) (*machine.Machine, error) {
	if arch != grade.X86 {
		return machine.NewVirt(cfg)
	}
	return machine.NewPC(machine.PCConfig{Config: cfg, Slave: fs})
}
