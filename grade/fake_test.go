package grade

import (
	"context"
	"github.com/xv6emu/xv6emu/script"
	"strings"
	"sync"
	"time"
)

// program is a fake user program: given the run's seed it returns what it
// prints and, unless the run goes on normally, how the run ends there.
type program func(seed uint64) (out string, end Ending)

func prints(out string) program {
	return func(uint64) (string, Ending) { return out, Finished }
}

// fakeShell is a Backend that plays sessions against a pretend xv6 shell:
// it prints a boot banner and a prompt, echoes what is typed, runs the
// program named by the command and prints a prompt again. It drives the
// real Session, so the prompt logic is tested end to end without a machine.
type fakeShell struct {
	boot     string
	programs map[string]program
	wall     time.Duration // reported as each run's wall time

	mu        sync.Mutex
	runs      []RunSpec
	active    int
	maxActive int
	delay     time.Duration // how long each run takes, to observe parallelism
}

func (f *fakeShell) Name() string { return "fake" }

func (f *fakeShell) Run(ctx context.Context, spec RunSpec) Outcome {
	f.mu.Lock()
	f.runs = append(f.runs, spec)
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return Outcome{Ending: Aborted, Reason: "cancelled", Wall: f.wall}
		}
	}

	console := []byte(f.boot + spec.Prompt)
	s := script.New(spec.Commands, spec.Prompt)
	for {
		in, done := s.Step(console)
		if done {
			return Outcome{Console: console, Ending: Finished, Wall: f.wall}
		}
		if in == "" {
			return Outcome{Console: console, Ending: TimedOut,
				Reason: "timeout: waiting for " + s.Waiting(), Wall: f.wall}
		}
		console = append(console, in...)
		name := strings.Fields(in)[0]
		p, ok := f.programs[name]
		if !ok {
			p = prints("exec " + name + " failed\n")
		}
		out, end := p(spec.Seed)
		console = append(console, out...)
		switch end {
		case Finished:
			console = append(console, spec.Prompt...)
		case TimedOut:
			// The program never returns; the loop notices no prompt.
		default:
			return Outcome{Console: console, Ending: end, Reason: end.String() + " in " + name, Wall: f.wall}
		}
	}
}

// specs returns the runs made so far.
func (f *fakeShell) specs() []RunSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]RunSpec(nil), f.runs...)
}
