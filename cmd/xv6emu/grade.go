package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/grade/qemu"
	"github.com/xv6emu/xv6emu/kernel"
)

// gradeTarget says what to grade and on which backend; grade and bench
// grade share it.
type gradeTarget struct {
	kernel, fs string
	cpus       int
	legacy     bool
	qemuBinary string
}

func (g *gradeTarget) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&g.kernel, "kernel", "", "kernel ELF to grade, e.g. an MIT xv6-riscv tree's kernel/kernel (default: the embedded kernel)")
	f.StringVar(&g.fs, "fs", "", "its file system image, e.g. the tree's fs.img (default: the embedded image)")
	f.IntVar(&g.cpus, "cpus", 3, "harts per machine (MIT's CPUS)")
	f.BoolVar(&g.legacy, "virtio-legacy", false, "legacy (version 1) virtio-mmio, for 2019-2020 xv6 kernels")
	f.StringVar(&g.qemuBinary, "qemu-binary", qemu.DefaultBinary, "QEMU executable for --qemu")
}

// check rejects bad flag combinations (usage errors, exit 2).
func (g *gradeTarget) check() error {
	if g.cpus < 1 || g.cpus > 8 {
		return withCode(exitUsage, fmt.Errorf("--cpus %d: must be 1 to 8", g.cpus))
	}
	if (g.kernel == "") != (g.fs == "") {
		return withCode(exitUsage, fmt.Errorf("--kernel and --fs go together: a kernel is graded with the file system image built with it"))
	}
	return nil
}

// images reads the kernel and file system image to grade.
func (g *gradeTarget) images() (elf, fs []byte, err error) {
	if g.kernel == "" {
		if elf, err = kernel.RISCVKernel(); err == nil {
			fs, err = kernel.RISCVFS()
		}
		return elf, fs, err
	}
	if elf, err = os.ReadFile(g.kernel); err != nil {
		return nil, nil, fmt.Errorf("kernel: %w", err)
	}
	if fs, err = os.ReadFile(g.fs); err != nil {
		return nil, nil, fmt.Errorf("fs image: %w", err)
	}
	return elf, fs, nil
}

// jobs returns how many runs to make at once when -j is not given: one
// per host CPU in-process; on QEMU, whose timeouts are wall-clock time,
// only as many as the host has CPUs for all their harts (QEMU runs each
// hart on a host thread), so that contention cannot cause timeouts.
func (g *gradeTarget) jobs(onQEMU bool) int {
	if !onQEMU {
		return runtime.NumCPU()
	}
	return max(1, runtime.NumCPU()/g.cpus)
}

// backend builds the backend. A kernel or image that cannot be booted is
// not an error here: every test then fails with the reason, so a grading
// script still gets a full report. A missing QEMU is a usage error.
func (g *gradeTarget) backend(onQEMU bool) (grade.Backend, error) {
	name := "xv6emu"
	if onQEMU {
		name = "qemu"
		if _, err := exec.LookPath(g.qemuBinary); err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--qemu: %s not found (install Debian's qemu-system-misc)", g.qemuBinary))
		}
	}
	elf, fs, err := g.images()
	if err != nil {
		return grade.Unrunnable(name, err), nil
	}
	var b grade.Backend
	if onQEMU {
		b, err = qemu.New(qemu.Config{Binary: g.qemuBinary, Kernel: elf, FS: fs, CPUs: g.cpus, LegacyVirtio: g.legacy})
	} else {
		b, err = inproc.New(inproc.Config{Kernel: elf, FS: fs, CPUs: g.cpus, LegacyVirtio: g.legacy})
	}
	if err != nil {
		return grade.Unrunnable(name, err), nil
	}
	return b, nil
}

func init() {
	var (
		target     gradeTarget
		list       bool
		onQEMU     bool
		jobs       int
		seed       uint64
		repeat     int
		results    string
		jsonFile   string
		gradescope string
	)
	cmd := &cobra.Command{
		Use:   "grade [lab [test...]]",
		Short: "Grade a lab like MIT's 'make grade', in-process or on QEMU",
		Long: `Grade a lab the way MIT's gradelib does: boot xv6, wait for the shell
prompt, type each test's commands, and check the console against the test's
patterns. Prints gradelib's format ("== Test name == name: OK (1.2s)",
"Score: N/M") and exits 0 only with full marks.

The lab defaults to kthread. Further arguments grade only the tests whose
names contain them (and the tests they depend on), as gradelib does.

Runs go on in parallel (-j), on the in-process machine each deterministic:
the same kernel, image and --seed always give the same verdicts, and guest
timeouts do not depend on how busy the host is. --repeat runs each test with
several seeds and reports which seeds failed. --qemu runs the same tests on
real qemu-system-riscv64 (wall-clock timeouts; the seed has no effect there).

The console of every run is saved under --results as <lab>/<test>.out.

Exit status: 0 full marks, 1 points lost, 2 bad usage.`,
		Example: `  xv6emu grade kthread
  xv6emu grade kthread test3
  xv6emu grade --list
  xv6emu grade kthread --repeat 10 --seed 1
  xv6emu grade kthread --kernel xv6-riscv/kernel/kernel --fs xv6-riscv/fs.img
  xv6emu grade kthread --qemu
  xv6emu grade kthread --json report.json --gradescope results.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				return listLabs(os.Stdout, args)
			}
			if err := target.check(); err != nil {
				return err
			}
			if !cmd.Flags().Changed("jobs") {
				jobs = target.jobs(onQEMU)
			}
			switch {
			case repeat < 1:
				return withCode(exitUsage, fmt.Errorf("--repeat %d: must be at least 1", repeat))
			case jobs < 1:
				return withCode(exitUsage, fmt.Errorf("--jobs %d: must be at least 1", jobs))
			}
			lab, filters, err := labAndFilters(args)
			if err != nil {
				return err
			}
			b, err := target.backend(onQEMU)
			if err != nil {
				return err
			}
			if onQEMU && seed != 0 {
				fmt.Fprintln(os.Stderr, "xv6emu: note: QEMU has no interleaving seed; --seed only shuffles the run order")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := grade.Grade(ctx, lab, grade.Options{
				Backend: b,
				Jobs:    jobs,
				Seed:    seed,
				Repeat:  repeat,
				Only:    filters,
				Results: results,
				Out:     os.Stdout,
				Color:   colorful(os.Stdout),
			})
			if err != nil {
				return withCode(exitUsage, err)
			}
			if err := writeReport(jsonFile, rep.WriteJSON); err != nil {
				return err
			}
			if err := writeReport(gradescope, rep.WriteGradescope); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return withCode(exitGuestFail, fmt.Errorf("grading interrupted"))
			}
			if !rep.FullMarks() {
				return withCode(exitGuestFail, fmt.Errorf("%s: %d/%d points", lab.Name, rep.Score, rep.Possible))
			}
			return nil
		},
	}
	target.register(cmd)
	registerBatch(cmd, &target)
	f := cmd.Flags()
	f.BoolVar(&list, "list", false, "list the labs (or the given lab) and their tests")
	f.BoolVar(&onQEMU, "qemu", false, "run the tests on real qemu-system-riscv64 instead of in-process")
	f.IntVarP(&jobs, "jobs", "j", 0, "machine runs at once (default: one per CPU; with --qemu, one per --cpus CPUs)")
	f.Uint64Var(&seed, "seed", 0, "interleaving seed (0 = fixed schedule); also shuffles the run order")
	f.IntVar(&repeat, "repeat", 1, "run each test with this many seeds (--seed, --seed+1, ...) and report flaky ones")
	f.StringVar(&results, "results", "results", `directory for the console of each run ("" saves nothing)`)
	f.StringVar(&jsonFile, "json", "", "write a machine-readable report to this file")
	f.StringVar(&gradescope, "gradescope", "", "write Gradescope's results.json to this file")
	rootCmd.AddCommand(cmd)
}

// labAndFilters picks the lab (kthread when none is named) and the test
// filters from the arguments.
func labAndFilters(args []string) (*grade.Lab, []string, error) {
	name := "kthread"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	lab, err := labs.Find(name)
	if err != nil {
		return nil, nil, withCode(exitUsage, err)
	}
	if _, err := lab.Select(args); err != nil {
		return nil, nil, withCode(exitUsage, err)
	}
	return lab, args, nil
}

// listLabs prints each lab (or the named ones) and its tests.
func listLabs(w io.Writer, names []string) error {
	all := labs.All()
	if len(names) > 0 {
		all = nil
		for _, n := range names {
			l, err := labs.Find(n)
			if err != nil {
				return withCode(exitUsage, err)
			}
			all = append(all, l)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for i, l := range all {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\t%s\n", l.Name, l.Title)
		for _, t := range l.Tests {
			fmt.Fprintf(tw, "  %s\t%s\n", t.Title(), describeTest(t))
		}
	}
	return tw.Flush()
}

func describeTest(t *grade.Test) string {
	var parts []string
	switch {
	case t.Group != "":
		parts = append(parts, fmt.Sprintf("%s (extra credit: %s)", plural(t.Points, "point"), t.Group))
	case t.Points > 0:
		parts = append(parts, plural(t.Points, "point"))
	}
	if t.Run != nil {
		timeout := t.Run.Timeout
		if timeout == 0 {
			timeout = grade.DefaultTimeout
		}
		parts = append(parts, fmt.Sprintf("runs %q, timeout %v", strings.Join(t.Run.Commands, "; "), timeout))
	}
	if len(t.Want) > 0 {
		parts = append(parts, "wants "+strings.Join(t.Want, " "))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// colorful reports whether to colour output to f: a terminal, unless
// NO_COLOR is set.
func colorful(f *os.File) bool {
	_, noColor := os.LookupEnv("NO_COLOR")
	return !noColor && term.IsTerminal(int(f.Fd()))
}

// writeReport writes a report file if a path was given.
func writeReport(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return withCode(exitUsage, fmt.Errorf("%s: %w", path, err))
	}
	if err := f.Close(); err != nil {
		return withCode(exitUsage, err)
	}
	return nil
}
