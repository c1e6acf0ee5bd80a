package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad usage is refused with status 2 before anything boots.
func TestCompareUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, c := range []struct {
		name string
		f    compareFlags
		lab  string
		msg  string
	}{
		{"format", compareFlags{format: "xml", repeat: 1}, "kthread", `--format "xml"`},
		{"repeat", compareFlags{format: "text", repeat: 0}, "kthread", "--repeat 0"},
		{"cpus", compareFlags{format: "text", repeat: 1, cpus: 99}, "kthread", "--cpus 99"},
		{"lab", compareFlags{format: "text", repeat: 1}, "nolab", "nolab"},
		{"kernel file", compareFlags{format: "text", repeat: 1, images: [2][2]string{{}, {missing, ""}}}, "kthread", "--x86-kernel"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := runCompare(context.Background(), io.Discard, &c.f, c.lab, nil)
			require.Error(t, err)
			var ee *exitError
			require.True(t, errors.As(err, &ee), "%v", err)
			assert.Equal(t, exitUsage, ee.code)
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}
