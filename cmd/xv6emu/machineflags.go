package main

import (
	"errors"
	"fmt"
	"github.com/xv6emu/xv6emu/virtio"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine"
)

// Exit statuses shared by boot, run and exec.
const (
	exitOK         = 0
	exitGuestFail  = 1 // kernel panic, failing poweroff, power-off before the commands ran
	exitUsage      = 2 // bad flags, missing or unusable files
	exitBudget     = 3 // instruction budget exhausted
	exitTimeout    = 4 // guest-time timeout
	exitIdle       = 5 // every hart waits forever
	exitOutputFull = 6 // console output limit exceeded
	exitWall       = 7 // wall-clock limit: the host could not reach the guest deadline
	exitTrapStorm  = 8 // a hart traps over and over without retiring an instruction
)

// exitStatusHelp documents the statuses above for --help.
const exitStatusHelp = `Exit status:
  0  success
  1  kernel panic, the guest powered off with a failure code, it powered
     off before the prompt came back after the last command, or a signal
     (Ctrl-C, SIGTERM) interrupted the run
  2  bad usage or input (flags, unreadable or oversized files)
  3  instruction budget exhausted (--max-insns)
  4  guest-time timeout (--timeout)
  5  no progress: every hart waits and nothing can wake one
  6  console output limit exceeded (the guest floods the console)
  7  wall-clock limit (--wall-timeout): the guest was still running when
     the host ran out of real time; the message says how far it got
  8  trap storm: a hart takes the same exception over and over without
     retiring an instruction (e.g. a jump to an address with no memory)`

// Input size limits: checked before a file is read, so a device or a
// huge file is refused with a one-line error instead of filling memory.
const (
	maxKernelFile = 256 << 20 // an ELF must fit in RAM; QEMU's largest virt RAM here is 2 GiB, kernels are a few MiB
	maxFSFile     = 2 << 30   // a file-system image is held in memory (copy-on-write)
	maxAddFile    = 64 << 20  // far more than an xv6 file can hold
)

// readInput reads the file at path for flag, after checking that it is a
// regular file of at most limit bytes. Opening a FIFO would block and
// /dev/zero never ends, so they are refused before they are opened.
func readInput(flag, path string, limit int64) ([]byte, error) {
	if err := checkInput(flag, path, limit); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	defer f.Close()
	// The file may have grown since it was checked.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s %s: larger than the %s limit", flag, path, sizeText(limit))
	}
	return data, nil
}

// checkInput is readInput's check alone, for a file opened elsewhere.
func checkInput(flag, path string, limit int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s %s: not a regular file (%s)", flag, path, fileKind(st.Mode()))
	}
	if st.Size() > limit {
		return fmt.Errorf("%s %s: %s is larger than the %s limit", flag, path, sizeText(st.Size()), sizeText(limit))
	}
	return nil
}

// fileKind names what a path that is not a regular file is.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file"
}

// sizeText renders a byte count for messages.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// machineFlags are the flags every command that boots a machine takes.
type machineFlags struct {
	arch     string
	kernel   string
	fs       string
	disk     string // x86 boot disk
	cpus     int
	mem      string
	seed     uint64
	persist  bool
	legacy   bool
	flags    *pflag.FlagSet // to tell a flag given from its default
	realtime bool
	maxInsns uint64
	// Bounds: guest time and wall-clock time (see bounds).
	timeout, wallTimeout time.Duration
}

func (f *machineFlags) register(fs *pflag.FlagSet) {
	f.flags = fs
	registerArch(fs, &f.arch)
	fs.StringVar(&f.kernel, "kernel", "", "kernel ELF to boot (default: the embedded xv6 kernel for --arch)")
	fs.StringVar(&f.fs, "fs", "", "raw file system image for the virtio disk, on x86 IDE index 1 (default: the embedded fs.img)")
	fs.StringVar(&f.disk, "disk", "", diskUsage)
	fs.IntVar(&f.cpus, "cpus", 0, fmt.Sprintf("number of harts (1-%d; default %d, %d with --arch x86)", machine.MaxCPUs, machine.DefaultCPUs, machine.PCDefaultCPUs))
	fs.StringVar(&f.mem, "mem", "", "RAM size, e.g. 128M, 1G (default 128M, 512M with --arch x86)")
	fs.Uint64Var(&f.seed, "seed", 0, "interleaving seed: varies the scheduling quantum reproducibly (0 = fixed)")
	fs.BoolVar(&f.persist, "persist", false, "write disk changes back to the --fs image (default: copy-on-write)")
	fs.BoolVar(&f.legacy, "virtio-legacy", false, legacyUsage)
	fs.BoolVar(&f.realtime, "realtime", false, "pace idle guest time with the wall clock")
	fs.Uint64Var(&f.maxInsns, "max-insns", 0, "stop after this many instructions (0 = no limit)")
	fs.DurationVar(&f.timeout, "timeout", defaultTimeout, "give up after this much guest time (must be positive)")
	fs.DurationVar(&f.wallTimeout, "wall-timeout", 0, "give up after this much real time (must be positive; default: as long as --timeout, at least 10s)")
}

// defaultTimeout bounds a run in guest time: the course's 300 s for its
// longest test (usertests).
const defaultTimeout = 5 * time.Minute

// minDefaultWall is the least wall-clock limit a run gets by default:
// booting alone takes a moment of real time, so a short --timeout in guest
// time must not make every run a wall-clock verdict.
const minDefaultWall = 10 * time.Second

// bounds returns the guest-time (ticks) and wall-clock limits. Neither
// can be turned off: 0 or less is a usage error, not "no limit". The
// wall-clock limit defaults to the guest-time one, so a guest the host
// cannot run at full speed (or a crawling, storming guest) still gets its
// verdict when a user running it on QEMU would have given up (but never
// less than minDefaultWall). With
// interactive a person is at the console, so only bounds given explicitly
// apply.
func (f *machineFlags) bounds(fs *pflag.FlagSet, interactive bool) (ticks uint64, wall time.Duration, err error) {
	for _, name := range []string{"timeout", "wall-timeout"} {
		if fl := fs.Lookup(name); fl != nil && fl.Changed {
			if d, _ := time.ParseDuration(fl.Value.String()); d <= 0 {
				return 0, 0, withCode(exitUsage, fmt.Errorf("--%s %s: must be positive (every run is bounded; give a long one, e.g. 24h, for a long run)", name, fl.Value))
			}
		}
	}
	timeoutSet, wallSet := fs.Changed("timeout"), fs.Changed("wall-timeout")
	if !interactive || timeoutSet {
		ticks = uint64(f.timeout.Seconds() * machine.Timebase)
	}
	switch {
	case wallSet:
		wall = f.wallTimeout
	case !interactive || timeoutSet:
		wall = max(f.timeout, minDefaultWall)
	}
	return ticks, wall, nil
}

// config builds the machine configuration for newMachine. If editFS is not
// nil, the file system image is read into memory and passed through it
// first. The returned disk is the file system (on x86 not in cfg: the IDE
// slave); it must be closed (it flushes --persist writes).
func (f *machineFlags) config(editFS func([]byte) ([]byte, error)) (machine.Config, *disk.Disk, error) {
	var cfg machine.Config
	arch, err := parseArch(f.arch)
	if err != nil {
		return cfg, nil, err
	}
	mem := defaultMem(arch)
	if f.mem != "" {
		if mem, err = parseSize(f.mem); err != nil {
			return cfg, nil, withCode(exitUsage, fmt.Errorf("--mem: %w", err))
		}
	}
	if f.cpus == 0 {
		f.cpus = defaultCPUs(arch)
	}
	if f.cpus < 1 || f.cpus > machine.MaxCPUs {
		return cfg, nil, withCode(exitUsage, fmt.Errorf("--cpus %d: must be 1 to %d", f.cpus, machine.MaxCPUs))
	}
	var boot *disk.Disk
	if f.disk != "" {
		if arch != grade.X86 {
			return cfg, nil, withCode(exitUsage, fmt.Errorf("--disk is a PC boot disk: use it with --arch x86 (the RISC-V virt machine boots --kernel)"))
		}
		img, err := readInput("--disk", f.disk, maxFSFile)
		if err == nil {
			err = grade.CheckBootDisk(img)
		}
		if err == nil {
			// Copy-on-write: the boot disk is never written back.
			boot, err = disk.FromBytes(img)
		}
		if err != nil {
			return cfg, nil, withCode(exitUsage, fmt.Errorf("--disk %s: %w", f.disk, err))
		}
	}
	var elf []byte
	switch {
	case f.kernel != "":
		if elf, err = readInput("--kernel", f.kernel, maxKernelFile); err == nil {
			err = checkKernelArch("--kernel "+f.kernel, arch, elf)
		}
	case boot == nil:
		elf, err = embeddedKernel(arch)
	}
	if err != nil {
		return cfg, nil, withCode(exitUsage, err)
	}
	// What the user boots is theirs alone: their kernel or boot disk
	// without --fs boots with no file system, as QEMU would.
	own := f.kernel != "" || f.disk != ""
	var d *disk.Disk
	switch {
	case f.persist && f.fs == "":
		err = fmt.Errorf("--persist needs --fs: the embedded image cannot be written back")
	case f.fs != "" && editFS == nil:
		if err = checkInput("--fs", f.fs, maxFSFile); err == nil {
			d, err = disk.Open(f.fs, f.persist)
		}
	case f.fs == "" && own:
	default:
		var img []byte
		if f.fs != "" {
			img, err = readInput("--fs", f.fs, maxFSFile)
		} else {
			img, err = embeddedFS(arch)
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
		LegacyVirtio: legacyVirtio(f.flags, f.legacy, elf),
		Realtime:     f.realtime,
		MaxInsns:     f.maxInsns,
	}
	if arch == grade.X86 {
		if f.legacy {
			cfg.LegacyVirtio = false
			return cfg, nil, withCode(exitUsage, fmt.Errorf("--virtio-legacy is for --arch riscv: the pc board's disks are IDE"))
		}
		// The pc's IDE master is the boot disk; d, the file system,
		// goes to newMachine as the slave.
		cfg.Disk = boot
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
	case machine.StopWallClock:
		return withCode(exitWall, fmt.Errorf("%s", s))
	case machine.StopTrapStorm:
		return withCode(exitTrapStorm, fmt.Errorf("%s", s))
	case machine.StopInterrupted:
		if s.Detail == "quit" {
			return nil
		}
		return withCode(exitGuestFail, fmt.Errorf("%s", s))
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

// legacyUsage documents --virtio-legacy wherever a kernel is given.
const legacyUsage = "legacy (version 1) virtio-mmio, as MIT xv6-riscv before 2022 needs (default: guessed from the kernel's driver)"

// legacyVirtio is the virtio-mmio layout for kernel: --virtio-legacy when
// the flag was given, else the guess from its driver. (The QEMU shim does
// not guess: there QEMU's own default and flags decide.)
func legacyVirtio(flags *pflag.FlagSet, legacy bool, kernel []byte) bool {
	if flags != nil && flags.Changed("virtio-legacy") {
		return legacy
	}
	return virtio.KernelWantsLegacy(kernel)
}
