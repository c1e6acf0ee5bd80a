package labs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
)

// counted counts the runs of each command; a command listed in hang never
// returns to the prompt.
type counted struct {
	shell
	hang string
	mu   sync.Mutex
	runs map[string]int
}

func (c *counted) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	c.mu.Lock()
	if c.runs == nil {
		c.runs = map[string]int{}
	}
	c.runs[spec.Commands[0]]++
	c.mu.Unlock()
	o := c.shell.Run(ctx, spec)
	if spec.Commands[0] == c.hang {
		o.Console = []byte(strings.TrimSuffix(string(o.Console), spec.Prompt))
		o.Ending, o.Reason = grade.TimedOut, "timeout"
	}
	return o
}

func cases(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "TEST%d PASSED\n", i)
	}
	return b.String()
}

func TestProbeChoosesFromThreadtestOutput(t *testing.T) {
	def, err := Choose("kthread", Sources{})
	require.NoError(t, err)
	require.True(t, def.Default)
	require.True(t, NeedsProbe(def, nil))
	assert.False(t, NeedsProbe(def, []string{"usertests"}), "no threadtest run to look at")
	six, err := Choose("kthread", Sources{Version: "6"})
	require.NoError(t, err)
	assert.False(t, NeedsProbe(six, nil), "the version is already known")

	b := &counted{shell: shell{"threadtest": "clone test\n" + cases(6), "usertests": "ALL TESTS PASSED\n"}}
	c, gb := Probe(context.Background(), def, b, 0)
	assert.Equal(t, "lab kthread, 6-test version (threadtest's output ends at TEST6)", c.String())
	results := t.TempDir()
	rep, err := grade.Grade(context.Background(), c.Lab, grade.Options{Backend: gb, Results: results})
	require.NoError(t, err)
	assert.Equal(t, 100, rep.Score)
	saved, err := os.ReadFile(filepath.Join(results, "kthread", "running_threadtest.out"))
	require.NoError(t, err)
	assert.Contains(t, string(saved), "clone test\nTEST1 PASSED\n", "the replayed console is saved too")
	assert.Equal(t, map[string]int{"threadtest": 1, "usertests": 1}, b.runs, "the probe's run is graded, not run again")

	// Only the probe's seed is answered from it; other seeds run.
	for probeSeed, want := range map[uint64]int{1: 2, 5: 3} {
		b = &counted{shell: shell{"threadtest": cases(6)}}
		_, gb = Probe(context.Background(), def, b, probeSeed)
		_, err = grade.Grade(context.Background(), c.Lab, grade.Options{Backend: gb, Repeat: 2, Seed: 1})
		require.NoError(t, err)
		assert.Equal(t, want, b.runs["threadtest"], "probe seed %d", probeSeed)
	}

	for name, sh := range map[string]*counted{
		"our own 21 cases":   {shell: shell{"threadtest": cases(21)}},
		"no cases":           {shell: shell{"threadtest": "exec threadtest failed\n"}},
		"a run that hangs":   {shell: shell{"threadtest": cases(6)}, hang: "threadtest"},
		"eight cases":        {shell: shell{"threadtest": cases(8)}},
		"cases inside lines": {shell: shell{"threadtest": "xTEST6 PASSED\n"}},
	} {
		c, _ := Probe(context.Background(), def, sh, 0)
		assert.Equal(t, 8, threadCases(c.Lab), name)
		if name == "our own 21 cases" {
			assert.Equal(t, "lab kthread, 8-test version (the default: threadtest's output ends at TEST21, the last case of no version)", c.String())
		}
	}
}
