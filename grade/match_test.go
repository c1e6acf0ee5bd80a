package grade

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustCompile(t *testing.T, sources ...string) []pattern {
	t.Helper()
	ps, err := compileAll(sources)
	require.NoError(t, err)
	return ps
}

func TestSplitLines(t *testing.T) {
	assert.Nil(t, splitLines(nil))
	assert.Equal(t, []string{"a", "b"}, splitLines([]byte("a\nb\n")))
	assert.Equal(t, []string{"a", "b"}, splitLines([]byte("a\r\nb")))
	assert.Equal(t, []string{"a", "", "$ "}, splitLines([]byte("a\n\n$ ")))
}

func TestMatchLinesAllFound(t *testing.T) {
	console := []byte("$ threadtest\nTEST1 PASSED\nTEST2 PASSED\n$ ")
	assert.Nil(t, matchLines(console, mustCompile(t, `^TEST1 PASSED$`, `TEST2 PASSED`), nil))
}

func TestMatchLinesAnchorsAtLineStart(t *testing.T) {
	// re.match semantics: the pattern must match at the start of a line.
	console := []byte("xTEST1 PASSED\nTEST1 PASSED!\n")
	m := matchLines(console, mustCompile(t, `TEST1 PASSED$`), nil)
	require.NotNil(t, m)
	assert.Nil(t, matchLines(console, mustCompile(t, `TEST1 PASSED`), nil))
	assert.Nil(t, matchLines(console, mustCompile(t, `.*TEST1 PASSED$`), nil))
}

func TestMatchLinesMissingShowsGoodContextAndTail(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ threadtest\nTEST1 PASSED\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "noise %d\n", i)
	}
	b.WriteString("$ ")
	m := matchLines([]byte(b.String()), mustCompile(t, `^TEST1 PASSED$`, `^TEST2 PASSED$`), nil)
	require.NotNil(t, m)
	var want []string
	want = append(want,
		"     $ threadtest",
		"GOOD TEST1 PASSED",
		"     noise 0",
		"     noise 1",
		"...")
	for i := 11; i < 30; i++ {
		want = append(want, fmt.Sprintf("     noise %d", i))
	}
	want = append(want, "     $ ", "MISSING '^TEST2 PASSED$'")
	assert.Equal(t, strings.Join(want, "\n"), m.render(false))
}

func TestMatchLinesRejectedLine(t *testing.T) {
	console := []byte("a\nb\nc\nd\ne\nf\npanic: oops\ng\n")
	m := matchLines(console, mustCompile(t, `^a$`), mustCompile(t, `panic:`))
	require.NotNil(t, m)
	assert.Equal(t, strings.Join([]string{
		"GOOD a",
		"     b",
		"     c",
		"...",
		"     e",
		"     f",
		"BAD  panic: oops",
		"     g",
		"unexpected lines in output",
	}, "\n"), m.render(false))
}

func TestMatchLinesColour(t *testing.T) {
	m := matchLines([]byte("x\n"), mustCompile(t, `y`), mustCompile(t, `x`))
	got := m.render(true)
	assert.Contains(t, got, "\033[31mBAD \033[0m x")
	assert.Contains(t, got, "\033[31mMISSING\033[0m 'y'")
	m = matchLines([]byte("y\nz\n"), mustCompile(t, `y`, `w`), nil)
	assert.Contains(t, m.render(true), "\033[32mGOOD\033[0m y")
}

func TestMatchLinesEmptyConsole(t *testing.T) {
	m := matchLines(nil, mustCompile(t, `^ALL TESTS PASSED$`), nil)
	assert.Equal(t, "(the console is empty)\nMISSING '^ALL TESTS PASSED$'", m.render(false))
}

func TestPrintableEscapesAndCuts(t *testing.T) {
	assert.Equal(t, "a\\x1b[31mb\tc", printable("a\x1b[31mb\tc"))
	assert.Equal(t, `\xff\x7f`, printable("\xff\x7f"))
	assert.Equal(t, "héllo", printable("héllo"))
	long := printable(strings.Repeat("x", 5000))
	assert.Equal(t, strings.Repeat("x", maxShownLine)+"... (4800 more bytes)", long)
}

func TestCompileLineRejectsBadPattern(t *testing.T) {
	_, err := compileLine("(")
	assert.ErrorContains(t, err, `bad pattern "("`)
}
