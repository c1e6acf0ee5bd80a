package compare

import (
	"fmt"

	"github.com/xv6emu/xv6emu/machine"
)

// A timeline says, per processor, which thread ran when over guest time:
// sampled at the end of every round of the run loop (a few microseconds
// of guest time), never per instruction. A thread is known by where its
// trapframe is (sscratch on RISC-V, the iret frame on x86), the same key
// as the thread-start table.

// Segment is a stretch of guest time on one processor.
type Segment struct {
	Start uint64 `json:"start_ticks"` // guest timebase ticks
	End   uint64 `json:"end_ticks"`
	// What ran: "user <trapframe>", "kernel" or "idle".
	What string `json:"what"`
}

// maxSegments bounds a processor's timeline; later changes are dropped
// and the timeline is marked truncated.
const maxSegments = 100_000

// Timeline is one run's per-processor segments.
type Timeline struct {
	CPUs      [][]Segment `json:"cpus"`
	Truncated bool        `json:"truncated,omitempty"`
	End       uint64      `json:"end_ticks"`
}

// Timebase is guest timebase ticks per second.
const Timebase = machine.Timebase

type timelineRecorder struct {
	tl    Timeline
	keys  []uint64
	kinds []int
}

func newTimelineRecorder(cpus int) *timelineRecorder {
	return &timelineRecorder{
		tl:    Timeline{CPUs: make([][]Segment, cpus)},
		keys:  make([]uint64, cpus),
		kinds: make([]int, cpus),
	}
}

const (
	kindNone = iota
	kindIdle
	kindKernel
	kindUser
)

// sample notes what each processor of m is doing now.
func (r *timelineRecorder) sample(m *machine.Machine) {
	now := m.Time()
	r.tl.End = now
	for i := range r.tl.CPUs {
		kind, key := kindKernel, uint64(0)
		if m.PC() {
			c := m.X86(i)
			switch {
			case c.Halted():
				kind = kindIdle
			case c.CPL() == 3:
				kind, key = kindUser, uint64(c.UserFrame())
			}
		} else {
			h := m.Hart(i)
			switch {
			case h.Waiting():
				kind = kindIdle
			case h.Priv() == 0:
				tf, _ := h.DebugReadCSR(0x140) // sscratch
				kind, key = kindUser, tf
			}
		}
		segs := r.tl.CPUs[i]
		if r.kinds[i] == kind && r.keys[i] == key && len(segs) > 0 {
			segs[len(segs)-1].End = now
			continue
		}
		if len(segs) > 0 {
			segs[len(segs)-1].End = now
		}
		if len(segs) >= maxSegments {
			r.tl.Truncated = true
			continue
		}
		r.kinds[i], r.keys[i] = kind, key
		r.tl.CPUs[i] = append(segs, Segment{Start: now, End: now, What: label(kind, key)})
	}
}

func label(kind int, key uint64) string {
	switch kind {
	case kindIdle:
		return "idle"
	case kindUser:
		return "user " + hex(key)
	}
	return "kernel"
}

// timelineWidth is the SVG width in pixels; each pixel column shows what
// ran longest in it, which bounds the page's size whatever the run.
const timelineWidth = 1000

// Bar is a run of pixel columns showing one thing on one processor.
type Bar struct {
	CPU, X, W int
	What      string
}

// Bars reduces the timeline to at most timelineWidth bars per processor.
func (t *Timeline) Bars() []Bar {
	if t == nil || t.End == 0 {
		return nil
	}
	var bars []Bar
	for cpu, segs := range t.CPUs {
		cols := make([]string, timelineWidth)
		best := make([]uint64, timelineWidth)
		// In units of ticks*timelineWidth column x is [x*End, (x+1)*End),
		// so the overlaps are exact whatever End is.
		for _, s := range segs {
			start, end := s.Start*timelineWidth, s.End*timelineWidth
			for x := int(s.Start * timelineWidth / t.End); x < timelineWidth; x++ {
				lo, hi := uint64(x)*t.End, uint64(x+1)*t.End
				if lo >= end {
					break
				}
				if hi > start {
					if d := min(hi, end) - max(lo, start); d > best[x] {
						best[x], cols[x] = d, s.What
					}
				}
			}
		}
		for x := 0; x < timelineWidth; x++ {
			if cols[x] == "" {
				continue
			}
			if n := len(bars); n > 0 && bars[n-1].CPU == cpu && bars[n-1].What == cols[x] && bars[n-1].X+bars[n-1].W == x {
				bars[n-1].W++
				continue
			}
			bars = append(bars, Bar{CPU: cpu, X: x, W: 1, What: cols[x]})
		}
	}
	return bars
}

// Color is a bar's fill: grey for the kernel, light for idle, and a hue
// per thread from its trapframe address.
func (b Bar) Color() string {
	switch b.What {
	case "idle":
		return "#eeeeee"
	case "kernel":
		return "#9a9a9a"
	}
	h := uint32(2166136261)
	for i := 0; i < len(b.What); i++ {
		h = (h ^ uint32(b.What[i])) * 16777619
	}
	return fmt.Sprintf("hsl(%d,65%%,55%%)", h%360)
}
