package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
)

func init() {
	var (
		target  gradeTarget
		timeout time.Duration
		noQEMU  bool
	)
	cmd := &cobra.Command{
		Use:   "run [flags] -- 'command' ['command'...]",
		Short: "Time a scripted session on any kernel, in-process and on QEMU",
		Long: `Boot a kernel (default: the embedded one; --kernel and --fs for a kernel
built in another xv6 tree), type each command at the shell prompt as
'xv6emu run' does, and time the whole session on the in-process machine and
then on QEMU with the course's flags (qemu-system-riscv64, or
qemu-system-i386 with --arch x86), one after the other. Prints
both times and how many times faster the in-process run is. This is the
benchmark for students' kernels: MIT trees' usertests, say.

Both runs must end with the prompt back after the last command, or the
figures are not comparable and the exit status is 1. --timeout bounds each
run (guest time in-process, wall time on QEMU).`,
		Example: `  xv6emu bench run -- usertests
  xv6emu bench run --kernel xv6-riscv/kernel/kernel --fs xv6-riscv/fs.img -- 'usertests -q'
  xv6emu bench run --kernel old/kernel/kernel --fs old/fs.img --virtio-legacy -- usertests
  xv6emu bench run --arch x86 --disk xv6/xv6.img --fs xv6/fs.img --cpus 2 -- usertests`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := target.check(); err != nil {
				return err
			}
			if timeout <= 0 {
				return withCode(exitUsage, fmt.Errorf("--timeout %v: must be positive", timeout))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			spec := grade.RunSpec{Commands: args, Prompt: "$ ", Timeout: timeout}
			return benchRun(ctx, os.Stdout, &target, spec, !noQEMU)
		},
	}
	target.register(cmd)
	cmd.Flags().DurationVar(&timeout, "timeout", 20*time.Minute, "bound for each run")
	cmd.Flags().BoolVar(&noQEMU, "no-qemu", false, "skip the QEMU run")
	benchCmd.AddCommand(cmd)
}

// benchRun runs spec on the in-process backend and then on QEMU, and prints
// the times and their ratio.
func benchRun(ctx context.Context, w io.Writer, target *gradeTarget, spec grade.RunSpec, withQEMU bool) error {
	kernelName := target.kernel
	switch {
	case kernelName == "" && target.disk != "":
		kernelName = target.disk
	case kernelName == "":
		kernelName = "the embedded kernel"
	}
	fmt.Fprintf(w, "bench run %q on %s (%s), %d harts\n", spec.Commands, kernelName, target.archOf(), target.cpus)
	backends := []bool{false}
	if withQEMU {
		backends = append(backends, true)
	}
	var walls []time.Duration
	var failures []string
	for _, onQEMU := range backends {
		b, err := target.backend(onQEMU)
		if err != nil {
			return err
		}
		o := b.Run(ctx, spec)
		label := "xv6emu (in-process)"
		if onQEMU {
			label = target.qemuBin()
		}
		guest := ""
		if o.Guest > 0 {
			guest = fmt.Sprintf(" (%.1fs of guest time)", o.Guest.Seconds())
		}
		fmt.Fprintf(w, "  %-22s %7.1fs%s  %s\n", label, o.Wall.Seconds(), guest, endingText(o))
		walls = append(walls, o.Wall)
		if o.Ending != grade.Finished {
			failures = append(failures, label+": "+endingText(o))
		}
		if ctx.Err() != nil {
			return withCode(exitGuestFail, fmt.Errorf("bench interrupted"))
		}
	}
	if len(walls) == 2 && len(failures) == 0 {
		fmt.Fprintf(w, "  in-process is %.1fx faster than QEMU\n", walls[1].Seconds()/walls[0].Seconds())
	}
	if len(failures) > 0 {
		return withCode(exitGuestFail, fmt.Errorf("the runs are not comparable: %v", failures))
	}
	return nil
}

func endingText(o grade.Outcome) string {
	if o.Ending == grade.Finished {
		return "finished"
	}
	return o.Reason
}
