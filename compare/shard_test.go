package compare

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/labs"
)

// sharding is a backend whose image's usertests runs shards.
type sharding struct{ grade.Backend }

func (sharding) ShardsUsertests() bool { return true }

// userLab is miniLab with a usertests case as kthread has it.
func userLab() *grade.Lab {
	lab := miniLab()
	lab.Tests = append(lab.Tests, &grade.Test{
		Name:   "usertests",
		Points: 10,
		Run:    &grade.Run{Commands: []string{"usertests"}, Timeout: 300 * time.Second},
		Want:   []string{`^ALL TESTS PASSED$`},
	})
	return lab
}

const (
	shard0 = "usertests starting: shard 0/2\ntest a: OK\nALL TESTS PASSED\n"
	shard1 = "usertests starting: shard 1/2\ntest b: OK\nALL TESTS PASSED\n"
	whole  = "usertests starting\ntest a: OK\ntest b: OK\nALL TESTS PASSED\n"
)

// userFake answers usertests whole and in two shards, the second shard
// printing s1.
func userFake(name, s1 string) *fakeShell {
	f := fake(name, allPass, "result: 1\n")
	f.programs["usertests"] = whole
	f.programs["usertests -s 0/2"] = shard0
	f.programs["usertests -s 1/2"] = s1
	return f
}

// loggedRuns wraps f to log the commands of every run it makes.
func loggedRuns(f *fakeShell) (loggingShell, *[]string) {
	var log []string
	var running, most int
	return loggingShell{f, new(sync.Mutex), &log, &running, &most}, &log
}

func compareUser(t *testing.T, a, b grade.Backend, shards int) *Result {
	t.Helper()
	res, err := Run(context.Background(), userLab(), Options{
		Sides:  [2]Side{{grade.RISCV, a}, {grade.X86, b}},
		Jobs:   2,
		Shards: shards,
	})
	require.NoError(t, err)
	return res
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestUsertestsRunsAsShards(t *testing.T) {
	la, loga := loggedRuns(userFake("a", shard1))
	lb, _ := loggedRuns(userFake("b", shard1))
	res := compareUser(t, sharding{la}, sharding{lb}, 2)
	assert.True(t, res.OK(), res.Summary())
	assert.Equal(t, []string{"a probe", "a tt", "a usertests -s 0/2", "a usertests -s 1/2"}, sorted(*loga),
		"two shards, never the whole run")
	row := res.Rows[len(res.Rows)-1]
	require.Equal(t, "usertests", row.Case)
	for i := range row.Cells {
		c := row.Cells[i]
		assert.Equal(t, "ok", c.Verdict)
		assert.InDelta(t, 2.0, c.Guest, 1e-9, "guest time summed over the shards")
		assert.Equal(t, []string{"ALL TESTS PASSED"}, c.Matched)
	}
	assert.False(t, row.Differs)
	assert.Equal(t, 10, res.Reports[1].Tests[len(res.Reports[1].Tests)-1].Score)
}

// One failing shard fails the case on its arch, and the difference shows
// that shard's console.
func TestFailingShardFailsTheCase(t *testing.T) {
	bad := "usertests starting: shard 1/2\ntest b: FAILED\nSOME TESTS FAILED (1)\n"
	res := compareUser(t, sharding{userFake("a", shard1)}, sharding{userFake("b", bad)}, 2)
	assert.False(t, res.OK())
	row := res.Rows[len(res.Rows)-1]
	assert.True(t, row.Differs)
	assert.Equal(t, "verdict+output", row.Why)
	assert.Equal(t, "ok", row.Cells[0].Verdict)
	assert.Equal(t, "FAIL", row.Cells[1].Verdict)
	assert.Contains(t, row.Cells[1].Excerpt, "SOME TESTS FAILED (1)")
	assert.NotContains(t, row.Cells[1].Excerpt, "ALL TESTS PASSED", "the passing shard is left out")
	assert.Empty(t, row.Cells[1].Matched)
	assert.Equal(t, 25, res.Reports[1].Score)
	assert.Equal(t, 35, res.Reports[0].Score)
}

// A shard that ends early fails the case with its ending.
func TestShardEndingShown(t *testing.T) {
	b := userFake("b", shard1)
	res := compareUser(t, sharding{userFake("a", shard1)}, sharding{panicky{b, "usertests -s 0/2"}}, 2)
	row := res.Rows[len(res.Rows)-1]
	assert.Equal(t, "FAIL", row.Cells[1].Verdict)
	assert.Equal(t, "error", row.Cells[1].Ending)
	assert.Contains(t, row.Cells[1].Message, "Go panic: fake backend bug")
	assert.Equal(t, "ok", res.Rows[0].Cells[1].Verdict, "the other runs are not affected")
}

// Whole runs on a side whose image cannot run shards, with Shards 1, and
// by default on the side that costs less (a, RISC-V), whatever the jobs.
func TestWholeUsertestsUnlessSharded(t *testing.T) {
	cases := []struct {
		name   string
		a, b   func(grade.Backend) grade.Backend
		shards int
	}{
		{"this side cannot", plain, shardable, 2},
		{"shards 1", shardable, shardable, 1},
		{"default", shardable, shardable, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			la, log := loggedRuns(userFake("a", shard1))
			res := compareUser(t, c.a(la), c.b(userFake("b", shard1)), c.shards)
			assert.True(t, res.OK(), res.Summary())
			assert.Equal(t, []string{"a probe", "a tt", "a usertests"}, sorted(*log))
			row := res.Rows[len(res.Rows)-1]
			assert.Equal(t, []string{"ALL TESTS PASSED"}, row.Cells[0].Matched)
			assert.InDelta(t, 1.0, row.Cells[0].Guest, 1e-9)
		})
	}
	both := Options{Sides: [2]Side{{grade.RISCV, sharding{}}, {grade.X86, sharding{}}}}
	assert.Equal(t, [2]int{1, 2}, shardCounts(both), "only the costlier side")
	both.Shards = 3
	assert.Equal(t, [2]int{3, 3}, shardCounts(both))
	same := Options{Sides: [2]Side{{grade.RISCV, sharding{}}, {grade.RISCV, sharding{}}}}
	assert.Equal(t, [2]int{1, 1}, shardCounts(same), "neither costs more")
	oneSide := Options{Sides: [2]Side{{grade.RISCV, sharding{}}, {grade.X86, nil}}}
	assert.Equal(t, [2]int{1, 1}, shardCounts(oneSide))
	oneSide.Shards = 2
	assert.Equal(t, [2]int{2, 1}, shardCounts(oneSide))
}

func shardable(b grade.Backend) grade.Backend { return sharding{b} }
func plain(b grade.Backend) grade.Backend     { return b }

// panicky is a backend that panics on one command.
type panicky struct {
	*fakeShell
	cmd string
}

func (p panicky) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	if strings.Join(spec.Commands, ";") == p.cmd {
		panic("fake backend bug")
	}
	return p.fakeShell.Run(ctx, spec)
}

// Each shard's stats are summed and its timeline continues the last.
func TestShardStatsAndTimelines(t *testing.T) {
	a := Stats{CPUs: 2, Insns: 10, Counters: Counters{Syscalls: 3, Atomics: map[string]uint64{"xchg": 1}, Entries: []Entry{{PC: 1}}},
		Timeline: &Timeline{CPUs: [][]Segment{{{0, 5, "kernel"}}, {{0, 5, "idle"}}}, End: 5}}
	b := Stats{CPUs: 2, Insns: 20, Counters: Counters{Syscalls: 4, Atomics: map[string]uint64{"xchg": 2}, Entries: []Entry{{PC: 2}}},
		Timeline: &Timeline{CPUs: [][]Segment{{{0, 7, "user 0x10"}}, {}}, End: 7}}
	var s Stats
	s.appendShard(a)
	s.appendShard(b)
	assert.Equal(t, uint64(30), s.Insns)
	assert.Equal(t, uint64(7), s.Syscalls)
	assert.Equal(t, map[string]uint64{"xchg": 3}, s.Atomics)
	assert.Equal(t, []Entry{{PC: 1}, {PC: 2}}, s.Entries)
	assert.Equal(t, uint64(12), s.Timeline.End)
	assert.Equal(t, []Segment{{0, 5, "kernel"}, {5, 12, "user 0x10"}}, s.Timeline.CPUs[0])
	assert.Equal(t, []Segment{{0, 5, "idle"}}, s.Timeline.CPUs[1])
	// The shards' own stats are left as they were.
	assert.Equal(t, map[string]uint64{"xchg": 1}, a.Atomics)
	assert.Equal(t, uint64(5), a.Timeline.End)
	assert.Len(t, a.Timeline.CPUs[0], 1)
}

func TestHasShardedUsertests(t *testing.T) {
	assert.True(t, HasShardedUsertests([]byte("\x00xx usage: usertests [-q] [-s K/N] [testname]\n")))
	assert.False(t, HasShardedUsertests([]byte("Usage: usertests [-c] [-C] [-q] [testname]\n")), "MIT's")
}

// Our usertests in shards on both boards: every shard passes its leak
// check and last line, the case passes on both, and its figures are the
// shards' sums.
func TestOurUsertestsInShards(t *testing.T) {
	slow(t)
	var sides [2]Side
	var logs [2]*[]string
	for i, arch := range []grade.Arch{grade.RISCV, grade.X86} {
		cfg := embeddedConfig(t, arch)
		require.True(t, HasShardedUsertests(cfg.FS), "%s image", arch)
		b, err := NewMachineBackend(cfg)
		require.NoError(t, err)
		sides[i] = Side{Arch: arch, Backend: b}
		logs[i] = new([]string)
		sides[i].Backend = commandLog{b, logs[i], new(sync.Mutex)}
	}
	res, err := Run(context.Background(), labs.Kthread(), Options{Sides: sides, Only: []string{"usertests"}, Jobs: 2, Shards: 2})
	require.NoError(t, err)
	assert.True(t, res.OK(), res.Summary())
	require.Len(t, res.Rows, 1)
	row := res.Rows[0]
	for i, m := range res.Measured {
		assert.Equal(t, []string{"usertests -s 0/2", "usertests -s 1/2"}, sorted(*logs[i]), m.Arch)
		c := row.Cells[i]
		assert.Equal(t, "ok", c.Verdict, m.Arch)
		assert.Equal(t, []string{"ALL TESTS PASSED"}, c.Matched)
		assert.True(t, m.Known)
		assert.Equal(t, c.Insns, m.Stats.Insns)
		assert.Greater(t, m.Stats.Syscalls, uint64(10000), m.Arch)
		require.NotNil(t, m.Stats.Timeline)
		assert.InDelta(t, c.Guest, float64(m.Stats.Timeline.End)/Timebase, 1e-6, "the shards' timelines end to end")
	}
}

// commandLog is a MachineBackend that logs each run's commands.
type commandLog struct {
	*MachineBackend
	log *[]string
	mu  *sync.Mutex
}

func (c commandLog) RunStats(ctx context.Context, spec grade.RunSpec) (grade.Outcome, Stats) {
	c.mu.Lock()
	*c.log = append(*c.log, strings.Join(spec.Commands, ";"))
	c.mu.Unlock()
	return c.MachineBackend.RunStats(ctx, spec)
}

func (c commandLog) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	o, _ := c.RunStats(ctx, spec)
	return o
}
