package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
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

// --format html writes the same self-contained page as --html, to
// standard output, with the text output's figures in it.
func TestCompareFormatHTML(t *testing.T) {
	if testing.Short() {
		t.Skip("runs threadtest on both boards")
	}
	var text, page bytes.Buffer
	f := compareFlags{format: "text", repeat: 1, wallFactor: 1}
	require.NoError(t, runCompare(context.Background(), &text, &f, "kthread", []string{"threadtest"}))
	f.format = "html"
	require.NoError(t, runCompare(context.Background(), &page, &f, "kthread", []string{"threadtest"}))
	assert.True(t, strings.HasPrefix(page.String(), "<!DOCTYPE html>"), page.String()[:min(80, page.Len())])
	// The instruction counts of the text's first row appear in the page.
	row := strings.Fields(strings.Split(text.String(), "\n")[2])
	require.GreaterOrEqual(t, len(row), 7, text.String())
	assert.Contains(t, page.String(), row[4], "riscv instructions")
	assert.Contains(t, page.String(), row[6], "x86 instructions")
}
