package compare

import (
	"context"
	"fmt"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/machine"
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
	// HandOvers are the lock hand-overs seen (see handover.go).
	HandOvers HandOvers `json:"lock_handovers"`
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
	// OutputLimit stops a run whose console grows past it; 0 means
	// inproc's default.
	OutputLimit int
	// WallFactor scales each run's guest-time timeout into its wall-clock
	// bound; 0 means 1 (what a grader on QEMU gives).
	WallFactor float64
}

// MachineBackend is a grade.Backend running sessions on grade/inproc's
// in-process boards that also reports each run's Stats, read through a
// probe from the machine as it runs and before it is closed.
type MachineBackend struct {
	arch   grade.Arch
	inner  *inproc.Backend
	shards bool // the image's usertests runs shards
}

// NewMachineBackend checks the kernel and image for cfg.Arch.
func NewMachineBackend(cfg MachineConfig) (*MachineBackend, error) {
	if cfg.Arch == "" {
		cfg.Arch = grade.RISCV
	}
	if cfg.WallFactor <= 0 {
		cfg.WallFactor = 1
	}
	if len(cfg.FS) == 0 {
		return nil, fmt.Errorf("%s: no file system image", cfg.Arch)
	}
	inner, err := inproc.New(inproc.Config{
		Arch:        cfg.Arch,
		Kernel:      cfg.Kernel,
		FS:          cfg.FS,
		CPUs:        cfg.CPUs,
		OutputLimit: cfg.OutputLimit,
		WallLimit:   inproc.ScaledWallLimit(cfg.WallFactor),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Arch, err)
	}
	return &MachineBackend{arch: cfg.Arch, inner: inner, shards: HasShardedUsertests(cfg.FS)}, nil
}

// ShardsUsertests reports whether the image's usertests runs shards.
func (b *MachineBackend) ShardsUsertests() bool { return b.shards }

// Name implements grade.Backend.
func (b *MachineBackend) Name() string { return "xv6emu-" + string(b.arch) }

// Run implements grade.Backend.
func (b *MachineBackend) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	o, _ := b.RunStats(ctx, spec)
	return o
}

// RunStats runs spec and returns its outcome and what was measured.
func (b *MachineBackend) RunStats(ctx context.Context, spec grade.RunSpec) (grade.Outcome, Stats) {
	cpus := b.inner.CPUs()
	p := statsProbe{st: Stats{CPUs: cpus}, tl: newTimelineRecorder(cpus), hand: newHandOverWatch(cpus)}
	o := b.inner.RunProbed(ctx, spec, &p)
	return o, p.st
}

// statsProbe samples the timeline and watches for lock hand-overs every
// round, and reads the counters at the end of a run.
type statsProbe struct {
	st   Stats
	tl   *timelineRecorder
	hand *handOverWatch
}

func (p *statsProbe) Round(m *machine.Machine) {
	p.tl.sample(m)
	p.hand.observe(m)
}

func (p *statsProbe) End(m *machine.Machine) {
	p.st.Insns = m.Retired()
	if slots := m.Time() * machine.InsnsPerTick * uint64(p.st.CPUs); slots > p.st.Insns {
		p.st.Skipped = slots - p.st.Insns
	}
	p.st.Counters = readCounters(m)
	p.tl.sample(m)
	p.st.Timeline = &p.tl.tl
	p.hand.observe(m)
	p.st.HandOvers = p.hand.n
}
