package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/batch"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/grade/qemu"
)

// batchFlags are grade's flags for grading a folder of submissions.
type batchFlags struct {
	dir, out, scratch string
	resume, html      bool
	buildTimeout      time.Duration
	timeout           time.Duration
	toolPrefix        string
}

// registerBatch adds --batch and its flags to the grade command and
// routes the command to runBatch when --batch is given.
func registerBatch(cmd *cobra.Command, target *gradeTarget) {
	var b batchFlags
	f := cmd.Flags()
	f.StringVar(&b.dir, "batch", "", "grade every submission in this folder (trees, .zip or .tar.gz of trees, or prebuilt kernel/kernel + fs.img)")
	f.StringVar(&b.out, "out", "batch-results", "with --batch: folder for per-submission results and summary.csv/summary.json")
	f.BoolVar(&b.resume, "resume", false, "with --batch: skip submissions whose results are already in --out")
	f.BoolVar(&b.html, "html", false, "with --batch: also write an overview page, --out/index.html, sorted by score")
	f.DurationVar(&b.buildTimeout, "build-timeout", batch.DefaultBuildTimeout, "with --batch: wall-clock bound of one submission's build")
	f.DurationVar(&b.timeout, "submission-timeout", batch.DefaultTimeout, "with --batch: wall-clock bound of grading one submission")
	f.StringVar(&b.toolPrefix, "toolprefix", batch.DefaultToolPrefix, "with --batch: TOOLPREFIX for the submissions' builds")
	f.StringVar(&b.scratch, "scratch", "", "with --batch: where submissions are unpacked and built (default: the system temp folder)")
	cmd.Example += `
  xv6emu grade kthread --batch submissions/ -j 8 --out results/ --html
  xv6emu grade kthread --batch submissions/ --out results/ --resume`

	single := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if b.dir == "" {
			for _, name := range []string{"out", "resume", "html", "build-timeout", "submission-timeout", "toolprefix", "scratch"} {
				if cmd.Flags().Changed(name) {
					return withCode(exitUsage, fmt.Errorf("--%s goes with --batch", name))
				}
			}
			return single(cmd, args)
		}
		return runBatch(cmd, args, target, &b)
	}
}

// runBatch grades a folder of submissions. It exits 0 once every
// submission has a result (whatever the scores: they are in the summary),
// 1 when interrupted, 2 on bad usage.
func runBatch(cmd *cobra.Command, args []string, target *gradeTarget, b *batchFlags) error {
	f := cmd.Flags()
	switch {
	case f.Changed("kernel") || f.Changed("fs"):
		return withCode(exitUsage, fmt.Errorf("--batch grades each submission's own kernel: --kernel and --fs do not apply"))
	case f.Changed("tree"):
		return withCode(exitUsage, fmt.Errorf("--batch chooses the lab version from each submission's own tree: --tree does not apply"))
	case f.Changed("disk") || (f.Changed("arch") && target.arch != string(grade.RISCV)):
		return withCode(exitUsage, fmt.Errorf("--batch builds and grades RISC-V submissions only: --arch x86 and --disk do not apply"))
	case f.Changed("list"), f.Changed("json"), f.Changed("gradescope"), f.Changed("results"):
		return withCode(exitUsage, fmt.Errorf("--batch writes its reports under --out: --list, --json, --gradescope and --results do not apply"))
	}
	if err := target.check(); err != nil {
		return err
	}
	if st, err := os.Stat(b.dir); err != nil || !st.IsDir() {
		return withCode(exitUsage, fmt.Errorf("--batch %s: not a folder", b.dir))
	}
	onQEMU, _ := f.GetBool("qemu")
	jobs, _ := f.GetInt("jobs")
	if !f.Changed("jobs") {
		jobs = target.jobs(onQEMU)
	}
	seed, _ := f.GetUint64("seed")
	repeat, _ := f.GetInt("repeat")
	switch {
	case repeat < 1:
		return withCode(exitUsage, fmt.Errorf("--repeat %d: must be at least 1", repeat))
	case jobs < 1:
		return withCode(exitUsage, fmt.Errorf("--jobs %d: must be at least 1", jobs))
	}
	if onQEMU {
		if _, err := target.backend(true); err != nil {
			return err // QEMU is missing
		}
	}
	lab, filters, err := labAndFilters(args)
	if err != nil {
		return err
	}
	cfg := *target
	if fl := f.Lookup("wall-factor"); fl != nil {
		wf, _ := f.GetFloat64("wall-factor")
		if wf <= 0 {
			return withCode(exitUsage, fmt.Errorf("--wall-factor %g: must be positive", wf))
		}
		cfg.wallFactor = wf
	}
	backend := func(kernel, fs []byte) grade.Backend {
		var be grade.Backend
		var err error
		if onQEMU {
			be, err = qemu.New(qemu.Config{Binary: cfg.qemuBinary, Kernel: kernel, FS: fs, CPUs: cfg.cpus, LegacyVirtio: cfg.legacyFor(grade.RISCV, kernel)})
		} else {
			ic := inproc.Config{Kernel: kernel, FS: fs, CPUs: cfg.cpus, LegacyVirtio: cfg.legacyFor(grade.RISCV, kernel)}
			if cfg.wallFactor > 0 {
				ic.WallLimit = inproc.ScaledWallLimit(cfg.wallFactor)
			}
			be, err = inproc.New(ic)
		}
		if err != nil {
			name := "xv6emu"
			if onQEMU {
				name = "qemu"
			}
			return grade.Unrunnable(name, err)
		}
		return be
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	version, _ := f.GetString("lab-version")
	fixed, err := labs.Choose(lab.Name, labs.Sources{Version: version})
	if err != nil {
		return withCode(exitUsage, err)
	}
	sum, err := batch.Run(ctx, b.dir, batch.Options{
		Lab:      fixed.Lab,
		LabFor:   (&labFlags{version: version}).labFor(lab.Name),
		Only:     filters,
		Backend:  backend,
		Jobs:     jobs,
		Seed:     seed,
		Repeat:   repeat,
		Out:      b.out,
		Resume:   b.resume,
		HTML:     b.html,
		Build:    batch.BuildConfig{ToolPrefix: b.toolPrefix, Timeout: b.buildTimeout},
		Timeout:  b.timeout,
		Scratch:  b.scratch,
		Progress: os.Stdout,
		Terminal: term.IsTerminal(int(os.Stdout.Fd())),
	})
	if err != nil {
		return withCode(exitUsage, err)
	}
	full := 0
	for _, r := range sum.Results {
		if r.Verdict == batch.FullMarks {
			full++
		}
	}
	fmt.Printf("%d of %d submissions graded in %.1fs, %d with full marks; summary: %s\n",
		sum.Graded, sum.Submissions, sum.Elapsed, full, filepath.Join(b.out, batch.SummaryCSV))
	if sum.Interrupted {
		return withCode(exitGuestFail, fmt.Errorf("batch interrupted: run again with --resume to grade the rest"))
	}
	return nil
}
