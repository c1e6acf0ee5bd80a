package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/compare"
	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/kernel"
)

// compareFlags are xv6emu compare's options.
type compareFlags struct {
	seed       uint64
	repeat     int
	cpus       int
	jobs       int
	format     string
	html       string
	wallFactor float64
	images     [2][2]string // per arch: kernel, fs
}

func init() {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare LAB [TEST...]",
		Short: "Run a lab on RISC-V and x86 side by side and show what differs",
		Long: `Run every case of a lab on the RISC-V virt board and the i386 pc board at
once, in-process, and print three tables: per case the verdict on each
architecture, the guest instructions and guest time each took and whether
the verdicts or the output lines the grader matched differ (with both
console excerpts when they do); then, per case and architecture, what the
emulator counted (system calls, page faults, page-table root writes, the
atomic instructions the kernel and the thread library used, lock
hand-overs between processors, guest time skipped while processors
waited or spun); then how threads start on each
(trapframe address, entry pc and sp, fake return PC and arguments, from
each processor's first user entry per trapframe). Only the lab's test names given
as arguments run (as with 'xv6emu grade').

The embedded kernels run unless --riscv-kernel/--riscv-fs or
--x86-kernel/--x86-fs give a pair built elsewhere. --cpus sets both boards'
processors (default: each board's own, 3 harts and 2 CPUs).

Exit status: 0 when both architectures give full marks and no case
differs, 1 otherwise, 2 for bad usage.`,
		Example: `  xv6emu compare kthread
  xv6emu compare kthread --format markdown --html compare.html
  xv6emu compare kthread threadtest --repeat 4 --seed 1
  xv6emu compare kthread --x86-kernel xv6/kernel --x86-fs xv6/fs.img`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runCompare(ctx, os.Stdout, &f, args[0], args[1:])
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&f.seed, "seed", 0, "interleaving seed (0: the default schedule)")
	fl.IntVar(&f.repeat, "repeat", 1, "runs per case and arch, with seeds --seed, --seed+1, ...")
	fl.IntVar(&f.cpus, "cpus", 0, "processors on both boards (0: each board's default)")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "machine runs at once, both arches together, costliest first (0: one per host CPU)")
	fl.StringVar(&f.format, "format", "text", "output: text, markdown, json or html (the --html page, on standard output)")
	fl.StringVar(&f.html, "html", "", "also write a self-contained HTML page with the tables to `FILE`")
	fl.Float64Var(&f.wallFactor, "wall-factor", 1, "wall-clock bound per run, as a multiple of its guest-time timeout")
	fl.StringVar(&f.images[0][0], "riscv-kernel", "", "RISC-V kernel ELF (default: embedded)")
	fl.StringVar(&f.images[0][1], "riscv-fs", "", "RISC-V file system image (default: embedded)")
	fl.StringVar(&f.images[1][0], "x86-kernel", "", "i386 multiboot kernel (default: embedded)")
	fl.StringVar(&f.images[1][1], "x86-fs", "", "x86 file system image (default: embedded)")
	rootCmd.AddCommand(cmd)
}

// runCompare runs the comparison and writes it in f.format.
func runCompare(ctx context.Context, w io.Writer, f *compareFlags, labName string, only []string) error {
	switch f.format {
	case "text", "markdown", "json", "html":
	default:
		return withCode(exitUsage, fmt.Errorf("--format %q: want text, markdown, json or html", f.format))
	}
	if f.repeat < 1 {
		return withCode(exitUsage, fmt.Errorf("--repeat %d: must be at least 1", f.repeat))
	}
	if f.cpus < 0 || f.cpus > 8 {
		return withCode(exitUsage, fmt.Errorf("--cpus %d: want 1 to 8", f.cpus))
	}
	lab, err := labs.Find(labName)
	if err != nil {
		return withCode(exitUsage, err)
	}
	var opt compare.Options
	opt.Seed, opt.Repeat, opt.Jobs, opt.Only = f.seed, f.repeat, f.jobs, only
	for i, arch := range []grade.Arch{grade.RISCV, grade.X86} {
		if !lab.RunsOn(arch) {
			return withCode(exitUsage, fmt.Errorf("lab %s does not run on %s", lab.Name, arch))
		}
		cfg, err := compareImages(arch, f.images[i])
		if err != nil {
			return withCode(exitUsage, err)
		}
		cfg.CPUs, cfg.WallFactor = f.cpus, f.wallFactor
		var b grade.Backend
		if mb, err := compare.NewMachineBackend(cfg); err != nil {
			b = grade.Unrunnable("xv6emu-"+string(arch), err) // every case fails with the reason
		} else {
			b = mb
		}
		opt.Sides[i] = compare.Side{Arch: arch, Backend: b}
	}
	res, err := compare.Run(ctx, lab, opt)
	if err != nil {
		return withCode(exitUsage, err)
	}
	switch f.format {
	case "markdown":
		err = res.WriteMarkdown(w)
	case "json":
		err = res.WriteJSON(w)
	case "html":
		err = res.WriteHTML(w)
	default:
		err = res.WriteText(w)
	}
	if err != nil {
		return err
	}
	if f.html != "" {
		if err := writeCompareHTML(f.html, res); err != nil {
			return withCode(exitUsage, err)
		}
	}
	if ctx.Err() != nil {
		return withCode(exitGuestFail, fmt.Errorf("comparison interrupted"))
	}
	if !res.OK() {
		return withCode(exitGuestFail, fmt.Errorf("compare %s: %s", lab.Name, res.Summary()))
	}
	return nil
}

// compareImages reads one arch's kernel and image (paths[0], paths[1]),
// or takes the embedded ones.
func compareImages(arch grade.Arch, paths [2]string) (compare.MachineConfig, error) {
	cfg := compare.MachineConfig{Arch: arch}
	var err error
	if paths[0] != "" {
		cfg.Kernel, err = readInput("--"+string(arch)+"-kernel", paths[0], maxKernelFile)
	} else {
		cfg.Kernel, err = compareEmbedded(arch, false)
	}
	if err != nil {
		return cfg, err
	}
	if paths[1] != "" {
		cfg.FS, err = readInput("--"+string(arch)+"-fs", paths[1], maxFSFile)
	} else {
		cfg.FS, err = compareEmbedded(arch, true)
	}
	return cfg, err
}

// compareEmbedded returns the embedded kernel (or, with fs, image) of arch.
func compareEmbedded(arch grade.Arch, fs bool) ([]byte, error) {
	switch {
	case arch == grade.X86 && fs:
		return kernel.X86FS()
	case arch == grade.X86:
		return kernel.X86Kernel()
	case fs:
		return kernel.RISCVFS()
	}
	return kernel.RISCVKernel()
}

// writeCompareHTML writes the page to path.
func writeCompareHTML(path string, res *compare.Result) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := res.WriteHTML(out); err != nil {
		out.Close()
		return fmt.Errorf("--html: %w", err)
	}
	return out.Close()
}
