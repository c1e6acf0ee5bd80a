// Package inproc is the grading backend that runs sessions on the
// in-process machine (the RISC-V virt board, or the i386 pc board for
// Arch x86): deterministic for a given kernel, image and seed, with
// timeouts in guest time so a loaded host grades the same.
//
// Every run gets a fresh machine and a copy-on-write disk over one shared,
// never-modified image. Every run is bounded four ways, so no guest can hang
// the grader or exhaust memory: guest time (the test's timeout), wall-clock
// time (the same figure by default: a grader on QEMU gives up then too, so
// a guest the host cannot run fast enough gets a "wall-timeout" verdict
// saying how far it got), console output (OutputLimit bytes, the only
// console memory a run holds) and trap storms (stopped at once).
package inproc

import (
	"context"
	"fmt"
	"io"
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
	Arch         grade.Arch // "" means grade.RISCV
	Kernel       []byte     // kernel ELF (on x86, a multiboot kernel; nil with BootDisk)
	FS           []byte     // xv6 file system image (on x86 the IDE slave); nil boots with no disk
	BootDisk     []byte     // x86 only: a boot-sector disk (classic xv6.img), the IDE master
	CPUs         int        // processors; 0 means the board's default
	Mem          uint64     // RAM bytes; 0 means the board's default
	OutputLimit  int        // console bytes before a run is stopped; 0 means DefaultOutputLimit
	LegacyVirtio bool       // virtio-mmio version 1, for 2019-2020 xv6 kernels
	// WallLimit caps a run's real time given its guest-time timeout; nil
	// means DefaultWallLimit.
	WallLimit func(timeout time.Duration) time.Duration
}

// DefaultWallLimit gives a run as much real time as its timeout: what
// gradelib gives a test on QEMU, so a grade never takes longer than the
// course's own would. A run that needs more stops with a WallClock
// verdict that says how much guest time it reached.
func DefaultWallLimit(timeout time.Duration) time.Duration { return timeout }

// ScaledWallLimit gives a run factor times its timeout of real time, for a
// slow or busy host.
func ScaledWallLimit(factor float64) func(time.Duration) time.Duration {
	return func(timeout time.Duration) time.Duration {
		return time.Duration(float64(timeout) * factor)
	}
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
	if cfg.Arch == "" {
		cfg.Arch = grade.RISCV
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = machine.DefaultCPUs
		if cfg.Arch == grade.X86 {
			cfg.CPUs = machine.PCDefaultCPUs
		}
	}
	if cfg.WallLimit == nil {
		cfg.WallLimit = DefaultWallLimit
	}
	if cfg.BootDisk != nil {
		if cfg.Arch != grade.X86 {
			return nil, fmt.Errorf("boot disk: only the x86 pc board boots from a disk")
		}
		if err := grade.CheckBootDisk(cfg.BootDisk); err != nil {
			return nil, err
		}
	}
	if cfg.Kernel != nil || cfg.BootDisk == nil {
		if err := grade.CheckKernelFor(cfg.Arch, cfg.Kernel); err != nil {
			return nil, err
		}
	}
	if cfg.FS != nil {
		if err := grade.CheckFSFor(cfg.Arch, cfg.FS); err != nil {
			return nil, err
		}
	}
	return &Backend{cfg: cfg}, nil
}

// Name implements grade.Backend.
func (b *Backend) Name() string { return "xv6emu" }

// CPUs is how many processors each run's board has.
func (b *Backend) CPUs() int { return b.cfg.CPUs }

// Run implements grade.Backend.
func (b *Backend) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	return b.RunProbed(ctx, spec, nil)
}

// A Probe watches one run's machine, for measurements the console cannot
// give (instruction counters, what each processor runs). Round is called
// after every round of the run loop (a few microseconds of guest time,
// never per instruction), End once when the run has stopped, before the
// machine is closed. A probe reads the machine; changing it would break
// the run's determinism.
type Probe interface {
	Round(m *machine.Machine)
	End(m *machine.Machine)
}

// RunProbed is Run with p (if not nil) watching the machine. A run that
// fails before its machine is built calls neither method.
func (b *Backend) RunProbed(ctx context.Context, spec grade.RunSpec, p Probe) grade.Outcome {
	start := time.Now()
	o := b.run(ctx, spec, p)
	o.Wall = time.Since(start)
	return o
}

func (b *Backend) run(ctx context.Context, spec grade.RunSpec, p Probe) grade.Outcome {
	var d *disk.Disk
	if b.cfg.FS != nil {
		var err error
		if d, err = disk.FromBytes(b.cfg.FS); err != nil {
			return failed(err)
		}
		defer d.Close()
	}
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = grade.DefaultTimeout // never "no bound"
	}
	ticks := guestTicks(timeout)
	console := &capped{limit: b.cfg.OutputLimit + consoleSlack, stream: spec.Console}
	var boot *disk.Disk
	if b.cfg.BootDisk != nil {
		var err error
		if boot, err = disk.FromBytes(b.cfg.BootDisk); err != nil {
			return failed(err)
		}
		defer boot.Close()
	}
	m, err := b.newMachine(d, boot, machine.Config{
		Kernel:       b.cfg.Kernel,
		Disk:         d,
		CPUs:         b.cfg.CPUs,
		Mem:          b.cfg.Mem,
		Seed:         spec.Seed,
		MaxTicks:     ticks,
		MaxInsns:     insnBudget(ticks, b.cfg.CPUs),
		OutputLimit:  b.cfg.OutputLimit,
		LegacyVirtio: b.cfg.LegacyVirtio,
		Console:      console,
		ConsoleTail:  consoleTail,
		WallLimit:    b.cfg.WallLimit(timeout),
	})
	if err != nil {
		return failed(err)
	}
	defer m.Close()
	stopWatch := context.AfterFunc(ctx, func() { m.Interrupt("cancelled") })
	defer stopWatch()

	sess := script.New(spec.Commands, spec.Prompt)
	var seen int64
	stop := m.Run(func() bool {
		if p != nil {
			p.Round(m)
		}
		var out []byte
		out, seen = m.OutputSince(seen)
		in, done := sess.Feed(out)
		if in != "" {
			m.Type(in)
		}
		return done
	})
	o := grade.Outcome{
		Console: console.buf,
		Guest:   time.Duration(m.Time()) * time.Second / machine.Timebase,
	}
	o.Ending, o.Reason = ending(stop, sess, timeout, b.cfg.OutputLimit)
	if p != nil {
		p.End(m)
	}
	return o
}

// consoleTail is what the machine keeps of the console for the session:
// prompts are found in each round's new output, far smaller than this.
const consoleTail = 64 << 10

// consoleSlack lets the capture hold what the guest prints in the round
// that crosses OutputLimit, so the console ends where the machine stopped.
const consoleSlack = 64 << 10

// capped keeps what a run prints, up to limit bytes: the console the
// grader matches and saves. Past the limit (the machine stops soon after)
// bytes are dropped rather than held.
// What is kept also goes to stream, if any, as it is printed.
type capped struct {
	buf    []byte
	limit  int
	stream io.Writer
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.limit - len(c.buf); room > 0 {
		p = p[:min(len(p), room)]
		c.buf = append(c.buf, p...)
		if c.stream != nil {
			_, _ = c.stream.Write(p)
		}
	}
	return n, nil
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
	case machine.StopWallClock:
		return grade.WallClock, fmt.Sprintf("wall-clock timeout (%v): %s, while waiting for %s", timeout, s.Detail, sess.Waiting())
	case machine.StopTrapStorm:
		return grade.TrapStorm, fmt.Sprintf("trap storm: %s, while waiting for %s", s.Detail, sess.Waiting())
	case machine.StopInterrupted:
		return grade.Aborted, s.Detail
	default:
		return grade.Exited, s.String()
	}
}

// newMachine builds the board of the backend's arch: on x86 the file
// system disk d is the IDE slave, as classic xv6 has it, and the boot
// disk boot the master.
func (b *Backend) newMachine(d, boot *disk.Disk, cfg machine.Config) (*machine.Machine, error) {
	if b.cfg.Arch != grade.X86 {
		return machine.NewVirt(cfg)
	}
	pc := machine.PCConfig{Config: cfg, Slave: d}
	pc.Disk = boot
	if len(b.cfg.Kernel) == 0 {
		pc.Kernel = nil
	}
	return machine.NewPC(pc)
}

func failed(err error) grade.Outcome {
	return grade.Outcome{Ending: grade.Failed, Reason: err.Error()}
}
