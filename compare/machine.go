package compare

import (
	"context"
	"fmt"
	"time"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine"
	"github.com/xv6emu/xv6emu/script"
)

// Stats are what the emulator measured of one run, read from the board and
// its processors after the run (never from the guest's output).
type Stats struct {
	CPUs  int    `json:"cpus"`
	Insns uint64 `json:"instructions"` // retired by all processors
	// Skipped is guest time, in instruction slots summed over the
	// processors, that no instruction ran in: processors waiting (wfi,
	// hlt) or in a spin loop the run loop skipped ahead.
	Skipped uint64 `json:"skipped_slots"`
	Counters
	// Timeline is which thread ran on which processor over guest time.
	// It is left out of JSON (tens of thousands of segments); the HTML
	// page draws it.
	Timeline *Timeline `json:"-"`
}

// SkippedSeconds is Skipped as guest seconds of one processor.
func (s Stats) SkippedSeconds() float64 {
	return float64(s.Skipped) / machine.InsnsPerTick / machine.Timebase
}

// MachineConfig describes the board a MachineBackend boots.
type MachineConfig struct {
	Arch   grade.Arch
	Kernel []byte // RISC-V ELF, or an i386 multiboot kernel on x86
	FS     []byte // file system image (virtio disk, or the IDE slave on x86)
	CPUs   int    // 0 means the board's default
	// OutputLimit stops a run whose console grows past it; 0 means 4 MiB.
	OutputLimit int
	// WallFactor scales each run's guest-time timeout into its wall-clock
	// bound; 0 means 1 (what a grader on QEMU gives).
	WallFactor float64
}

// MachineBackend is a grade.Backend running sessions on a fresh in-process
// board, like grade/inproc, that also reports each run's Stats. It has its
// own run loop because grade/inproc returns only the console: the counters
// must be read from the machine before it is closed.
type MachineBackend struct {
	cfg MachineConfig
}

// NewMachineBackend checks the kernel and image for cfg.Arch.
func NewMachineBackend(cfg MachineConfig) (*MachineBackend, error) {
	if cfg.Arch == "" {
		cfg.Arch = grade.RISCV
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = machine.DefaultCPUs
		if cfg.Arch == grade.X86 {
			cfg.CPUs = machine.PCDefaultCPUs
		}
	}
	if cfg.OutputLimit == 0 {
		cfg.OutputLimit = 4 << 20
	}
	if cfg.WallFactor <= 0 {
		cfg.WallFactor = 1
	}
	if err := grade.CheckKernelFor(cfg.Arch, cfg.Kernel); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Arch, err)
	}
	if err := grade.CheckFSFor(cfg.Arch, cfg.FS); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Arch, err)
	}
	return &MachineBackend{cfg: cfg}, nil
}

// Name implements grade.Backend.
func (b *MachineBackend) Name() string { return "xv6emu-" + string(b.cfg.Arch) }

// Run implements grade.Backend.
func (b *MachineBackend) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	o, _ := b.RunStats(ctx, spec)
	return o
}

// RunStats runs spec and returns its outcome and what was measured.
func (b *MachineBackend) RunStats(ctx context.Context, spec grade.RunSpec) (grade.Outcome, Stats) {
	start := time.Now()
	o, st := b.run(ctx, spec)
	o.Wall = time.Since(start)
	return o, st
}

func (b *MachineBackend) run(ctx context.Context, spec grade.RunSpec) (grade.Outcome, Stats) {
	st := Stats{CPUs: b.cfg.CPUs}
	d, err := disk.FromBytes(b.cfg.FS)
	if err != nil {
		return failed(err), st
	}
	defer d.Close()
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = grade.DefaultTimeout
	}
	ticks := uint64(timeout/time.Millisecond) * (machine.Timebase / 1000)
	console := &capped{limit: b.cfg.OutputLimit + 64<<10}
	cfg := machine.Config{
		Kernel:      b.cfg.Kernel,
		Disk:        d,
		CPUs:        b.cfg.CPUs,
		Seed:        spec.Seed,
		MaxTicks:    ticks,
		MaxInsns:    2 * ticks * machine.InsnsPerTick * uint64(b.cfg.CPUs),
		OutputLimit: b.cfg.OutputLimit,
		Console:     console,
		WallLimit:   time.Duration(float64(timeout) * b.cfg.WallFactor),
	}
	var m *machine.Machine
	if b.cfg.Arch == grade.X86 {
		cfg.Mem = machine.PCDefaultMem
		cfg.Disk = nil
		m, err = machine.NewPC(machine.PCConfig{Config: cfg, Slave: d})
	} else {
		m, err = machine.NewVirt(cfg)
	}
	if err != nil {
		return failed(err), st
	}
	defer m.Close()
	stopWatch := context.AfterFunc(ctx, func() { m.Interrupt("cancelled") })
	defer stopWatch()

	sess := script.New(spec.Commands, spec.Prompt)
	var seen int64
	tl := newTimelineRecorder(b.cfg.CPUs)
	stop := m.Run(func() bool {
		tl.sample(m)
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
	o.Ending, o.Reason = ending(stop, sess, timeout)
	st.Insns = m.Retired()
	if slots := m.Time() * machine.InsnsPerTick * uint64(b.cfg.CPUs); slots > st.Insns {
		st.Skipped = slots - st.Insns
	}
	st.Counters = readCounters(m)
	tl.sample(m)
	st.Timeline = &tl.tl
	return o, st
}

// ending maps how the machine stopped to the grader's terms, as
// grade/inproc does.
func ending(s machine.Stop, sess *script.Session, timeout time.Duration) (grade.Ending, string) {
	switch s.Reason {
	case machine.StopCondition:
		return grade.Finished, ""
	case machine.StopTimeBudget, machine.StopInsnBudget:
		return grade.TimedOut, fmt.Sprintf("timeout (%v of guest time): still waiting for %s", timeout, sess.Waiting())
	case machine.StopPanic:
		return grade.Panicked, fmt.Sprintf("kernel panic: %q", s.Detail)
	case machine.StopIdle:
		return grade.Stuck, fmt.Sprintf("deadlock: every processor waits and nothing can wake one, while waiting for %s", sess.Waiting())
	case machine.StopOutputLimit:
		return grade.Flooded, "the guest printed too much"
	case machine.StopWallClock:
		return grade.WallClock, fmt.Sprintf("wall-clock timeout (%v): %s", timeout, s.Detail)
	case machine.StopTrapStorm:
		return grade.TrapStorm, fmt.Sprintf("trap storm: %s", s.Detail)
	case machine.StopInterrupted:
		return grade.Aborted, s.Detail
	default:
		return grade.Exited, s.String()
	}
}

// capped keeps up to limit bytes of console; the machine stops soon after
// its own output limit, so the rest is dropped.
type capped struct {
	buf   []byte
	limit int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.limit - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func failed(err error) grade.Outcome {
	return grade.Outcome{Ending: grade.Failed, Reason: err.Error()}
}
