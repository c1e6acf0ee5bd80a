package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/qemu"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine"
)

func init() {
	var (
		runs   int
		cpus   int
		noQEMU bool
	)
	cmd := &cobra.Command{
		Use:   "boot",
		Short: "Time boot-to-prompt of the embedded image, in-process and on QEMU",
		Long: `Boot the embedded kernel and fs image until the shell prints its first
prompt, several times, and report the best and median wall time. If
qemu-system-riscv64 is installed, boot the same image on it the same way and
print the ratio. Also reports the emulator's peak resident memory.`,
		Example: `  xv6emu bench boot
  xv6emu bench boot --runs 10 --cpus 1 --no-qemu`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return benchBoot(runs, cpus, noQEMU)
		},
	}
	cmd.Flags().IntVar(&runs, "runs", 5, "boots per backend")
	cmd.Flags().IntVar(&cpus, "cpus", machine.DefaultCPUs, "harts")
	cmd.Flags().BoolVar(&noQEMU, "no-qemu", false, "skip the QEMU comparison")
	benchCmd.AddCommand(cmd)
}

func benchBoot(runs, cpus int, noQEMU bool) error {
	if runs < 1 {
		return withCode(exitUsage, fmt.Errorf("--runs must be at least 1"))
	}
	k, err := kernel.RISCVKernel()
	if err != nil {
		return err
	}
	img, err := kernel.RISCVFS()
	if err != nil {
		return err
	}
	var ours []time.Duration
	var insns uint64
	for i := 0; i < runs; i++ {
		d, retired, err := bootOnce(k, img, cpus)
		if err != nil {
			return err
		}
		ours = append(ours, d)
		insns = retired
	}
	best, median := summarize(ours)
	fmt.Printf("xv6emu: boot to prompt best %v, median %v (%d harts, %d instructions, %.0f MIPS)\n",
		best.Round(time.Millisecond), median.Round(time.Millisecond), cpus, insns,
		float64(insns)/best.Seconds()/1e6)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		fmt.Printf("xv6emu: peak RSS %d MiB with a %d MiB guest\n", ru.Maxrss/1024, machine.DefaultMem>>20)
	}
	if noQEMU {
		return nil
	}
	b, err := qemu.New(qemu.Config{Kernel: k, FS: img, CPUs: cpus})
	if err != nil {
		fmt.Printf("qemu: skipped: %v\n", err)
		return nil
	}
	var theirs []time.Duration
	for i := 0; i < runs; i++ {
		o := b.Run(context.Background(), grade.RunSpec{Prompt: machine.DefaultPrompt, Timeout: time.Minute})
		if o.Ending != grade.Finished {
			return fmt.Errorf("qemu boot: %s", o.Reason)
		}
		theirs = append(theirs, o.Wall)
	}
	qbest, qmedian := summarize(theirs)
	fmt.Printf("qemu:   boot to prompt best %v, median %v\n", qbest.Round(time.Millisecond), qmedian.Round(time.Millisecond))
	fmt.Printf("ratio:  xv6emu takes %.2fx QEMU's time (median)\n", median.Seconds()/qmedian.Seconds())
	return nil
}

// bootOnce boots to the first prompt and returns the wall time it took.
func bootOnce(k, img []byte, cpus int) (time.Duration, uint64, error) {
	start := time.Now()
	d, err := disk.FromBytes(img)
	if err != nil {
		return 0, 0, err
	}
	m, err := machine.NewVirt(machine.Config{Kernel: k, Disk: d, CPUs: cpus, MaxTicks: 60 * machine.Timebase})
	if err != nil {
		return 0, 0, err
	}
	defer m.Close()
	prompt := []byte(machine.DefaultPrompt)
	stop := m.Run(func() bool { return bytes.HasSuffix(m.Output(), prompt) })
	if stop.Reason != machine.StopCondition {
		return 0, 0, fmt.Errorf("boot: %s", stop)
	}
	return time.Since(start), m.Retired(), nil
}

// summarize returns the best and the median of ds.
func summarize(ds []time.Duration) (best, median time.Duration) {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[0], sorted[len(sorted)/2]
}
