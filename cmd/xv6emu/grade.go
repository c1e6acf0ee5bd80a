package main

import (
	"context"
	"fmt"
	"github.com/spf13/pflag"
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
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// gradeTarget says what to grade and on which backend; grade and bench
// grade share it.
type gradeTarget struct {
	arch       string
	kernel, fs string
	disk       string // x86 boot disk
	cpus       int
	legacy     bool
	flags      *pflag.FlagSet
	qemuBinary string
	wallFactor float64     // in-process wall-clock limit per run, in timeouts; 0 means 1
	extra      []mkfs.File // --test programs, added to the file system image
}

func (g *gradeTarget) register(cmd *cobra.Command) {
	f := cmd.Flags()
	registerArch(f, &g.arch)
	f.StringVar(&g.kernel, "kernel", "", "kernel ELF to grade, e.g. an MIT xv6-riscv tree's kernel/kernel (default: the embedded kernel)")
	f.StringVar(&g.fs, "fs", "", "its file system image, e.g. the tree's fs.img (default: the embedded image)")
	f.StringVar(&g.disk, "disk", "", diskUsage)
	f.IntVar(&g.cpus, "cpus", 3, "harts per machine (MIT's CPUS)")
	g.flags = f
	f.BoolVar(&g.legacy, "virtio-legacy", false, legacyUsage)
	f.StringVar(&g.qemuBinary, "qemu-binary", "", fmt.Sprintf("QEMU executable for --qemu (default %s, %s with --arch x86)", qemu.DefaultBinary, qemu.DefaultX86Binary))
}

// archOf returns the checked --arch (check has rejected a bad one).
func (g *gradeTarget) archOf() grade.Arch {
	a, _ := grade.ParseArch(g.arch)
	return a
}

// qemuBin is the QEMU that --qemu runs.
func (g *gradeTarget) qemuBin() string {
	if g.qemuBinary != "" {
		return g.qemuBinary
	}
	return qemu.BinaryFor(g.archOf())
}

// check rejects bad flag combinations (usage errors, exit 2).
func (g *gradeTarget) check() error {
	if g.cpus < 1 || g.cpus > 8 {
		return withCode(exitUsage, fmt.Errorf("--cpus %d: must be 1 to 8", g.cpus))
	}
	arch, err := parseArch(g.arch)
	if err != nil {
		return err
	}
	if arch == grade.X86 {
		switch {
		case g.legacy:
			return withCode(exitUsage, fmt.Errorf("--virtio-legacy is for --arch riscv: the pc board's disks are IDE"))
		case (g.kernel == "" && g.disk == "") != (g.fs == ""):
			return withCode(exitUsage, fmt.Errorf("--fs goes with --kernel or --disk: a kernel is graded with the file system image built with it"))
		}
		return nil
	}
	if g.disk != "" {
		return withCode(exitUsage, fmt.Errorf("--disk is a PC boot disk: use it with --arch x86 (the RISC-V virt machine boots --kernel)"))
	}
	if (g.kernel == "") != (g.fs == "") {
		return withCode(exitUsage, fmt.Errorf("--kernel and --fs go together: a kernel is graded with the file system image built with it"))
	}
	return nil
}

// images reads the kernel, file system image and (x86) boot disk to
// grade. A kernel ELF for the other arch is a usage error that names the
// right --arch.
func (g *gradeTarget) images() (elf, fs, boot []byte, err error) {
	arch := g.archOf()
	if g.kernel == "" && g.disk == "" {
		if elf, err = embeddedKernel(arch); err == nil {
			fs, err = embeddedFS(arch)
		}
		return elf, fs, nil, err
	}
	if g.kernel != "" {
		if elf, err = readInput("--kernel", g.kernel, maxKernelFile); err != nil {
			return nil, nil, nil, err
		}
		if err = checkKernelArch("--kernel "+g.kernel, arch, elf); err != nil {
			return nil, nil, nil, err
		}
	}
	if g.disk != "" {
		if boot, err = readInput("--disk", g.disk, maxFSFile); err != nil {
			return nil, nil, nil, err
		}
	}
	if fs, err = readInput("--fs", g.fs, maxFSFile); err != nil {
		return nil, nil, nil, err
	}
	return elf, fs, boot, nil
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
// script still gets a full report. A missing QEMU, or a --kernel or --fs
// that cannot be read, is a usage error.
func (g *gradeTarget) backend(onQEMU bool) (grade.Backend, error) {
	name := "xv6emu"
	arch := g.archOf()
	if onQEMU {
		name = "qemu"
		if _, err := exec.LookPath(g.qemuBin()); err != nil {
			pkg := "qemu-system-misc"
			if arch == grade.X86 {
				pkg = "qemu-system-x86"
			}
			return nil, withCode(exitUsage, fmt.Errorf("--qemu: %s not found (install Debian's %s)", g.qemuBin(), pkg))
		}
	}
	elf, fs, boot, err := g.images()
	if err == nil {
		fs, err = g.withExtra(fs)
	}
	if err != nil {
		// A file that cannot be read at all (missing, a device, too
		// big) is a usage error; one that is read but cannot boot fails
		// every test below.
		return nil, withCode(exitUsage, err)
	}
	var b grade.Backend
	if onQEMU {
		b, err = qemu.New(qemu.Config{Arch: arch, Binary: g.qemuBin(), Kernel: elf, FS: fs, BootDisk: boot, CPUs: g.cpus, LegacyVirtio: g.legacyFor(arch, elf)})
	} else {
		cfg := inproc.Config{Arch: arch, Kernel: elf, FS: fs, BootDisk: boot, CPUs: g.cpus, LegacyVirtio: g.legacyFor(arch, elf)}
		if g.wallFactor > 0 {
			cfg.WallLimit = inproc.ScaledWallLimit(g.wallFactor)
		}
		b, err = inproc.New(cfg)
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
		wallFactor float64
		labSel     labFlags
		tests      courseTests
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

--arch x86 grades the i386 build on the pc board (the embedded x86 images by
default; --kernel with --fs for a multiboot kernel, or --disk with --fs for
a classic xv6.img), and --qemu then runs qemu-system-i386 with classic
xv6's flags. --list shows which labs exist for which arch.

The console of every run is saved under --results as <lab>/<test>.out,
written as the guest prints it in-process (tail -f follows a long run).

Every in-process run is bounded: by its timeout in guest time, and by the
same figure in wall-clock time (what gradelib gives it on QEMU; scale it
with --wall-factor on a slow host). A run ends with one of these verdicts,
shown after "run ended early:" and in --json's "ending":
  finished       the prompt came back after the last command
  timeout        the guest-time timeout passed ("Timeout!", as gradelib)
  wall-timeout   the host could not run the guest to its timeout within the
                 wall-clock limit; says how much guest time it reached
                 (also printed as "Timeout!")
  panic          the kernel printed a "panic: " line
  deadlock       every hart waits and nothing can wake one
  trap-storm     a hart takes the same exception over and over without
                 retiring an instruction
  output-limit   the guest printed more than 4 MiB (it floods the console)
  exited         the guest powered off
  aborted        grading was interrupted (Ctrl-C, SIGTERM)
  error          the run could not start (bad kernel or image)
A zero-point run such as "running threadtest" that does not finish is
marked failed in --json and --gradescope; as in gradelib, its children are
still judged on the console it printed. Gradescope scores add up to the
printed Score; extra credit is listed apart at 0/0 with what it earned.

Exit status: 0 full marks, 1 points lost (or interrupted), 2 bad usage or
input (including a --json, --gradescope or --results path that cannot be
written: checked before any test runs).`,
		Example: `  xv6emu grade kthread
  xv6emu grade kthread test3
  xv6emu grade --list
  xv6emu grade kthread --repeat 10 --seed 1
  xv6emu grade kthread --kernel xv6-riscv/kernel/kernel --fs xv6-riscv/fs.img
  xv6emu grade kthread --qemu
  xv6emu grade kthread --arch x86 --qemu
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
			// Filters naming a course test are checked once it has
			// joined the lab.
			lab, filters, err := labAndFilters(tests.ownFilters(args))
			if err != nil {
				return err
			}
			choice, err := labSel.choose(lab.Name, filters, target.fs)
			if err != nil {
				return err
			}
			lab = choice.Lab
			if arch := target.archOf(); !lab.RunsOn(arch) {
				return withCode(exitUsage, fmt.Errorf("lab %s has no --arch %s version (see --list)", lab.Name, arch))
			}
			if len(tests.tests) > 0 {
				if lab, err = tests.apply(context.Background(), lab, &target); err != nil {
					return err
				}
				if len(args) > 1 {
					filters = args[1:]
				}
				if _, err := lab.Select(filters); err != nil {
					return withCode(exitUsage, err)
				}
			}
			if wallFactor <= 0 {
				return withCode(exitUsage, fmt.Errorf("--wall-factor %g: must be positive", wallFactor))
			}
			target.wallFactor = wallFactor
			// Report files are opened before grading: a path that
			// cannot be written must not cost a whole grade first.
			jsonOut, err := openReport("--json", jsonFile)
			if err != nil {
				return err
			}
			defer jsonOut.abandon()
			gsOut, err := openReport("--gradescope", gradescope)
			if err != nil {
				return err
			}
			defer gsOut.abandon()
			b, err := target.backend(onQEMU)
			if err != nil {
				return err
			}
			if onQEMU && seed != 0 {
				fmt.Fprintln(os.Stderr, "xv6emu: note: QEMU has no interleaving seed; --seed only shuffles the run order")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if target.fs != "" && labs.NeedsProbe(choice, filters) {
				fmt.Printf("lab %s: neither --tree nor --fs tells the version; running threadtest first to see its cases\n", lab.Name)
				choice, b = labs.Probe(ctx, choice, b, seed)
				lab = choice.Lab
			}
			fmt.Println(choice)
			for _, note := range choice.Notes {
				fmt.Println("  note:", note)
			}
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
			if err := jsonOut.write(rep.WriteJSON); err != nil {
				return err
			}
			if err := gsOut.write(rep.WriteGradescope); err != nil {
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
	cmd.Long += "\n\n" + labVersionHelp
	cmd.Example += `
  xv6emu grade kthread --kernel sub/kernel/kernel --fs sub/fs.img --tree sub
  xv6emu grade kthread --lab-version 6 --kernel K --fs F`
	registerBatch(cmd, &target)
	tests.register(cmd)
	f := cmd.Flags()
	labSel.register(f, true)
	f.BoolVar(&list, "list", false, "list the labs (or the given lab) and their tests")
	f.BoolVar(&onQEMU, "qemu", false, "run the tests on real QEMU (qemu-system-riscv64, or qemu-system-i386 with --arch x86) instead of in-process")
	f.IntVarP(&jobs, "jobs", "j", 0, "machine runs at once (default: one per CPU; with --qemu, one per --cpus CPUs)")
	f.Uint64Var(&seed, "seed", 0, "interleaving seed (0 = the default schedule); also shuffles the run order")
	f.IntVar(&repeat, "repeat", 1, "run each test with this many seeds (--seed, --seed+1, ...) and report flaky ones")
	f.StringVar(&results, "results", "results", `directory for the console of each run ("" saves nothing)`)
	f.StringVar(&jsonFile, "json", "", "write a machine-readable report to this file")
	f.StringVar(&gradescope, "gradescope", "", "write Gradescope's results.json to this file")
	f.Float64Var(&wallFactor, "wall-factor", 1, "each in-process run's wall-clock limit, in multiples of its timeout")
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
	all, err := labsToList(names)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for i, l := range all {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\t%s (--arch %s)\n", l.Name, l.Title, archList(l))
		for _, t := range l.Tests {
			fmt.Fprintf(tw, "  %s\t%s\n", t.Title(), describeTest(t))
		}
	}
	return tw.Flush()
}

// archList names the architectures lab l can be graded on.
func archList(l *grade.Lab) string {
	var names []string
	for _, a := range grade.Arches {
		if l.RunsOn(a) {
			names = append(names, string(a))
		}
	}
	return strings.Join(names, ", ")
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

// reportFile is a report output opened before grading.
type reportFile struct {
	path    string
	f       *os.File
	created bool // the file did not exist before: remove it if unused
	done    bool
}

// openReport opens path for a report, if a path was given, so that an
// unwritable path is an error before any test runs. An existing file is
// left as it is until the report is written.
func openReport(flag, path string) (*reportFile, error) {
	if path == "" {
		return &reportFile{}, nil
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("%s: %w", flag, err))
	}
	return &reportFile{path: path, f: f, created: os.IsNotExist(statErr)}, nil
}

// write replaces the file's contents with the report.
func (r *reportFile) write(report func(io.Writer) error) error {
	if r.f == nil {
		return nil
	}
	r.done = true
	err := r.f.Truncate(0)
	if err == nil {
		err = report(r.f)
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("%s: %w", r.path, err))
	}
	return nil
}

// abandon closes a report that was never written, removing the file if
// openReport created it.
func (r *reportFile) abandon() {
	if r.f == nil || r.done {
		return
	}
	r.f.Close()
	if r.created {
		os.Remove(r.path)
	}
}

// legacyFor is the virtio-mmio layout for kernel (see legacyVirtio).
func (g *gradeTarget) legacyFor(arch grade.Arch, kernel []byte) bool {
	return arch == grade.RISCV && legacyVirtio(g.flags, g.legacy, kernel)
}
