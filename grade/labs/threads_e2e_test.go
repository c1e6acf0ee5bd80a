package labs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/kernel"
)

// TestThreadsLabFullMarks grades the threads lab in-process on our
// kernel and the embedded images, on both arches: every program is in
// the image and passes.
func TestThreadsLabFullMarks(t *testing.T) {
	if testing.Short() {
		t.Skip("boots ten machines per arch")
	}
	for _, arch := range grade.Arches {
		t.Run(string(arch), func(t *testing.T) {
			elf, fs, err := kernel.Pair(string(arch))
			require.NoError(t, err)
			b, err := inproc.New(inproc.Config{Arch: arch, Kernel: elf, FS: fs})
			require.NoError(t, err)
			rep, err := grade.Grade(context.Background(), labs.Threads(), grade.Options{Backend: b, Jobs: 2})
			require.NoError(t, err)
			for _, r := range rep.Tests {
				assert.True(t, r.Passed, "%s: %s", r.Name, r.Message)
			}
			assert.Equal(t, 100, rep.Score)
			assert.Equal(t, 100, rep.Possible)
		})
	}
}
