package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/script"
)

// fakeShell is a backend playing sessions against a pretend shell: each
// command prints programs[command], or ends the run early with end when
// set. It drives the real script.Session, so prompts behave as on a board.
type fakeShell struct {
	name     string
	programs map[string]string
	end      grade.Ending // for every run; Finished runs normally
	mu       sync.Mutex
	runs     int
}

func (f *fakeShell) Name() string { return f.name }

func (f *fakeShell) Run(_ context.Context, spec grade.RunSpec) grade.Outcome {
	f.mu.Lock()
	f.runs++
	f.mu.Unlock()
	console := []byte("boot\n" + spec.Prompt)
	s := script.New(spec.Commands, spec.Prompt)
	fed := 0
	for {
		in, done := s.Feed(console[fed:])
		fed = len(console)
		if done {
			return grade.Outcome{Console: console, Guest: time.Second}
		}
		if in == "" {
			return grade.Outcome{Console: console, Ending: grade.Stuck, Reason: "no prompt"}
		}
		cmd := strings.TrimSuffix(in, "\n")
		console = append(console, in...)
		console = append(console, f.programs[cmd]...)
		if f.end != grade.Finished {
			return grade.Outcome{Console: console, Ending: f.end, Reason: "ended early: " + f.end.String()}
		}
		console = append(console, spec.Prompt...)
	}
}

// miniLab is a lab shaped like kthread: a run with children matched on
// its console, and a second run with a looser pattern.
func miniLab() *grade.Lab {
	run := &grade.Test{Name: "running tt", Run: &grade.Run{Commands: []string{"tt"}}}
	return &grade.Lab{Name: "mini", Tests: []*grade.Test{
		run,
		{Name: "tt: test1", Points: 10, Parent: run, Want: []string{`^TEST1 PASSED$`}},
		{Name: "tt: test2", Points: 10, Parent: run, Want: []string{`^TEST2 PASSED$`}},
		{Name: "probe", Points: 5, Run: &grade.Run{Commands: []string{"probe"}}, Want: []string{`^result: \d+`}},
	}}
}

const allPass = "TEST1 PASSED\nTEST2 PASSED\n"

func compareFakes(t *testing.T, a, b *fakeShell) *Result {
	t.Helper()
	res, err := Run(context.Background(), miniLab(), Options{
		Sides: [2]Side{{grade.RISCV, a}, {grade.X86, b}},
		Jobs:  2,
	})
	require.NoError(t, err)
	return res
}

func fake(name, tt, probe string) *fakeShell {
	return &fakeShell{name: name, programs: map[string]string{"tt": tt, "probe": probe}}
}

func TestSameOnBothArches(t *testing.T) {
	a, b := fake("a", allPass, "result: 1\n"), fake("b", allPass, "result: 1\n")
	res := compareFakes(t, a, b)
	assert.True(t, res.OK())
	assert.Equal(t, 0, res.Differences())
	assert.Equal(t, 2, a.runs)
	assert.Equal(t, 2, b.runs)
	require.Len(t, res.Rows, 4)
	for _, row := range res.Rows {
		assert.False(t, row.Differs, row.Case)
		assert.Nil(t, row.Cells[0].Excerpt, "excerpts only for differences")
	}
	assert.Equal(t, []string{"TEST2 PASSED"}, res.Rows[2].Cells[1].Matched)
	// The fake backend measures nothing: the second table says so.
	require.Len(t, res.Measured, 4)
	assert.False(t, res.Measured[0].Known)
	var out bytes.Buffer
	require.NoError(t, res.WriteText(&out))
	assert.Contains(t, out.String(), "Score: riscv 25/25, x86 25/25; no differences")
	assert.NotContains(t, out.String(), "Difference:")
}

func TestVerdictDifference(t *testing.T) {
	bad := "TEST1 PASSED\nTEST2 FAILED: arguments arrived as 2 1\n"
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), fake("b", bad, "result: 1\n"))
	assert.False(t, res.OK())
	assert.Equal(t, 1, res.Differences())
	row := res.Rows[2]
	assert.Equal(t, "tt: test2", row.Case)
	assert.True(t, row.Differs)
	assert.Equal(t, "verdict+output", row.Why)
	assert.Equal(t, "ok", row.Cells[0].Verdict)
	assert.Equal(t, "FAIL", row.Cells[1].Verdict)
	assert.Contains(t, row.Cells[0].Excerpt, "TEST2 PASSED")
	assert.Contains(t, row.Cells[1].Excerpt, "TEST2 FAILED: arguments arrived as 2 1")

	var out bytes.Buffer
	require.NoError(t, res.WriteText(&out))
	s := out.String()
	assert.Contains(t, s, "DIFFERS (verdict+output)")
	assert.Contains(t, s, "Difference: tt: test2 (verdict+output)")
	assert.Contains(t, s, "    | TEST2 FAILED: arguments arrived as 2 1\n")
	assert.Contains(t, s, "Score: riscv 25/25, x86 15/25; 1 case(s) differ")
}

// Both pass, but the line the pattern matched is not the same: the
// observable output differs.
func TestOutputDifference(t *testing.T) {
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), fake("b", allPass, "result: 2\n"))
	assert.False(t, res.OK(), "a difference fails the comparison even with full marks")
	row := res.Rows[3]
	assert.True(t, row.Differs)
	assert.Equal(t, "output", row.Why)
	assert.Equal(t, []string{"result: 1"}, row.Cells[0].Matched)
	assert.Equal(t, []string{"result: 2"}, row.Cells[1].Matched)
}

// A run that ends early on one arch fails its cases there; the ending is
// shown.
func TestEndingShown(t *testing.T) {
	b := fake("b", "TEST1 PASSED\npanic: oops\n", "result: 1\n")
	b.end = grade.Panicked
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), b)
	assert.Equal(t, "panic", res.Rows[0].Cells[1].Ending)
	assert.Equal(t, "finished", res.Rows[0].Cells[0].Ending)
	assert.False(t, res.Rows[1].Differs, "test1 passed on both")
	assert.True(t, res.Rows[2].Differs)
	assert.Contains(t, res.Rows[2].Cells[1].Excerpt, "panic: oops")
}

func TestRepeatSumsSeeds(t *testing.T) {
	a, b := fake("a", allPass, "result: 1\n"), fake("b", allPass, "result: 1\n")
	res, err := Run(context.Background(), miniLab(), Options{
		Sides:  [2]Side{{grade.RISCV, a}, {grade.X86, b}},
		Repeat: 3, Seed: 5,
	})
	require.NoError(t, err)
	assert.Equal(t, 6, a.runs)
	assert.InDelta(t, 3.0, res.Rows[0].Cells[0].Guest, 1e-9, "guest time summed over 3 seeds")
	assert.True(t, res.OK())
}

func TestMarkdownAndJSON(t *testing.T) {
	bad := "TEST1 PASSED\nTEST2 FAILED: x|y\n"
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), fake("b", bad, "result: 1\n"))
	var md bytes.Buffer
	require.NoError(t, res.WriteMarkdown(&md))
	s := md.String()
	assert.Contains(t, s, "| case | riscv | x86 | riscv insns | riscv guest s | x86 insns | x86 guest s | differs |\n| --- |")
	assert.Contains(t, s, "| tt: test2 | ok | FAIL |   |   |   |   | DIFFERS (verdict+output) |")
	assert.Contains(t, s, "    | TEST2 FAILED: x|y\n    | $ \n```\n")

	var js bytes.Buffer
	require.NoError(t, res.WriteJSON(&js))
	var back Result
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, res.Rows, back.Rows)
	assert.Equal(t, res.Arches, back.Arches)
}

// htmlTables parses the page (it is well-formed enough for encoding/xml
// in HTML mode) and returns each table's cells, header row first.
func htmlTables(t *testing.T, page []byte) [][][]string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var tables [][][]string
	var cell *strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "table":
				tables = append(tables, nil)
			case "tr":
				tables[len(tables)-1] = append(tables[len(tables)-1], nil)
			case "td", "th":
				cell = &strings.Builder{}
			}
		case xml.CharData:
			if cell != nil {
				cell.Write(tok)
			}
		case xml.EndElement:
			if (tok.Name.Local == "td" || tok.Name.Local == "th") && cell != nil {
				tb := tables[len(tables)-1]
				tb[len(tb)-1] = append(tb[len(tb)-1], cell.String())
				cell = nil
			}
		}
	}
	return tables
}

// The page holds the very cells the text output prints, and escapes
// console text.
func TestHTMLHoldsTheTables(t *testing.T) {
	bad := "TEST1 PASSED\nTEST2 FAILED: <script>alert(1)</script>\n"
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), fake("b", bad, "result: 1\n"))
	var page bytes.Buffer
	require.NoError(t, res.WriteHTML(&page))
	assert.NotContains(t, page.String(), "<script>")
	assert.Contains(t, page.String(), "&lt;script&gt;")
	tables := htmlTables(t, page.Bytes())
	require.Len(t, tables, 3)
	for i, want := range res.Tables() {
		assert.Equal(t, append([][]string{want.Header}, want.Rows...), tables[i], "table %d", i)
	}
	assert.Contains(t, page.String(), `class="differs"`)
}

func TestNoBackend(t *testing.T) {
	_, err := Run(context.Background(), miniLab(), Options{Sides: [2]Side{{Arch: grade.RISCV}, {Arch: grade.X86}}})
	assert.ErrorContains(t, err, "no backend for riscv")
}

// loggingShell is a fakeShell that logs which runs start, in order, and
// how many run at once at most.
type loggingShell struct {
	*fakeShell
	mu      *sync.Mutex
	log     *[]string
	running *int
	most    *int
}

func (l loggingShell) Run(ctx context.Context, spec grade.RunSpec) grade.Outcome {
	l.mu.Lock()
	*l.log = append(*l.log, l.name+" "+strings.Join(spec.Commands, ","))
	*l.running++
	*l.most = max(*l.most, *l.running)
	l.mu.Unlock()
	time.Sleep(5 * time.Millisecond) // for others to start meanwhile, were they let
	o := l.fakeShell.Run(ctx, spec)
	l.mu.Lock()
	*l.running--
	l.mu.Unlock()
	return o
}

// Both sides' runs share one pool of Jobs workers, costliest first (the
// timeout times the side's archCost: b is x86), and each is made once
// however many times grading asks for it.
func TestRunsShareOnePoolCostliestFirst(t *testing.T) {
	lab := miniLab()
	lab.Tests[3].Run.Timeout = time.Minute // probe outlasts tt's 30 s default
	for _, jobs := range []int{1, 3} {
		var mu sync.Mutex
		var log []string
		var running, most int
		side := func(name string) loggingShell {
			return loggingShell{fake(name, allPass, "result: 1\n"), &mu, &log, &running, &most}
		}
		a, b := side("a"), side("b")
		res, err := Run(context.Background(), lab, Options{
			Sides:  [2]Side{{grade.RISCV, a}, {grade.X86, b}},
			Jobs:   jobs,
			Repeat: 2,
		})
		require.NoError(t, err)
		assert.True(t, res.OK(), res.Summary())
		assert.Equal(t, 4, a.runs, "2 runs x 2 seeds, each once")
		assert.Equal(t, 4, b.runs)
		assert.LessOrEqual(t, most, jobs)
		// Grading replays the runs; its elapsed time is theirs.
		assert.GreaterOrEqual(t, res.Reports[1].Elapsed, 0.005*float64(8/jobs))
		require.Len(t, log, 8)
		if jobs == 1 {
			// Workers racing for the queue may log starts out of order;
			// one worker cannot.
			assert.Equal(t, []string{"b probe", "b probe", "b tt", "b tt",
				"a probe", "a probe", "a tt", "a tt"}, log)
		}
	}
}
