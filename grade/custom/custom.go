// Package custom adds an instructor's own test programs to a lab. Every
// course has tests of its own: a C program is named on the command line
// (--test NAME:PROGRAM.c[:REGEX][:POINTS]) or in a small lab file
// (--lab-file), compiled against this project's user library with the
// cross compiler, added to the file system image for the grading, run from
// the shell, and scored by a pattern its console must match.
package custom

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// Defaults for a test that does not say.
const (
	DefaultPoints  = 10
	DefaultTimeout = 60 * time.Second
)

// Test is one instructor-supplied program.
type Test struct {
	// Name is the test's name in the report, the program's file name in
	// the image and the command typed to run it.
	Name    string
	Source  string // the C file
	Want    string // a console line must match it; "" means DefaultWant(Name)
	Points  int
	Timeout time.Duration
}

// DefaultWant is the pattern a test checks when none is given: the
// program prints "NAME: PASSED" on a line of its own, as the threads
// lab's programs do.
func DefaultWant(name string) string {
	return "^" + regexp.QuoteMeta(name) + ": PASSED$"
}

// validName is what the xv6 shell can type and the file system can hold
// (DIRSIZ is 14).
var validName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,13}$`)

var digits = regexp.MustCompile(`^[0-9]+$`)

// Parse reads a --test value, NAME:PROGRAM.c[:REGEX][:POINTS]. REGEX may
// itself contain colons; a last field of digits alone is POINTS. An empty
// REGEX ("NAME:P.c::20") is the default one.
func Parse(spec string) (Test, error) {
	bad := func(format string, a ...any) (Test, error) {
		return Test{}, fmt.Errorf("--test %s: "+format, append([]any{spec}, a...)...)
	}
	name, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return bad("want NAME:PROGRAM.c[:REGEX][:POINTS]")
	}
	if !validName.MatchString(name) {
		return bad("NAME %q must be 1 to 14 letters, digits, '_', '.' or '-' (it is the program's file name in xv6)", name)
	}
	src, rest, hasMore := strings.Cut(rest, ":")
	if !strings.HasSuffix(src, ".c") || len(src) <= 2 {
		return bad("PROGRAM %q must be a C file (PROGRAM.c)", src)
	}
	t := Test{Name: name, Source: src, Points: DefaultPoints, Timeout: DefaultTimeout}
	if hasMore {
		want := rest
		if i := strings.LastIndexByte(rest, ':'); i >= 0 && digits.MatchString(rest[i+1:]) {
			want = rest[:i]
			t.Points, _ = strconv.Atoi(rest[i+1:])
		} else if digits.MatchString(rest) {
			want = ""
			t.Points, _ = strconv.Atoi(rest)
		}
		t.Want = want
	}
	if t.Want != "" {
		if _, err := regexp.Compile(t.Want); err != nil {
			return bad("REGEX: %v", err)
		}
	}
	if t.Points > 1000 {
		return bad("%d points is more than any test is worth", t.Points)
	}
	return t, nil
}

// LabFile is what a lab file says.
type LabFile struct {
	Only  bool // grade only these tests, not the lab's own
	Tests []Test
}

// ReadLabFile reads a lab file: one directive a line, '#' starts a
// comment, blank lines are ignored.
//
//	test NAME:PROGRAM.c[:REGEX][:POINTS]   as --test; PROGRAM is relative to the file
//	timeout DURATION                       for the tests below it (default 60s), e.g. 90s
//	only                                   grade these tests alone, not the lab's own
func ReadLabFile(path string) (*LabFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--lab-file: %w", err)
	}
	if len(data) > 1<<20 {
		return nil, fmt.Errorf("--lab-file %s: too big for a lab file", path)
	}
	lf := &LabFile{}
	timeout := DefaultTimeout
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		// A '#' starts a comment only at the start of a line or after a
		// blank, so that a REGEX may contain one.
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		word, arg, _ := strings.Cut(line, " ")
		arg = strings.TrimSpace(arg)
		where := fmt.Sprintf("--lab-file %s:%d", path, n)
		switch word {
		case "only":
			if arg != "" {
				return nil, fmt.Errorf("%s: only takes no argument", where)
			}
			lf.Only = true
		case "timeout":
			d, err := time.ParseDuration(arg)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%s: timeout %q: want a duration such as 90s", where, arg)
			}
			timeout = d
		case "test":
			t, err := Parse(arg)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			if !filepath.IsAbs(t.Source) {
				t.Source = filepath.Join(filepath.Dir(path), t.Source)
			}
			t.Timeout = timeout
			lf.Tests = append(lf.Tests, t)
		default:
			return nil, fmt.Errorf("%s: unknown directive %q (want test, timeout or only)", where, word)
		}
	}
	if len(lf.Tests) == 0 {
		return nil, fmt.Errorf("--lab-file %s: no test lines", path)
	}
	return lf, nil
}

// Extend returns a copy of lab with the tests appended (or, with only,
// the tests alone). The lab itself is not changed.
func Extend(lab *grade.Lab, tests []Test, only bool) (*grade.Lab, error) {
	out := *lab
	out.Tests = nil
	if !only {
		out.Tests = append(out.Tests, lab.Tests...)
	}
	names := map[string]bool{}
	for _, t := range tests {
		if names[t.Name] {
			return nil, fmt.Errorf("--test %s: two tests are named %s", t.Name, t.Name)
		}
		names[t.Name] = true
		want := t.Want
		if want == "" {
			want = DefaultWant(t.Name)
		}
		out.Tests = append(out.Tests, &grade.Test{
			Name:   t.Name,
			Points: t.Points,
			Run:    &grade.Run{Commands: []string{t.Name}, Timeout: t.Timeout},
			Want:   []string{want},
		})
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return &out, nil
}
