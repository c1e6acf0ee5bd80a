package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine"
)

// Exit statuses shared by boot and run.
const (
	exitOK         = 0
	exitGuestFail  = 1 // kernel panic, failing poweroff, or a command's failure
	exitUsage      = 2 // bad flags, missing or unusable files
	exitBudget     = 3 // instruction budget exhausted
	exitTimeout    = 4 // guest-time or wall-clock timeout
	exitIdle       = 5 // every hart waits forever
	exitOutputFull = 6 // console output limit exceeded
)

// machineFlags are the flags every command that boots a virt machine takes.
type machineFlags struct {
	kernel   string
	fs       string
	cpus     int
	mem      string
	seed     uint64
	persist  bool
	legacy   bool
	realtime bool
	maxInsns uint64
}

func (f *machineFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.kernel, "kernel", "", "kernel ELF to boot (default: the embedded xv6 kernel)")
	fs.StringVar(&f.fs, "fs", "", "raw file system image for the virtio disk (default: the embedded fs.img)")
	fs.IntVar(&f.cpus, "cpus", machine.DefaultCPUs, "number of harts (1-8)")
	fs.StringVar(&f.mem, "mem", "128M", "RAM size (e.g. 128M, 1G)")
	fs.Uint64Var(&f.seed, "seed", 0, "interleaving seed: varies the scheduling quantum reproducibly (0 = fixed)")
	fs.BoolVar(&f.persist, "persist", false, "write disk changes back to the --fs image (default: copy-on-write)")
	fs.BoolVar(&f.legacy, "virtio-legacy", false, "present a legacy (version 1) virtio-mmio device, for 2019-2020 xv6")
	fs.BoolVar(&f.realtime, "realtime", false, "pace idle guest time with the wall clock")
	fs.Uint64Var(&f.maxInsns, "max-insns", 0, "stop after this many instructions (0 = no limit)")
}

// config builds the machine configuration. If editFS is not nil, the file
// system image is read into memory and passed through it first. The
// returned disk must be closed (it flushes --persist writes).
func (f *machineFlags) config(editFS func([]byte) ([]byte, error)) (machine.Config, *disk.Disk, error) {
	var cfg machine.Config
	mem, err := parseSize(f.mem)
	if err != nil {
		return cfg, nil, withCode(exitUsage, fmt.Errorf("--mem: %w", err))
	}
	if f.cpus < 1 || f.cpus > machine.MaxCPUs {
		return cfg, nil, withCode(exitUsage, fmt.Errorf("--cpus %d: must be 1 to %d", f.cpus, machine.MaxCPUs))
	}
	var elf []byte
	if f.kernel != "" {
		elf, err = os.ReadFile(f.kernel)
	} else {
		elf, err = kernel.RISCVKernel()
	}
	if err != nil {
		return cfg, nil, withCode(exitUsage, err)
	}
	var d *disk.Disk
	switch {
	case f.persist && f.fs == "":
		err = fmt.Errorf("--persist needs --fs: the embedded image cannot be written back")
	case f.fs != "" && editFS == nil:
		d, err = disk.Open(f.fs, f.persist)
	case f.fs == "" && f.kernel != "":
		// A user's kernel without --fs boots with no disk, as QEMU would.
	default:
		var img []byte
		if f.fs != "" {
			img, err = os.ReadFile(f.fs)
		} else {
			img, err = kernel.RISCVFS()
		}
		if err == nil && editFS != nil {
			img, err = editFS(img)
		}
		if err == nil {
			d, err = disk.FromBytes(img)
		}
	}
	if err != nil {
		return cfg, nil, withCode(exitUsage, err)
	}
	cfg = machine.Config{
		Kernel:       elf,
		Disk:         d,
		CPUs:         f.cpus,
		Mem:          mem,
		Seed:         f.seed,
		LegacyVirtio: f.legacy,
		Realtime:     f.realtime,
		MaxInsns:     f.maxInsns,
	}
	return cfg, d, nil
}

// parseSize parses a byte count with an optional K, M or G suffix
// (binary multiples, as QEMU's -m).
func parseSize(s string) (uint64, error) {
	mult := uint64(1)
	t := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(s, "B"), "b"))
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 128M)", s)
	}
	return n * mult, nil
}

// stopStatus maps how a machine stopped to an exit status and an error
// message (nil for success).
func stopStatus(s machine.Stop) error {
	switch s.Reason {
	case machine.StopCondition, machine.StopPowerOff:
		return nil
	case machine.StopInsnBudget:
		return withCode(exitBudget, fmt.Errorf("%s", s))
	case machine.StopTimeBudget:
		return withCode(exitTimeout, fmt.Errorf("%s", s))
	case machine.StopIdle:
		return withCode(exitIdle, fmt.Errorf("%s", s))
	case machine.StopOutputLimit:
		return withCode(exitOutputFull, fmt.Errorf("%s", s))
	case machine.StopInterrupted:
		if s.Detail == "quit" {
			return nil
		}
		return withCode(exitTimeout, fmt.Errorf("%s", s))
	default:
		return withCode(exitGuestFail, fmt.Errorf("%s", s))
	}
}

// closeDisk closes d, if any, flushing --persist writes. Closing twice is
// harmless, so it can be both deferred and called to check the error.
func closeDisk(d *disk.Disk) error {
	if d == nil {
		return nil
	}
	if err := d.Close(); err != nil && !errors.Is(err, disk.ErrClosed) {
		return err
	}
	return nil
}
