package compare

// End-to-end: the kthread lab's threadtest run on both boards with our
// kernels, and single-arch mutants of them built from kernel/src in a
// scratch copy. Without the embedded images or the cross compilers the
// tests skip, except under CI, where that is a failure.

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/internal/kbuild"
	"github.com/xv6emu/xv6emu/kernel"
)

func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("boots xv6 on both boards: skipped in -short mode")
	}
}

// embeddedConfig is the embedded kernel and image of arch.
func embeddedConfig(t testing.TB, arch grade.Arch) MachineConfig {
	t.Helper()
	var k, f []byte
	var err error
	if arch == grade.X86 {
		if k, err = kernel.X86Kernel(); err == nil {
			f, err = kernel.X86FS()
		}
	} else if k, err = kernel.RISCVKernel(); err == nil {
		f, err = kernel.RISCVFS()
	}
	if err != nil {
		kbuild.Unavailable(t, "embedded images missing (%v); run 'make images'", err)
	}
	// A generous wall bound: CI hosts are shared, and a wall-clock
	// verdict would be a flaky difference.
	return MachineConfig{Arch: arch, Kernel: k, FS: f, WallFactor: 10}
}

// compareThreadtest compares the threadtest run (and its cases) of the lab
// on the two configurations.
func compareThreadtest(t *testing.T, rv, x MachineConfig) *Result {
	t.Helper()
	var sides [2]Side
	for i, cfg := range []MachineConfig{rv, x} {
		b, err := NewMachineBackend(cfg)
		require.NoError(t, err)
		sides[i] = Side{Arch: cfg.Arch, Backend: b}
	}
	res, err := Run(context.Background(), labs.Kthread(), Options{Sides: sides, Only: []string{"threadtest", "locks"}, Jobs: 2})
	require.NoError(t, err)
	return res
}

func TestOurKernelsAgree(t *testing.T) {
	slow(t)
	res := compareThreadtest(t, embeddedConfig(t, grade.RISCV), embeddedConfig(t, grade.X86))
	assert.True(t, res.OK(), "%s", res.Summary())
	assert.Equal(t, 0, res.Differences())
	assert.Len(t, res.Rows, 1+8+11)
	for i, want := range []string{"amoswap.w", "xchg"} {
		require.Len(t, res.Measured, 2)
		m := res.Measured[i]
		assert.True(t, m.Known)
		assert.Equal(t, string(res.Arches[i]), m.Arch)
		s := m.Stats
		assert.Equal(t, res.Rows[0].Cells[i].Insns, s.Insns)
		// threadtest makes hundreds of system calls, switches address
		// spaces and takes spinlocks with the arch's swap instruction.
		assert.Greater(t, s.Syscalls, uint64(100), m.Arch)
		assert.Greater(t, s.ASwitches, uint64(100), m.Arch)
		// threadtest's threads take turns on every processor.
		assert.Greater(t, s.Switches, uint64(100), m.Arch)
		assert.Greater(t, s.Atomics[want], uint64(1000), "%s: %v", m.Arch, s.Atomics)
		// Threads on several processors contend for kernel spinlocks;
		// each wait the emulator stopped ends in a hand-over.
		assert.Greater(t, s.HandOvers.Kernel, uint64(10), m.Arch)
		assert.Greater(t, s.Insns, uint64(1e6))
	}
	_, x86Only := res.Measured[0].Stats.Atomics["xchg"]
	assert.False(t, x86Only, "RISC-V has no xchg")

	// Thread starts: on RISC-V each thread has its own trapframe page
	// below TRAPFRAME and starts with sp at the top of its stack page; on
	// x86 sp points at the fake return PC with arg1 and arg2 above it,
	// 12 bytes below the top of the page.
	rv, x := res.Measured[0].Stats.ThreadStarts(), res.Measured[1].Stats.ThreadStarts()
	require.GreaterOrEqual(t, len(rv), 2)
	tfs := make(map[uint64]bool)
	for _, e := range rv {
		tfs[e.Trapframe] = true
		assert.Less(t, e.Trapframe, uint64(0x3fffffe000), "below TRAPFRAME")
		assert.Zero(t, e.SP&0xfff, "sp %#x", e.SP)
	}
	assert.GreaterOrEqual(t, len(tfs), 2, "threads have trapframes of their own")
	threads := 0
	for _, e := range x {
		if e.SP&0xfff == 0xff4 {
			threads++
		}
	}
	assert.GreaterOrEqual(t, threads, 2, "%+v", x)

	// Timelines: one lane per processor, segments in order up to the
	// run's end, several user threads seen on each arch.
	for i, m := range res.Measured {
		tl := m.Stats.Timeline
		require.NotNil(t, tl, m.Arch)
		assert.Len(t, tl.CPUs, m.Stats.CPUs)
		assert.False(t, tl.Truncated)
		assert.InDelta(t, res.Rows[0].Cells[i].Guest, float64(tl.End)/Timebase, 1e-6)
		users := make(map[string]bool)
		for _, segs := range tl.CPUs {
			var last uint64
			for _, s := range segs {
				assert.LessOrEqual(t, last, s.Start)
				assert.LessOrEqual(t, s.Start, s.End)
				last = s.End
				if strings.HasPrefix(s.What, "user ") {
					users[s.What] = true
				}
			}
		}
		assert.GreaterOrEqual(t, len(users), 3, "%s: %v", m.Arch, users)
	}
}

// Single-arch bugs show as differences, on the cases that bug breaks and
// on that arch only.
func TestMutantsDiffer(t *testing.T) {
	slow(t)
	cases := []struct {
		patch  string
		arch   grade.Arch
		target string // make target
		built  string // kernel under build/
		fails  string // a case that must differ
	}{
		{"x86-clone-swaps-args.patch", grade.X86, "x86-kernel", "x86/kernel", "threadtest: test2"},
		{"riscv-clone-forgets-a1.patch", grade.RISCV, "kernel", "riscv/kernel", "threadtest: test2"},
		// Threads trample the main thread's trapframe: the run breaks
		// down at once (x86 keeps trapframes on kernel stacks).
		{"riscv-thread-trapframe-shared.patch", grade.RISCV, "kernel", "riscv/kernel", "threadtest: test1"},
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.patch, ".patch"), func(t *testing.T) {
			rv, x := embeddedConfig(t, grade.RISCV), embeddedConfig(t, grade.X86)
			mut := &rv
			if c.arch == grade.X86 {
				mut = &x
			}
			mut.Kernel = buildMutant(t, c.patch, c.target, c.built)
			res := compareThreadtest(t, rv, x)
			assert.False(t, res.OK())
			bad := 1
			if c.arch == grade.RISCV {
				bad = 0
			}
			var differs []string
			for _, row := range res.Rows {
				if !row.Differs {
					continue
				}
				differs = append(differs, row.Case)
				assert.Equal(t, "ok", row.Cells[1-bad].Verdict, "%s passes on the other arch", row.Case)
				assert.Equal(t, "FAIL", row.Cells[bad].Verdict, row.Case)
				assert.NotEmpty(t, row.Cells[bad].Excerpt)
			}
			assert.Contains(t, differs, c.fails)
			assert.Less(t, res.Reports[bad].Score, res.Reports[1-bad].Score)
			assert.True(t, res.Reports[1-bad].FullMarks())
		})
	}
}

// buildMutant builds the make target in a scratch copy of kernel/src
// with testdata/patch applied, returning the kernel at build/built.
func buildMutant(t *testing.T, patch, target, built string) []byte {
	t.Helper()
	cc := kbuild.RISCVCompiler
	if strings.HasPrefix(target, "x86") {
		cc = kbuild.X86Compiler
	}
	kbuild.Need(t, "make", "patch", cc)
	tr := kbuild.New(t, kbuild.Root(t))
	tr.Patch(t, filepath.Join("testdata", patch))
	tr.Make(t, target)
	return tr.Read(t, built)
}
