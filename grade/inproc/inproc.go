// Package inproc is the grading backend that runs sessions on the
// in-process RISC-V virt machine: deterministic for a given kernel, image
// and seed, with timeouts in guest time so a loaded host grades the same.
//
// Every run gets a fresh machine and a copy-on-write disk over one shared,
// never-modified image. Output, guest time and instructions are bounded, and
// a wall-clock safety net interrupts a run that takes far longer in real
// time than its guest-time budget should, so no guest can hang the grader
// or exhaust memory.
package inproc

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine"
	"github.com/xv6emu/xv6emu/script"
)

// DefaultOutputLimit stops a run whose console grows past it.
const DefaultOutputLimit = 4 << 20

// Config describes the machine each run boots.
type Config struct {
	Kernel       []byte // RISC-V kernel ELF
	FS           []byte // xv6 file system image; nil boots with no disk
	CPUs         int    // harts; 0 means machine.DefaultCPUs
	Mem          uint64 // RAM bytes; 0 means machine.DefaultMem
	OutputLimit  int    // console bytes before a run is stopped; 0 means DefaultOutputLimit
	LegacyVirtio bool   // virtio-mmio version 1, for 2019-2020 xv6 kernels
	// WallLimit caps a run's real time given its guest-time timeout; nil
	// means DefaultWallLimit.
	WallLimit func(timeout time.Duration) time.Duration
}

// DefaultWallLimit gives a run two minutes plus ten times its guest-time
// budget of real time. Guest time always advances while the machine runs,
// so the guest-time budget ends every healthy or broken run long before;
// this only catches an emulator that stopped making progress, even on a
// badly overloaded host.
func DefaultWallLimit(timeout time.Duration) time.Duration {
	return 2*time.Minute + 10*timeout
}

// Backend runs sessions on fresh virt machines. It is safe for concurrent
// use.
type Backend struct {
	cfg Config
}

// New checks the kernel and image.
func New(cfg Config) (*Backend, error) {
	if cfg.OutputLimit == 0 {
		cfg.OutputLimit = DefaultOutputLimit
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = machine.DefaultCPUs
	}
	if cfg.WallLimit == nil {
		cfg.WallLimit = DefaultWallLimit
	}
	if err := grade.CheckKernel(cfg.Kernel); err != nil {
		return nil, err
	}
	if cfg.FS != nil {
		if err := grade.CheckFS(cfg.FS); err != nil {
			return nil, err
		}
	}
	return &Backend{cfg: cfg}, nil
}

// Name implements grade.Backend.
func (b *Backend) Name() string { return "xv6emu" }

// Run implements grade.Backend.
func (b *Backend) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	start := time.Now()
	o := b.run(ctx, spec)
	o.Wall = time.Since(start)
	return o
}

func (b *Backend) run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	var d *disk.Disk
	if b.cfg.FS != nil {
		var err error
		if d, err = disk.FromBytes(b.cfg.FS); err != nil {
			return failed(err)
		}
		defer d.Close()
	}
	ticks := guestTicks(spec.Timeout)
	m, err := machine.NewVirt(machine.Config{
		Kernel:       b.cfg.Kernel,
		Disk:         d,
		CPUs:         b.cfg.CPUs,
		Mem:          b.cfg.Mem,
		Seed:         spec.Seed,
		MaxTicks:     ticks,
		MaxInsns:     insnBudget(ticks, b.cfg.CPUs),
		OutputLimit:  b.cfg.OutputLimit,
		LegacyVirtio: b.cfg.LegacyVirtio,
	})
	if err != nil {
		return failed(err)
	}

	wall := b.cfg.WallLimit(spec.Timeout)
	safety := time.AfterFunc(wall, func() {
		m.Interrupt(fmt.Sprintf("wall-clock safety net: still running after %v of real time", wall))
	})
	defer safety.Stop()
	stopWatch := context.AfterFunc(ctx, func() { m.Interrupt("cancelled") })
	defer stopWatch()

	sess := script.New(spec.Commands, spec.Prompt)
	stop := m.Run(func() bool {
		in, done := sess.Step(m.Output())
		if in != "" {
			m.Type(in)
		}
		return done
	})
	o := grade.Outcome{
		Console: bytes.Clone(m.Output()),
		Guest:   time.Duration(m.Time()) * time.Second / machine.Timebase,
	}
	o.Ending, o.Reason = ending(stop, sess, spec.Timeout, b.cfg.OutputLimit)
	return o
}

// guestTicks converts a guest-time timeout to timebase ticks.
func guestTicks(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64(d/time.Millisecond) * (machine.Timebase / 1000)
}

// insnBudget is a backstop behind the guest-time budget: the most
// instructions cpus harts can retire in ticks of guest time, doubled.
func insnBudget(ticks uint64, cpus int) uint64 {
	return 2 * ticks * machine.InsnsPerTick * uint64(cpus)
}

// ending translates how the machine stopped into the grader's terms.
func ending(s machine.Stop, sess *script.Session, timeout time.Duration, outputLimit int) (grade.Ending, string) {
	switch s.Reason {
	case machine.StopCondition:
		return grade.Finished, ""
	case machine.StopTimeBudget, machine.StopInsnBudget:
		return grade.TimedOut, fmt.Sprintf("timeout (%v of guest time): still waiting for %s", timeout, sess.Waiting())
	case machine.StopPanic:
		return grade.Panicked, fmt.Sprintf("kernel panic: %q", s.Detail)
	case machine.StopIdle:
		return grade.Stuck, fmt.Sprintf("deadlock: every hart waits and nothing can wake one, while waiting for %s", sess.Waiting())
	case machine.StopOutputLimit:
		return grade.Flooded, fmt.Sprintf("the guest printed more than %d bytes", outputLimit)
	case machine.StopInterrupted:
		return grade.Aborted, s.Detail
	default:
		return grade.Exited, s.String()
	}
}

func failed(err error) grade.Outcome {
	return grade.Outcome{Ending: grade.Failed, Reason: err.Error()}
}
