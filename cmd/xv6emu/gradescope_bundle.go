package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/batch"
	"github.com/xv6emu/xv6emu/grade/gradescope"
	"github.com/xv6emu/xv6emu/grade/inproc"
)

func init() {
	var (
		out    string
		binary string
		cpus   int
		labSel labFlags
	)
	bundle := &cobra.Command{
		Use:   "gradescope-bundle [lab [test...]] -o autograder.zip",
		Short: "Write a Gradescope autograder bundle that builds and grades each submission",
		Long: `Write the autograder zip that Gradescope asks for. It holds:

  setup.sh        installs make and Debian's RISC-V cross compiler, and the
                  static xv6emu binary (run once, when Gradescope builds the image)
  run_autograder  builds /autograder/submission with the student's own
                  Makefile (make kernel/kernel fs.img), grades it in-process
                  and writes /autograder/results/results.json
  xv6emu          the static binary

Gradescope runs every submission in a container of its own, in parallel
across its fleet. A submission that does not build scores 0, and the
student sees the compiler's last lines. Further arguments grade only the
tests whose names contain them, as with grade.

The binary must be a static linux/amd64 build: this one, if it is, or the
one given with --binary (CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build
./cmd/xv6emu). AUTOGRADER_ROOT in the environment moves /autograder,
for trying the bundle outside Gradescope.`,
		Example: `  CGO_ENABLED=0 go build -o xv6emu-static ./cmd/xv6emu
  xv6emu gradescope-bundle kthread -o autograder.zip --binary xv6emu-static`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return withCode(exitUsage, fmt.Errorf("-o: where to write the bundle is required"))
			}
			if cpus < 1 || cpus > 8 {
				return withCode(exitUsage, fmt.Errorf("--cpus %d: must be 1 to 8", cpus))
			}
			lab, filters, err := labAndFilters(args)
			if err != nil {
				return err
			}
			if _, err := labSel.choose(lab.Name, filters, ""); err != nil {
				return err
			}
			if binary == "" {
				if binary, err = os.Executable(); err != nil {
					return withCode(exitUsage, fmt.Errorf("--binary: %w", err))
				}
			}
			bin, err := os.ReadFile(binary)
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("--binary: %w", err))
			}
			if err := gradescope.CheckBinary(bin); err != nil {
				return withCode(exitUsage, fmt.Errorf("%s: %w (give one with --binary)", binary, err))
			}
			var buf bytes.Buffer
			err = gradescope.WriteBundle(&buf, gradescope.Bundle{
				Lab:    lab.Name,
				Tests:  filters,
				Args:   append([]string{"--cpus", fmt.Sprint(cpus)}, labSel.args()...),
				Binary: bin,
			})
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return withCode(exitUsage, err)
			}
			fmt.Printf("wrote %s (%d bytes): upload it as the assignment's autograder\n", out, buf.Len())
			return nil
		},
	}
	f := bundle.Flags()
	f.StringVarP(&out, "output", "o", "", "the bundle to write, e.g. autograder.zip")
	f.StringVar(&binary, "binary", "", "static linux/amd64 xv6emu to put in the bundle (default: this executable)")
	f.IntVar(&cpus, "cpus", 3, "harts per machine (MIT's CPUS)")
	labSel.register(f, false)
	rootCmd.AddCommand(bundle)
	rootCmd.AddCommand(gradescopeRunCmd())
}

// gradescopeRunCmd is what run_autograder runs inside Gradescope.
func gradescopeRunCmd() *cobra.Command {
	var (
		root         string
		cpus, jobs   int
		legacy       bool
		toolPrefix   string
		buildTimeout time.Duration
		timeout      time.Duration
		labSel       labFlags
	)
	cmd := &cobra.Command{
		Use:    "gradescope-run lab [test...]",
		Short:  "Grade /autograder/submission and write /autograder/results/results.json (run_autograder runs this)",
		Hidden: true,
		Args:   cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lab, filters, err := labAndFilters(args)
			if err != nil {
				return err
			}
			if cpus < 1 || cpus > 8 {
				return withCode(exitUsage, fmt.Errorf("--cpus %d: must be 1 to 8", cpus))
			}
			fixed, err := labSel.choose(lab.Name, filters, "")
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return gradescope.Autograde(ctx, gradescope.Config{
				Root: root,
				Batch: batch.Options{
					Lab:    fixed.Lab,
					LabFor: labSel.labFor(lab.Name),
					Only:   filters,
					Backend: func(kernel, fs []byte) grade.Backend {
						b, err := inproc.New(inproc.Config{Kernel: kernel, FS: fs, CPUs: cpus, LegacyVirtio: legacyVirtio(cmd.Flags(), legacy, kernel)})
						if err != nil {
							return grade.Unrunnable("xv6emu", err)
						}
						return b
					},
					Jobs:    jobs,
					Build:   batch.BuildConfig{ToolPrefix: toolPrefix, Timeout: buildTimeout},
					Timeout: timeout,
				},
				Transcript: os.Stdout,
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&root, "root", "", "autograder root (default $AUTOGRADER_ROOT, else /autograder)")
	f.IntVar(&cpus, "cpus", 3, "harts per machine (MIT's CPUS)")
	f.IntVarP(&jobs, "jobs", "j", 0, "machine runs at once (default: one per CPU)")
	f.BoolVar(&legacy, "virtio-legacy", false, legacyUsage)
	f.StringVar(&toolPrefix, "toolprefix", batch.DefaultToolPrefix, "TOOLPREFIX for the submission's build")
	f.DurationVar(&buildTimeout, "build-timeout", batch.DefaultBuildTimeout, "wall-clock bound of the build")
	f.DurationVar(&timeout, "timeout", batch.DefaultTimeout, "wall-clock bound of the grading")
	labSel.register(f, false)
	return cmd
}
