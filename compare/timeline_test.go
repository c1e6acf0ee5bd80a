package compare

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
)

func TestBarsPickWhatRanLongestPerColumn(t *testing.T) {
	tl := &Timeline{End: 2000, CPUs: [][]Segment{
		{{0, 1001, "user 0x1"}, {1001, 1002, "kernel"}, {1002, 2000, "user 0x2"}},
		{{0, 2000, "idle"}},
	}}
	bars := tl.Bars()
	require.Equal(t, []Bar{
		{CPU: 0, X: 0, W: 501, What: "user 0x1"},   // column 500 is half user 0x1, half kernel: the first wins
		{CPU: 0, X: 501, W: 499, What: "user 0x2"}, // the 1-tick kernel stretch is too short to show
		{CPU: 1, X: 0, W: 1000, What: "idle"},
	}, bars)
	assert.Equal(t, "#eeeeee", bars[2].Color())
	assert.NotEqual(t, bars[0].Color(), bars[1].Color(), "threads get different colours")
	assert.Nil(t, (*Timeline)(nil).Bars())
}

func TestHTMLDrawsTimelines(t *testing.T) {
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), fake("b", allPass, "result: 1\n"))
	res.Measured[1].Stats.Timeline = &Timeline{End: 100, CPUs: [][]Segment{{{0, 100, "user 0xabc"}}, {{0, 100, "kernel"}}}}
	var page bytes.Buffer
	require.NoError(t, res.WriteHTML(&page))
	s := page.String()
	assert.Equal(t, 1, strings.Count(s, "<svg"))
	assert.Contains(t, s, "Timeline: running tt on "+string(grade.X86))
	assert.Contains(t, s, "<title>cpu 0: user 0xabc</title>")
	assert.Contains(t, s, `<rect x="60" y="22" width="1000" height="16" fill="#9a9a9a"><title>cpu 1: kernel</title>`)
	tables := htmlTables(t, page.Bytes())
	assert.Len(t, tables, 3, "the timeline adds no table")
}
