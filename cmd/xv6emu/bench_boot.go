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
	"github.com/xv6emu/xv6emu/machine"
)

func init() {
	var (
		target gradeTarget
		runs   int
		noQEMU bool
	)
	cmd := &cobra.Command{
		Use:   "boot",
		Short: "Time boot-to-prompt, in-process and on QEMU",
		Long: `Boot a kernel and fs image (default: the embedded ones for --arch) until
the shell prints its first prompt, several times, and report the best and
median wall time. If QEMU (qemu-system-riscv64, or qemu-system-i386 with
--arch x86) is installed, boot the same image on it the same way and print
the ratio. Also reports the emulator's peak resident memory.`,
		Example: `  xv6emu bench boot
  xv6emu bench boot --runs 10 --cpus 1 --no-qemu
  xv6emu bench boot --arch x86 --cpus 2 --disk xv6/xv6.img --fs xv6/fs.img`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("cpus") {
				target.cpus = defaultCPUs(target.archOf())
			}
			if err := target.check(); err != nil {
				return err
			}
			return benchBoot(&target, runs, noQEMU)
		},
	}
	target.register(cmd)
	cmd.Flags().IntVar(&runs, "runs", 5, "boots per backend")
	cmd.Flags().BoolVar(&noQEMU, "no-qemu", false, "skip the QEMU comparison")
	benchCmd.AddCommand(cmd)
}

func benchBoot(target *gradeTarget, runs int, noQEMU bool) error {
	if runs < 1 {
		return withCode(exitUsage, fmt.Errorf("--runs must be at least 1"))
	}
	arch, cpus := target.archOf(), target.cpus
	k, img, boot, err := target.images()
	if err != nil {
		return withCode(exitUsage, err)
	}
	var ours []time.Duration
	var insns uint64
	for i := 0; i < runs; i++ {
		d, retired, err := bootOnce(arch, k, img, boot, cpus, target.legacyFor(arch, k))
		if err != nil {
			return err
		}
		ours = append(ours, d)
		insns = retired
	}
	best, median := summarize(ours)
	fmt.Printf("xv6emu: boot to prompt best %v, median %v (%s, %d harts, %d instructions, %.0f MIPS)\n",
		best.Round(time.Millisecond), median.Round(time.Millisecond), arch, cpus, insns,
		float64(insns)/best.Seconds()/1e6)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		fmt.Printf("xv6emu: peak RSS %d MiB with a %d MiB guest\n", ru.Maxrss/1024, defaultMem(arch)>>20)
	}
	if noQEMU {
		return nil
	}
	b, err := qemu.New(qemu.Config{Arch: arch, Binary: target.qemuBin(), Kernel: k, FS: img, BootDisk: boot, CPUs: cpus, LegacyVirtio: target.legacyFor(arch, k)})
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
// On x86 boot, if not nil, is the boot disk.
func bootOnce(arch grade.Arch, k, img, boot []byte, cpus int, legacy bool) (time.Duration, uint64, error) {
	start := time.Now()
	d, err := disk.FromBytes(img)
	if err != nil {
		return 0, 0, err
	}
	defer d.Close()
	cfg := machine.Config{Kernel: k, Disk: d, CPUs: cpus, MaxTicks: 60 * machine.Timebase, LegacyVirtio: legacy}
	if arch == grade.X86 {
		cfg.Disk = nil
		if boot != nil {
			if cfg.Disk, err = disk.FromBytes(boot); err != nil {
				return 0, 0, err
			}
		}
	}
	m, err := newMachine(arch, cfg, d)
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
