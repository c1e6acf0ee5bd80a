package compare

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// Sharded usertests.
//
// A run is the unit of work a worker takes, and a comparison cannot end
// before its longest run. On our kernels that is x86 usertests, over half
// of all the comparison's work: were one worker to spend the whole
// comparison on it, exactly as the x86 grade does, the two would tie.
// Compare does not need the course's single usertests run (grade keeps
// it), so where a side's image holds our usertests, which runs a shard
// with `usertests -s K/N` (a share of its tests of about equal length),
// that side's usertests run can become N runs on machines of their own
// that the workers share with everything else. The case's verdict is still
// one: each shard is graded by the lab's own patterns, and the case passes
// only if every shard does.
//
// Splitting is not free: each shard repeats the whole run's boot and leak
// check (the leak check takes every free page twice; on x86 that is about
// a tenth of usertests' time). So by default compare splits only the
// costlier side's usertests, in two halves of about equal length. That
// side's runs start first (runBoth orders by cost), so with two workers
// each takes a half early on, and the other side's runs fill in beside
// them. It does so whatever the host's CPUs, so that the
// figures a comparison prints (a shard's leak check counts in its
// instructions) are the same on every host; with more workers the halves
// and the rest simply run at once.

// archCost is roughly the host CPU time a run of arch costs per second of
// its timeout, relative to RISC-V: our kernels' kthread runs took 2.5
// times as long on x86 (11.5 s of CPU against 4.5 s for RISC-V's, with
// RISC-V translated and x86 interpreted). Compare uses it only to order
// its runs and to choose which side to split; a wrong guess costs time,
// never a result.
func archCost(a grade.Arch) float64 {
	if a == grade.X86 {
		return 2.5
	}
	return 1
}

// shardUsage is in the usage message of a usertests that runs shards; a
// file system image holding it has one.
var shardUsage = []byte("usage: usertests [-q] [-s K/N] [testname]")

// HasShardedUsertests reports whether the file system image fs holds our
// usertests, which runs a shard of its tests with -s K/N.
func HasShardedUsertests(fs []byte) bool { return bytes.Contains(fs, shardUsage) }

// usertestsSharder is a backend that knows whether its image's usertests
// runs shards (*MachineBackend).
type usertestsSharder interface {
	ShardsUsertests() bool
}

// canShard reports whether side s's image runs usertests in shards.
func canShard(s Side) bool {
	sh, ok := s.Backend.(usertestsSharder)
	return ok && sh.ShardsUsertests()
}

// shardCounts is how many shards each side's usertests runs become (1:
// whole runs): opt.Shards on every side that can run them, or by default
// two on the side whose runs cost more, if it can.
func shardCounts(opt Options) [2]int {
	n := [2]int{1, 1}
	for i, s := range opt.Sides {
		switch {
		case !canShard(s):
		case opt.Shards > 0:
			n[i] = opt.Shards
		case archCost(s.Arch) > archCost(opt.Sides[1-i].Arch):
			n[i] = 2
		}
	}
	return n
}

// isUsertests reports whether t's run is a whole usertests run, which
// compare may shard.
func isUsertests(t *grade.Test) bool {
	return t.Run != nil && len(t.Run.Commands) == 1 && t.Run.Commands[0] == "usertests"
}

// runSpecs are the runs that stand for t's run with seed: the run itself,
// or its n shards. A shard keeps the whole run's timeout.
func runSpecs(t *grade.Test, seed uint64, n int) []grade.RunSpec {
	spec := t.Run.Spec(seed)
	if n <= 1 || !isUsertests(t) {
		return []grade.RunSpec{spec}
	}
	out := make([]grade.RunSpec, n)
	for k := range out {
		out[k] = spec
		out[k].Commands = []string{fmt.Sprintf("usertests -s %d/%d", k, n)}
	}
	return out
}

// compose records the outcome of t's run with seed from its shards, which
// runBoth made (any it could not make, it makes now), so that grading and
// the comparison see one run: on a pass, every shard's console in order;
// otherwise the consoles of the shards that failed, and the first one's
// ending. Guest time, instructions and counters are summed over all
// shards, and their timelines laid end to end.
func (r *recorder) compose(ctx context.Context, t *grade.Test, seed uint64, n int) {
	specs := runSpecs(t, seed, n)
	parts := make([]record, len(specs))
	var failed []int
	for k, spec := range specs {
		rec, ok := r.lookup(spec)
		if !ok {
			rec = r.safeRecord(ctx, spec)
		}
		parts[k] = rec
		if !shardPasses(ctx, t, spec, rec.outcome) {
			failed = append(failed, k)
		}
	}
	shown := failed
	if len(failed) == 0 {
		shown = make([]int, len(parts))
		for k := range shown {
			shown[k] = k
		}
	}
	var out record
	out.known = true
	o := &out.outcome
	for _, k := range shown {
		p := parts[k].outcome
		o.Console = append(o.Console, p.Console...)
		if o.Ending == grade.Finished && p.Ending != grade.Finished {
			o.Ending, o.Reason = p.Ending, p.Reason
		}
	}
	for _, p := range parts {
		o.Guest += p.outcome.Guest
		o.Wall = max(o.Wall, p.outcome.Wall)
		out.known = out.known && p.known
		out.stats.appendShard(p.stats)
	}
	r.mu.Lock()
	r.runs[keyOf(t.Run.Spec(seed))] = out
	r.mu.Unlock()
}

// shardPasses grades one shard's outcome with t's patterns, by the grader
// itself, so a shard passes exactly when a whole run with its console
// would.
func shardPasses(ctx context.Context, t *grade.Test, spec grade.RunSpec, o grade.Outcome) bool {
	one := &grade.Test{
		Name:   t.Name,
		Points: t.Points,
		Run:    &grade.Run{Commands: spec.Commands, Timeout: spec.Timeout, Prompt: spec.Prompt},
		Want:   t.Want,
		Reject: t.Reject,
	}
	lab := &grade.Lab{Name: "shard", Tests: []*grade.Test{one}}
	rep, err := grade.Grade(ctx, lab, grade.Options{Backend: replay{o}, Seed: spec.Seed, Jobs: 1})
	return err == nil && len(rep.Tests) == 1 && rep.Tests[0].Passed
}

// replay is a backend whose every run has the outcome o.
type replay struct{ o grade.Outcome }

func (replay) Name() string                                       { return "replay" }
func (r replay) Run(context.Context, grade.RunSpec) grade.Outcome { return r.o }

func (r *recorder) lookup(spec grade.RunSpec) (record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.runs[keyOf(spec)]
	return rec, ok
}

// safeRecord makes and records a run that prerun could not (a backend
// that panicked, or a cancelled comparison): a panic becomes a failed
// run, as the grader's own runs do.
func (r *recorder) safeRecord(ctx context.Context, spec grade.RunSpec) (rec record) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			rec = record{outcome: grade.Outcome{
				Console: fmt.Appendf(nil, "\nxv6emu: Go panic: %v\n%s", p, debug.Stack()),
				Ending:  grade.Failed,
				Reason:  fmt.Sprintf("emulator bug (please report it): Go panic: %v", p),
				Wall:    time.Since(start),
			}}
		}
	}()
	r.record(ctx, spec)
	rec, _ = r.lookup(spec)
	return rec
}

// appendShard adds the next shard's stats to s (which shares nothing with
// o afterwards): counters summed, thread entries kept in order, the
// timeline continued after s's.
func (s *Stats) appendShard(o Stats) {
	entries := append(s.Entries, o.Entries...)
	tl := s.Timeline
	s.Timeline = nil
	s.add(o)
	s.Entries = entries
	s.Timeline = tl.then(o.Timeline)
}

// clone is a copy of t that then may extend.
func (t *Timeline) clone() *Timeline {
	if t == nil {
		return nil
	}
	c := &Timeline{CPUs: make([][]Segment, len(t.CPUs)), Truncated: t.Truncated, End: t.End}
	for i, segs := range t.CPUs {
		c.CPUs[i] = append([]Segment(nil), segs...)
	}
	return c
}

// then appends timeline o to t (which it changes and returns), shifted to
// start where t ends.
func (t *Timeline) then(o *Timeline) *Timeline {
	if o == nil {
		return t
	}
	if t == nil {
		return o.clone()
	}
	for len(t.CPUs) < len(o.CPUs) {
		t.CPUs = append(t.CPUs, nil)
	}
	for i, segs := range o.CPUs {
		for _, seg := range segs {
			if len(t.CPUs[i]) >= maxSegments {
				t.Truncated = true
				break
			}
			seg.Start += t.End
			seg.End += t.End
			t.CPUs[i] = append(t.CPUs[i], seg)
		}
	}
	t.Truncated = t.Truncated || o.Truncated
	t.End += o.End
	return t
}
