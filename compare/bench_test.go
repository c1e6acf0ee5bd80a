package compare

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
)

// BenchmarkKthreadVsGrades times a comparison of the kthread lab against
// each architecture's own grade of it, one after another in this process,
// each with one job per host CPU. The goal is a comparison that takes no
// longer than the slower grade: compare/slower is that ratio. The CPU
// figures tell its two parts apart: compare-cpu over grades-cpu is what
// the comparison costs beyond the two grades' own runs (its probes, its
// replayed grading), and with few host CPUs grades-cpu/CPUs bounds the
// comparison from below whatever its packing. Each wall time depends on
// the host's load: compare them within one run.
//
//	go test ./compare/ -run '^$' -bench KthreadVsGrades -benchtime 1x
func BenchmarkKthreadVsGrades(b *testing.B) { benchVsGrades(b, 0) }

// BenchmarkKthreadShardedVsGrades is the same with usertests in two shards
// whatever the host's CPUs (by default compare shards only with three or
// more jobs; see shard.go), to see whether sharding pays on this host.
func BenchmarkKthreadShardedVsGrades(b *testing.B) { benchVsGrades(b, 2) }

func benchVsGrades(b *testing.B, shards int) {
	if testing.Short() {
		b.Skip("grades the lab three times")
	}
	var cfgs [2]MachineConfig
	for i, arch := range []grade.Arch{grade.RISCV, grade.X86} {
		cfgs[i] = embeddedConfig(b, arch)
	}
	lab := labs.Kthread()
	ctx := context.Background()
	var wall, cpu [3]time.Duration // compare, grade riscv, grade x86
	for range b.N {
		var sides [2]Side
		for i, cfg := range cfgs {
			mb, err := NewMachineBackend(cfg)
			if err != nil {
				b.Fatal(err)
			}
			sides[i] = Side{Arch: cfg.Arch, Backend: mb}
		}
		w, c := time.Now(), processCPU(b)
		res, err := Run(ctx, lab, Options{Sides: sides, Seed: 1, Shards: shards})
		if err != nil {
			b.Fatal(err)
		}
		wall[0] += time.Since(w)
		cpu[0] += processCPU(b) - c
		if !res.OK() {
			b.Fatalf("compare: %s", res.Summary())
		}
		for i, cfg := range cfgs {
			be, err := inproc.New(inproc.Config{Arch: cfg.Arch, Kernel: cfg.Kernel, FS: cfg.FS,
				WallLimit: inproc.ScaledWallLimit(cfg.WallFactor)})
			if err != nil {
				b.Fatal(err)
			}
			w, c := time.Now(), processCPU(b)
			rep, err := grade.Grade(ctx, lab, grade.Options{Backend: be, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			wall[1+i] += time.Since(w)
			cpu[1+i] += processCPU(b) - c
			if !rep.FullMarks() {
				b.Fatalf("grade %s: %d/%d", cfg.Arch, rep.Score, rep.Possible)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(wall[0].Seconds()/n, "compare-s")
	b.ReportMetric(wall[1].Seconds()/n, "grade-riscv-s")
	b.ReportMetric(wall[2].Seconds()/n, "grade-x86-s")
	b.ReportMetric(float64(wall[0])/float64(max(wall[1], wall[2])), "compare/slower")
	b.ReportMetric(cpu[0].Seconds()/n, "compare-cpu-s")
	b.ReportMetric((cpu[1]+cpu[2]).Seconds()/n, "grades-cpu-s")
	b.ReportMetric(float64(runtime.NumCPU()), "CPUs")
}

// processCPU is the user and system time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
