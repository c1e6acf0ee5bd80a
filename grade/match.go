package grade

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// tailLines is how many of the last console lines a failure shows when an
// expected line is missing (gradelib shows 5; a little more context helps).
const tailLines = 20

// contextLines is how many lines around each matched or rejected line a
// failure shows, as gradelib does.
const contextLines = 2

// maxShownLine bounds how much of one console line a failure shows: a guest
// that floods output without newlines must not flood the report too.
const maxShownLine = 200

// kind says how a line of a failure message is shown.
type kind uint8

const (
	kindText    kind = iota // a note, shown as is
	kindPlain               // a console line shown for context
	kindGood                // a console line that matched a wanted pattern
	kindBad                 // a console line that matched a rejected pattern
	kindGap                 // console lines left out
	kindMissing             // a wanted pattern no line matched
)

type msgLine struct {
	kind kind
	text string
}

// message explains a failure. It is rendered with or without colour.
type message []msgLine

func (m *message) add(k kind, text string) { *m = append(*m, msgLine{k, text}) }

// note appends a free-form line.
func (m *message) note(format string, args ...any) {
	m.add(kindText, fmt.Sprintf(format, args...))
}

const (
	ansiReset = "\033[0m"
	ansiRed   = "\033[31m"
	ansiGreen = "\033[32m"
)

func paint(color bool, code, s string) string {
	if !color {
		return s
	}
	return code + s + ansiReset
}

// render lays the message out as gradelib does: a marker column before
// console lines, "..." for gaps, MISSING lines last.
func (m message) render(color bool) string {
	var b strings.Builder
	for i, l := range m {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch l.kind {
		case kindText:
			b.WriteString(l.text)
		case kindPlain:
			b.WriteString("     " + l.text)
		case kindGood:
			b.WriteString(paint(color, ansiGreen, "GOOD") + " " + l.text)
		case kindBad:
			b.WriteString(paint(color, ansiRed, "BAD ") + " " + l.text)
		case kindGap:
			b.WriteString("...")
		case kindMissing:
			b.WriteString(paint(color, ansiRed, "MISSING") + " '" + l.text + "'")
		}
	}
	return b.String()
}

// pattern is a compiled Want or Reject entry.
type pattern struct {
	source string
	re     *regexp.Regexp
}

func compileAll(sources []string) ([]pattern, error) {
	ps := make([]pattern, 0, len(sources))
	for _, s := range sources {
		re, err := compileLine(s)
		if err != nil {
			return nil, err
		}
		ps = append(ps, pattern{s, re})
	}
	return ps, nil
}

// splitLines splits console output into lines the way Python's
// splitlines does for a serial console: "\n" ends a line, a "\r" before it
// is dropped, and a final unterminated line still counts.
func splitLines(console []byte) []string {
	if len(console) == 0 {
		return nil
	}
	console = bytes.TrimSuffix(console, []byte("\n"))
	parts := bytes.Split(console, []byte("\n"))
	lines := make([]string, len(parts))
	for i, p := range parts {
		lines[i] = string(bytes.TrimSuffix(p, []byte("\r")))
	}
	return lines
}

// matchLines checks console against the wanted and rejected patterns. It
// returns nil when every wanted pattern matches some line and no line
// matches a rejected one; otherwise a gradelib-style explanation: the
// matched and rejected lines with some context, the console's last lines
// if something is missing, and each missing pattern.
func matchLines(console []byte, want, reject []pattern) message {
	lines := splitLines(console)
	remaining := append([]pattern(nil), want...)
	good := make(map[int]bool)
	bad := make(map[int]bool)
	for i, line := range lines {
		kept := remaining[:0]
		for _, p := range remaining {
			if p.re.MatchString(line) {
				good[i] = true
			} else {
				kept = append(kept, p)
			}
		}
		remaining = kept
		for _, p := range reject {
			if p.re.MatchString(line) {
				bad[i] = true
				break
			}
		}
	}
	if len(remaining) == 0 && len(bad) == 0 {
		return nil
	}

	show := make([]bool, len(lines))
	mark := func(i int) {
		for j := i - contextLines; j <= i+contextLines; j++ {
			if j >= 0 && j < len(lines) {
				show[j] = true
			}
		}
	}
	for i := range lines {
		if good[i] || bad[i] {
			mark(i)
		}
	}
	if len(remaining) > 0 {
		for j := max(0, len(lines)-tailLines); j < len(lines); j++ {
			show[j] = true
		}
	}

	var m message
	last := -1
	for i, line := range lines {
		if !show[i] {
			continue
		}
		if i != last+1 {
			m.add(kindGap, "")
		}
		last = i
		k := kindPlain
		switch {
		case bad[i]:
			k = kindBad
		case good[i]:
			k = kindGood
		}
		m.add(k, printable(line))
	}
	if last != len(lines)-1 {
		m.add(kindGap, "")
	}
	if len(lines) == 0 {
		m.note("(the console is empty)")
	}
	if len(bad) > 0 {
		m.note("unexpected lines in output")
	}
	for _, p := range remaining {
		m.add(kindMissing, p.source)
	}
	return m
}

// printable makes a console line safe to show on a terminal and in a
// report: control bytes and invalid UTF-8 are escaped, and very long lines
// are cut.
func printable(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if b.Len() >= maxShownLine {
			fmt.Fprintf(&b, "... (%d more bytes)", len(line)-i)
			break
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20 && r != '\t', r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, line[i])
		default:
			b.WriteString(line[i : i+size])
		}
		i += size
	}
	return b.String()
}
