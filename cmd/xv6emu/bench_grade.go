package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/labs"
)

func init() {
	var (
		target  gradeTarget
		jobs    int
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "grade [lab]",
		Short: "Time a full lab grade in-process and on QEMU, and compare",
		Long: `Grade a whole lab (default kthread) twice, one after the other: first on the
in-process machine, then on QEMU (qemu-system-riscv64, or qemu-system-i386
with --arch x86), each with the -j that
'xv6emu grade' would use (or the given -j for both), and print both times
and how many times faster the in-process grade is. Both must score full
marks, or the figures are not comparable and the exit status is 1.`,
		Example: `  xv6emu bench grade
  xv6emu bench grade -j 1 -v
  xv6emu bench grade --arch x86`,
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
			lab, err := labs.Find(name)
			if err != nil {
				return withCode(exitUsage, err)
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
	benchCmd.AddCommand(cmd)
}

// benchGrade grades lab on both backends and prints the times and ratio.
func benchGrade(ctx context.Context, w, progress io.Writer, lab *grade.Lab, target *gradeTarget, jobs int) error {
	fmt.Fprintf(w, "bench grade %s (%s): %d harts per machine, %d host CPUs\n", lab.Name, target.archOf(), target.cpus, runtime.NumCPU())
	var times [2]time.Duration
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
		fmt.Fprintf(w, "  %-22s -j %d  %3d/%d in %6.1fs\n", label, j, rep.Score, rep.Possible, times[i].Seconds())
		if !rep.FullMarks() {
			failures = append(failures, fmt.Sprintf("%s scored %d/%d", label, rep.Score, rep.Possible))
		}
		if ctx.Err() != nil {
			return withCode(exitGuestFail, fmt.Errorf("bench interrupted"))
		}
	}
	fmt.Fprintf(w, "  in-process is %.1fx faster than QEMU\n", times[1].Seconds()/times[0].Seconds())
	if len(failures) > 0 {
		return withCode(exitGuestFail, fmt.Errorf("the grades are not comparable: %v", failures))
	}
	return nil
}
