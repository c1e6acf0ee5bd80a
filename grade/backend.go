package grade

import (
	"context"
	"io"
	"time"
)

// Backend boots machines and plays sessions on them. Run is called from
// several goroutines at once, one run per call; each run must start from a
// fresh machine and a pristine copy of the file system image.
type Backend interface {
	// Name identifies the backend in reports, e.g. "xv6emu" or "qemu".
	Name() string
	// Run boots a machine, plays spec's session on it and returns the
	// console. It returns when the session is over, the timeout passes,
	// the run ends otherwise, or ctx is cancelled.
	Run(ctx context.Context, spec RunSpec) Outcome
}

// RunSpec is one machine session.
type RunSpec struct {
	Commands []string
	Prompt   string
	// Timeout is guest time in-process (where the wall-clock limit is the
	// same figure), wall-clock time on QEMU.
	Timeout time.Duration
	Seed    uint64 // interleaving seed; 0 is the fixed schedule
	// Console, if not nil, may be given the console as the guest prints
	// it (the grader's results file), besides Outcome.Console. Writes to
	// it never fail.
	Console io.Writer
}

// Ending says how a run ended.
type Ending int

const (
	Finished Ending = iota // the prompt came back after the last command
	TimedOut               // the timeout passed first
	Panicked               // the kernel printed a "panic: " line
	Stuck                  // every hart waits and nothing can wake one
	Flooded                // the guest printed more than the output limit
	Exited                 // the machine powered off or the emulator exited
	Aborted                // stopped from outside: cancelled
	Failed                 // the run could not happen at all (bad kernel, no QEMU)
	// WallClock: the wall-clock limit passed before the guest reached its
	// guest-time timeout (the host could not run it fast enough). As on
	// QEMU at the same wall-clock deadline, it is a timeout.
	WallClock
	TrapStorm // a hart trapped over and over without retiring an instruction
)

var endingNames = [...]string{
	Finished:  "finished",
	TimedOut:  "timeout",
	Panicked:  "panic",
	Stuck:     "deadlock",
	Flooded:   "output-limit",
	Exited:    "exited",
	Aborted:   "aborted",
	Failed:    "error",
	WallClock: "wall-timeout",
	TrapStorm: "trap-storm",
}

func (e Ending) String() string {
	if e >= 0 && int(e) < len(endingNames) {
		return endingNames[e]
	}
	return "unknown"
}

// Outcome is what a run produced.
type Outcome struct {
	Console []byte
	Ending  Ending
	// Reason explains any ending but Finished in one line, e.g.
	// `kernel panic: "panic: sched locks"`.
	Reason string
	Guest  time.Duration // guest time the run took, when the backend knows it
	Wall   time.Duration // real time the run took
}

// Unrunnable is a backend whose every run fails with err: for a kernel or
// image that cannot be booted at all, so that each test still gets a FAIL
// with the reason and the report is complete.
func Unrunnable(name string, err error) Backend { return unrunnable{name, err} }

type unrunnable struct {
	name string
	err  error
}

func (u unrunnable) Name() string { return u.name }

func (u unrunnable) Run(context.Context, RunSpec) Outcome {
	return Outcome{Ending: Failed, Reason: u.err.Error()}
}
