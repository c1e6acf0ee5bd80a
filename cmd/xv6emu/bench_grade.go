package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/labs"
)

func init() {
	var (
		target        gradeTarget
		labSel        labFlags
		jobs          int
		verbose       bool
		timeoutFactor float64
	)
	cmd := &cobra.Command{
		Use:   "grade [lab]",
		Short: "Time a full lab grade in-process and on QEMU, and compare",
		Long: `Grade a whole lab (default kthread) twice, one after the other: first on the
in-process machine, then on QEMU (qemu-system-riscv64, or qemu-system-i386
with --arch x86), each with the -j that
'xv6emu grade' would use (or the given -j for both), and print both times
and how many times faster the in-process grade is. Both must score full
marks, or the figures are not comparable and the exit status is 1. A table
then gives each machine run's time on both (and its guest time in-process).

The lab version is chosen as 'xv6emu grade' chooses it (--lab-version,
--tree, or the TEST<n> cases of the threadtest in --fs), without the
threadtest probe run.

On a host too slow for a long test to finish inside the course's timeout
(MIT's full usertests on a busy 2-core machine, say), both backends fail it
at the same limit and the total says nothing. --timeout-factor F multiplies
every run's timeout on both backends (guest time in-process, wall time on
QEMU; the in-process wall-clock bound follows its timeout), so each side is
timed to the end of its work.`,
		Example: `  xv6emu bench grade
  xv6emu bench grade -j 1 -v
  xv6emu bench grade --arch x86
  xv6emu bench grade --kernel xv6/kernel/kernel --fs xv6/fs.img --timeout-factor 3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := target.check(); err != nil {
				return err
			}
			if cmd.Flags().Changed("jobs") && jobs < 1 {
				return withCode(exitUsage, fmt.Errorf("--jobs %d: must be at least 1", jobs))
			}
			name := "kthread"
			if len(args) == 1 {
				name = args[0]
			}
			if _, err := labs.Find(name); err != nil {
				return withCode(exitUsage, err)
			}
			if timeoutFactor <= 0 {
				return withCode(exitUsage, fmt.Errorf("--timeout-factor %g: must be positive", timeoutFactor))
			}
			choice, err := labSel.choose(name, nil, target.fs)
			if err != nil {
				return err
			}
			lab := choice.Lab
			fmt.Println(choice)
			if timeoutFactor != 1 {
				lab = lab.ScaleTimeouts(timeoutFactor)
			}
			if arch := target.archOf(); !lab.RunsOn(arch) {
				return withCode(exitUsage, fmt.Errorf("lab %s has no --arch %s version (see xv6emu grade --list)", lab.Name, arch))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var progress io.Writer
			if verbose {
				progress = os.Stdout
			}
			return benchGrade(ctx, os.Stdout, progress, lab, &target, jobs)
		},
	}
	target.register(cmd)
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 0, "machine runs at once for both backends (default: as 'xv6emu grade')")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show each grade's gradelib-style output")
	cmd.Flags().Float64Var(&timeoutFactor, "timeout-factor", 1, "multiply every run's timeout by this on both backends (for a host too slow for the course's timeouts)")
	labSel.register(cmd.Flags(), true)
	benchCmd.AddCommand(cmd)
}

// benchGrade grades lab on both backends and prints the times and ratio.
func benchGrade(ctx context.Context, w, progress io.Writer, lab *grade.Lab, target *gradeTarget, jobs int) error {
	fmt.Fprintf(w, "bench grade %s (%s): %d harts per machine, %d host CPUs\n", lab.Name, target.archOf(), target.cpus, runtime.NumCPU())
	var times [2]time.Duration
	var reports [2]*grade.Report
	var failures []string
	for i, onQEMU := range []bool{false, true} {
		b, err := target.backend(onQEMU)
		if err != nil {
			return err
		}
		label := "xv6emu (in-process)"
		if onQEMU {
			label = target.qemuBin()
		}
		j := jobs
		if j == 0 {
			j = target.jobs(onQEMU)
		}
		start := time.Now()
		rep, err := grade.Grade(ctx, lab, grade.Options{Backend: b, Jobs: j, Out: progress})
		if err != nil {
			return withCode(exitUsage, err)
		}
		times[i] = time.Since(start)
		reports[i] = rep
		fmt.Fprintf(w, "  %-22s -j %d  %3d/%d in %6.1fs\n", label, j, rep.Score, rep.Possible, times[i].Seconds())
		if !rep.FullMarks() {
			failures = append(failures, fmt.Sprintf("%s scored %d/%d", label, rep.Score, rep.Possible))
		}
		if ctx.Err() != nil {
			return withCode(exitGuestFail, fmt.Errorf("bench interrupted"))
		}
	}
	fmt.Fprintf(w, "  in-process is %.1fx faster than QEMU\n", times[1].Seconds()/times[0].Seconds())
	writeRunTimes(w, reports[0], reports[1])
	if len(failures) > 0 {
		return withCode(exitGuestFail, fmt.Errorf("the grades are not comparable: %v", failures))
	}
	return nil
}

// writeRunTimes lists each machine run (a top-level test) with its wall time
// on both backends, the in-process guest time, the ratio, and how each run
// ended when it did not finish.
func writeRunTimes(w io.Writer, inproc, onQEMU *grade.Report) {
	qemuRun := map[string]grade.TestResult{}
	for _, t := range onQEMU.Tests {
		if len(t.Runs) > 0 {
			qemuRun[t.Name] = t
		}
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  run\tin-process s\tguest s\tQEMU s\tratio\tverdicts")
	for _, t := range inproc.Tests {
		if len(t.Runs) == 0 {
			continue
		}
		q, ok := qemuRun[t.Name]
		if !ok || len(q.Runs) == 0 {
			continue
		}
		r, qr := t.Runs[0], q.Runs[0]
		verdict := "finished"
		if r.Ending != qr.Ending || r.Ending != grade.Finished.String() {
			verdict = r.Ending + " / " + qr.Ending
		}
		ratio := "-"
		if r.WallSeconds > 0 {
			ratio = fmt.Sprintf("%.1fx", qr.WallSeconds/r.WallSeconds)
		}
		fmt.Fprintf(tw, "  %s\t%.1f\t%.1f\t%.1f\t%s\t%s\n", t.Name, r.WallSeconds, r.GuestSeconds, qr.WallSeconds, ratio, verdict)
	}
	tw.Flush()
}
