// Package qemu is a grading backend that plays sessions on real
// qemu-system-riscv64, started with the flags of MIT's xv6 Makefile (or
// qemu-system-i386 with classic xv6's flags, for Arch x86), so a lab can
// be graded on the reference machine with the same tests, scripting and
// report as on the in-process emulator.
//
// Each run gets its own copy of the file system image in a temporary
// directory (the user's image is never touched), drives the console through
// QEMU's stdin and stdout, and ends by killing QEMU's whole process group.
// Timeouts are wall-clock time; QEMU has no interleaving seed, so the
// run's seed is ignored.
package qemu

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine"
	"github.com/xv6emu/xv6emu/script"
)

// DefaultBinary is the QEMU the backend runs unless told otherwise;
// DefaultX86Binary is the one for Arch x86.
const (
	DefaultBinary    = "qemu-system-riscv64"
	DefaultX86Binary = "qemu-system-i386"
)

// BinaryFor returns the default QEMU for arch.
func BinaryFor(arch grade.Arch) string {
	if arch == grade.X86 {
		return DefaultX86Binary
	}
	return DefaultBinary
}

// DefaultOutputLimit stops a run whose console grows past it.
const DefaultOutputLimit = 4 << 20

// Config describes the machine QEMU boots.
type Config struct {
	Arch        grade.Arch // "" means grade.RISCV
	Binary      string     // QEMU executable; "" means BinaryFor(Arch) from PATH
	Kernel      []byte     // kernel ELF (on x86 multiboot, given with -kernel; nil with BootDisk)
	FS          []byte     // xv6 file system image (on x86 IDE index 1); nil boots with no disk
	BootDisk    []byte     // x86 only: a boot-sector disk (classic xv6.img), IDE index 0
	CPUs        int        // harts; 0 means 3, as MIT's Makefile
	MemMB       int        // RAM in MiB; 0 means 128 (512 on x86, as classic xv6's Makefile)
	OutputLimit int        // console bytes before a run is stopped; 0 means DefaultOutputLimit
	// LegacyVirtio keeps QEMU's legacy (version 1) virtio-mmio, which
	// 2019-2020 xv6 kernels drive, by leaving out force-legacy=false.
	LegacyVirtio bool
}

// Backend runs sessions on QEMU. It is safe for concurrent use.
type Backend struct {
	cfg  Config
	path string
}

// New checks the kernel and image and finds QEMU.
func New(cfg Config) (*Backend, error) {
	if cfg.Arch == "" {
		cfg.Arch = grade.RISCV
	}
	if cfg.Binary == "" {
		cfg.Binary = BinaryFor(cfg.Arch)
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = 3
	}
	if cfg.MemMB == 0 {
		cfg.MemMB = 128
		if cfg.Arch == grade.X86 {
			cfg.MemMB = 512
		}
	}
	if cfg.OutputLimit == 0 {
		cfg.OutputLimit = DefaultOutputLimit
	}
	if cfg.BootDisk != nil {
		if cfg.Arch != grade.X86 {
			return nil, fmt.Errorf("boot disk: only x86 boots from a disk")
		}
		if err := grade.CheckBootDisk(cfg.BootDisk); err != nil {
			return nil, err
		}
	}
	if cfg.Kernel != nil || cfg.BootDisk == nil {
		if err := grade.CheckKernelFor(cfg.Arch, cfg.Kernel); err != nil {
			return nil, err
		}
	}
	if cfg.FS != nil {
		if err := grade.CheckFSFor(cfg.Arch, cfg.FS); err != nil {
			return nil, err
		}
	}
	path, err := exec.LookPath(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("qemu: %s not found (install QEMU, e.g. Debian's qemu-system-misc): %w", cfg.Binary, err)
	}
	return &Backend{cfg: cfg, path: path}, nil
}

// Name implements grade.Backend.
func (b *Backend) Name() string { return "qemu" }

// Args returns QEMU's command line for a kernel and image at the given
// paths: MIT's QEMUOPTS (on x86, ArgsPC's with no boot disk).
func (b *Backend) Args(kernel, fsImg string) []string {
	if b.cfg.Arch == grade.X86 {
		return b.ArgsPC(kernel, "", fsImg)
	}
	args := []string{
		"-machine", "virt", "-bios", "none", "-kernel", kernel,
		"-m", strconv.Itoa(b.cfg.MemMB) + "M", "-smp", strconv.Itoa(b.cfg.CPUs),
		"-nographic",
	}
	if !b.cfg.LegacyVirtio {
		args = append(args, "-global", "virtio-mmio.force-legacy=false")
	}
	if fsImg != "" {
		args = append(args,
			"-drive", "file="+fsImg+",if=none,format=raw,id=x0",
			"-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0")
	}
	return args
}

// ArgsPC returns qemu-system-i386's command line as classic xv6's
// Makefile and our kernel's "make qemu-x86" build it: a multiboot kernel
// given with -kernel or a boot disk as IDE index 0 (either may be ""),
// and the file system as IDE index 1.
func (b *Backend) ArgsPC(kernel, bootDisk, fsImg string) []string {
	n := strconv.Itoa(b.cfg.CPUs)
	var args []string
	if kernel != "" {
		args = append(args, "-kernel", kernel)
	}
	args = append(args, "-m", strconv.Itoa(b.cfg.MemMB), "-smp", n+",sockets="+n,
		"-nographic", "-no-reboot", "-net", "none")
	if bootDisk != "" {
		args = append(args, "-drive", "file="+bootDisk+",index=0,media=disk,format=raw")
	}
	if fsImg != "" {
		args = append(args, "-drive", "file="+fsImg+",index=1,media=disk,format=raw")
	}
	return args
}

// Run implements grade.Backend.
func (b *Backend) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	start := time.Now()
	o := b.run(ctx, spec)
	o.Wall = time.Since(start)
	return o
}

func (b *Backend) run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	dir, err := os.MkdirTemp("", "xv6emu-qemu-")
	if err != nil {
		return failed(err)
	}
	defer os.RemoveAll(dir)
	kernel, fsImg, bootDisk := "", "", ""
	if b.cfg.Kernel != nil {
		kernel = filepath.Join(dir, "kernel")
		if err := os.WriteFile(kernel, b.cfg.Kernel, 0o644); err != nil {
			return failed(err)
		}
	}
	if b.cfg.BootDisk != nil {
		bootDisk = filepath.Join(dir, "xv6.img")
		if err := os.WriteFile(bootDisk, b.cfg.BootDisk, 0o644); err != nil {
			return failed(err)
		}
	}
	if b.cfg.FS != nil {
		fsImg = filepath.Join(dir, "fs.img")
		if err := os.WriteFile(fsImg, b.cfg.FS, 0o644); err != nil {
			return failed(err)
		}
	}

	args := b.Args(kernel, fsImg)
	if b.cfg.Arch == grade.X86 {
		args = b.ArgsPC(kernel, bootDisk, fsImg)
	}
	p, err := start(b.path, args)
	if err != nil {
		return failed(err)
	}
	defer p.stop()
	return b.drive(ctx, p, spec)
}

// drive plays the session until it ends one way or another.
func (b *Backend) drive(ctx context.Context, p *process, spec grade.RunSpec) grade.Outcome {
	sess := script.New(spec.Commands, spec.Prompt)
	timer := time.NewTimer(spec.Timeout)
	defer timer.Stop()
	var console []byte
	var panics panicWatch
	for {
		select {
		case chunk, open := <-p.output:
			if !open {
				return grade.Outcome{Console: console, Ending: grade.Exited, Reason: p.exitReason()}
			}
			console = append(console, chunk...)
			in, done := sess.Step(console)
			switch {
			case done:
				return grade.Outcome{Console: console, Ending: grade.Finished}
			case in != "":
				// A failed write means QEMU is gone; the closed output
				// channel reports it.
				_, _ = p.stdin.Write([]byte(in))
			}
			if line, ok := panics.scan(console); ok {
				return grade.Outcome{Console: console, Ending: grade.Panicked,
					Reason: fmt.Sprintf("kernel panic: %q", line)}
			}
			if len(console) > b.cfg.OutputLimit {
				return grade.Outcome{Console: console, Ending: grade.Flooded,
					Reason: fmt.Sprintf("the guest printed more than %d bytes", b.cfg.OutputLimit)}
			}
		case <-timer.C:
			return grade.Outcome{Console: console, Ending: grade.TimedOut,
				Reason: fmt.Sprintf("timeout (%v): still waiting for %s", spec.Timeout, sess.Waiting())}
		case <-ctx.Done():
			return grade.Outcome{Console: console, Ending: grade.Aborted, Reason: "cancelled"}
		}
	}
}

func failed(err error) grade.Outcome {
	return grade.Outcome{Ending: grade.Failed, Reason: "qemu: " + err.Error()}
}

// panicWatch finds the first complete console line that is a kernel
// panic's, as the in-process machine does, scanning each byte once.
type panicWatch struct {
	lineStart int
	scanned   int
}

func (w *panicWatch) scan(console []byte) (string, bool) {
	for ; w.scanned < len(console); w.scanned++ {
		if console[w.scanned] != '\n' {
			continue
		}
		line := bytes.TrimRight(console[w.lineStart:w.scanned], "\r")
		line = bytes.TrimPrefix(line, []byte("\r"))
		w.lineStart = w.scanned + 1
		if machine.IsPanicLine(line) {
			w.scanned++
			return string(line), true
		}
	}
	return "", false
}

// oneLine squeezes QEMU's stderr into a line for a reason.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	return s
}
