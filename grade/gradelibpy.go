package grade

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file reads a course's gradelib script (grade-lab-NAME or
// grade_lab_NAME.py) so that a lab can be graded with exactly the tests,
// names, points, patterns and timeouts the course uses. The Python is never
// run: a small tokenizer finds the @test(...) decorators and, in each test
// body, the run_qemu/shell_script calls and the r.match(...) patterns.
// Anything else in the file is ignored, so local helpers, imports and
// comments do not matter.

// ParseGradelib builds lab name from the text of a gradelib script. Notes
// lists what the file declares that cannot be graded from a console (such
// as a test that checks a file in the tree); those tests are left out.
func ParseGradelib(name string, src []byte) (lab *Lab, notes []string, err error) {
	toks, err := pyTokens(string(src))
	if err != nil {
		return nil, nil, fmt.Errorf("gradelib script: %w", err)
	}
	p := &pyFile{toks: toks, consts: map[string]pyValue{}}
	p.scanConstants()
	decls, err := p.tests()
	if err != nil {
		return nil, nil, fmt.Errorf("gradelib script: %w", err)
	}
	if len(decls) == 0 {
		return nil, nil, fmt.Errorf("gradelib script: no @test(...) declarations")
	}
	lab = &Lab{Name: name, Title: fmt.Sprintf("%s, as the course's gradelib script declares it", name)}
	byFunc := map[string]*Test{}
	names := map[string]bool{}
	var lastRun *Test
	for _, d := range decls {
		t := &Test{Name: d.title, Points: d.points, Want: d.want, Reject: d.reject}
		switch {
		case d.run != nil:
			t.Run = d.run
			if d.parent != "" {
				notes = append(notes, fmt.Sprintf("%q runs its own machine; its parent %s is not required to pass", d.title, d.parent))
			}
		case d.parent != "":
			par := byFunc[d.parent]
			if par == nil {
				return nil, nil, fmt.Errorf("gradelib script: test %q: parent %s is not an earlier test", d.title, d.parent)
			}
			t.Parent = par
		case len(d.want)+len(d.reject) > 0 && lastRun != nil:
			// gradelib matches against whatever the runner last
			// ran; that is the latest top-level run.
			t.Parent = lastRun
			notes = append(notes, fmt.Sprintf("%q has no parent; it checks the console of %q", d.title, lastRun.Name))
		default:
			notes = append(notes, fmt.Sprintf("%q (%d points) does not check a console; left out", d.title, d.points))
			continue
		}
		if t.Run != nil {
			lastRun = t
		}
		// gradelib lets two tests share a title; here each needs its
		// own, for filters and console files.
		for k := 2; names[t.Name]; k++ {
			t.Name = fmt.Sprintf("%s (%d)", d.title, k)
		}
		if t.Name != d.title {
			notes = append(notes, fmt.Sprintf("a second test titled %q is called %q here", d.title, t.Name))
		}
		names[t.Name] = true
		byFunc[d.fn] = t
		lab.Tests = append(lab.Tests, t)
	}
	if err := lab.Validate(); err != nil {
		return nil, nil, err
	}
	return lab, notes, nil
}

// pyTok is one Python token. Strings are decoded; kind 's' marks them.
type pyTok struct {
	kind  byte // 'n' name, '0' number, 's' string, 'p' punctuation, '\n' end of logical line
	text  string
	line  int
	col   int  // column of the token's first character
	first bool // first token of its logical line
}

// pyTokens splits src into tokens, joining lines inside brackets and after
// a backslash as Python does, and dropping comments.
func pyTokens(src string) ([]pyTok, error) {
	var toks []pyTok
	line, col, depth := 1, 0, 0
	lineStart := true
	i := 0
	adv := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line++
				col = 0
			} else {
				col++
			}
			i++
		}
	}
	emit := func(kind byte, text string, l, c int) {
		toks = append(toks, pyTok{kind: kind, text: text, line: l, col: c, first: lineStart && depth == 0})
		lineStart = false
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 && !lineStart {
				emit('\n', "", line, col)
				lineStart = true
			}
			adv(1)
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			adv(2)
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			adv(1)
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				adv(1)
			}
		case isPyStringStart(src[i:]):
			l, cl := line, col
			s, n, err := pyString(src[i:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", l, err)
			}
			adv(n)
			emit('s', s, l, cl)
		case c == '_' || unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 0x80 || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
				j++
			}
			l, cl := line, col
			text := src[i:j]
			adv(j - i)
			emit('n', text, l, cl)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (isAlnum(src[j]) || src[j] == '.' || src[j] == '_' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			l, cl := line, col
			text := src[i:j]
			adv(j - i)
			emit('0', text, l, cl)
		default:
			l, cl := line, col
			n := 1
			if i+1 < len(src) {
				switch src[i : i+2] {
				case "**", "==", "!=", "<=", ">=", "->", ":=", "//":
					n = 2
				}
			}
			text := src[i : i+n]
			switch text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth > 0 {
					depth--
				}
			}
			adv(n)
			emit('p', text, l, cl)
		}
	}
	if !lineStart {
		toks = append(toks, pyTok{kind: '\n', line: line, col: col})
	}
	return toks, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isPyStringStart reports whether s starts a string literal, with an
// optional r, b, u or f prefix (any case, up to two letters).
func isPyStringStart(s string) bool {
	for k := 0; k < 3 && k < len(s); k++ {
		switch s[k] {
		case '\'', '"':
			return true
		case 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F':
			continue
		}
		return false
	}
	return false
}

// pyString decodes the string literal at the start of s and returns its
// value and length in bytes.
func pyString(s string) (string, int, error) {
	i, raw := 0, false
	for s[i] != '\'' && s[i] != '"' {
		if s[i] == 'r' || s[i] == 'R' {
			raw = true
		}
		i++
	}
	q := s[i : i+1]
	if strings.HasPrefix(s[i:], q+q+q) {
		q = q + q + q
	}
	i += len(q)
	var b strings.Builder
	for i < len(s) {
		if strings.HasPrefix(s[i:], q) {
			return b.String(), i + len(q), nil
		}
		c := s[i]
		if c == '\n' && len(q) == 1 {
			break
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		e := s[i+1]
		if raw {
			// A raw string keeps the backslash; it only stops the
			// quote after it from ending the string.
			b.WriteByte('\\')
			b.WriteByte(e)
			i += 2
			continue
		}
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		default:
			// Python keeps unknown escapes such as \d as they are,
			// which is what a regular expression wants.
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

// pyValue is the little of Python's values the scripts use as arguments.
type pyValue struct {
	kind  byte // 's' string, '0' number, 'l' list, 'n' name, 'd' dict, 'c' call, '*' **name, '?' other
	str   string
	num   float64
	list  []pyValue
	dict  map[string]pyValue
	call  string // callee of a call, e.g. "shell_script"
	args  []pyArg
	names []string
}

type pyArg struct {
	key string // "" for a positional argument
	val pyValue
}

// pyFile walks the tokens of one script.
type pyFile struct {
	toks   []pyTok
	consts map[string]pyValue // module-level NAME = value
}

// testDecl is one @test(...)-decorated function.
type testDecl struct {
	fn, title, parent string
	points            int
	run               *Run
	want, reject      []string
}

// scanConstants records module-level assignments of literal values, so
// that timeout=TIMEOUT or **run_qemu_kw can be resolved.
func (p *pyFile) scanConstants() {
	for i := 0; i+2 < len(p.toks); i++ {
		t := p.toks[i]
		if !t.first || t.col != 0 || t.kind != 'n' || p.toks[i+1].text != "=" {
			continue
		}
		v, _ := p.value(i+2, p.lineEnd(i+2))
		if v.kind != '?' {
			p.consts[t.text] = v
		}
	}
}

// lineEnd is the index of the end-of-line token of the logical line at i.
func (p *pyFile) lineEnd(i int) int {
	for i < len(p.toks) && p.toks[i].kind != '\n' {
		i++
	}
	return i
}

// tests finds every @test decorator and the function it decorates.
func (p *pyFile) tests() ([]testDecl, error) {
	var out []testDecl
	for i := 0; i+2 < len(p.toks); i++ {
		t := p.toks[i]
		if !t.first || t.text != "@" || p.toks[i+1].text != "test" || p.toks[i+2].text != "(" {
			continue
		}
		end := p.closing(i + 2)
		args := p.args(i+3, end)
		d := testDecl{}
		pos := 0
		for _, a := range args {
			switch {
			case a.key == "" && pos == 0, a.key == "points":
				n, ok := p.number(a.val)
				if !ok || n < 0 || n != math.Trunc(n) {
					return nil, fmt.Errorf("line %d: @test points are not a whole number", t.line)
				}
				d.points = int(n)
			case a.key == "" && pos == 1, a.key == "title":
				if a.val.kind == 's' {
					d.title = a.val.str
				}
			case a.key == "parent":
				if a.val.kind == 'n' {
					d.parent = a.val.str
				}
			}
			if a.key == "" {
				pos++
			}
		}
		// Further decorators may sit between this one and the def.
		j := end + 1
		for j < len(p.toks) && !(p.toks[j].first && p.toks[j].text == "def") {
			j++
		}
		if j+1 >= len(p.toks) || p.toks[j+1].kind != 'n' {
			return nil, fmt.Errorf("line %d: @test is not followed by a function", t.line)
		}
		def := p.toks[j]
		d.fn = p.toks[j+1].text
		if d.title == "" {
			// gradelib titles an untitled test after its function.
			d.title = strings.TrimPrefix(d.fn, "test_")
		}
		bodyEnd := p.bodyEnd(j, def.col)
		if err := p.body(&d, j, bodyEnd); err != nil {
			return nil, fmt.Errorf("test %q: %w", d.title, err)
		}
		out = append(out, d)
		i = bodyEnd - 1
	}
	return out, nil
}

// bodyEnd is the index of the first token after the function defined at
// def: the first line-starting token at or left of its column. A body on
// the def's own line ends with that line.
func (p *pyFile) bodyEnd(def, col int) int {
	i := p.lineEnd(def) + 1
	for ; i < len(p.toks); i++ {
		t := p.toks[i]
		if t.first && t.col <= col {
			return i
		}
	}
	return len(p.toks)
}

// body collects what a test function does: its run_qemu session and the
// patterns of its match calls.
func (p *pyFile) body(d *testDecl, from, to int) error {
	for i := from; i+1 < to; i++ {
		t := p.toks[i]
		if t.kind != 'n' || p.toks[i+1].text != "(" {
			continue
		}
		end := p.closing(i + 1)
		switch t.text {
		case "run_qemu":
			if d.run != nil {
				return fmt.Errorf("line %d: more than one run_qemu", t.line)
			}
			r, err := p.run(p.args(i+2, end))
			if err != nil {
				return fmt.Errorf("line %d: %w", t.line, err)
			}
			d.run = r
		case "match":
			// r.match(...), not re.match(pattern, s) in a helper.
			if i < 2 || p.toks[i-1].text != "." || p.toks[i-2].text == "re" {
				continue
			}
			for _, a := range p.args(i+2, end) {
				switch {
				case a.key == "" && a.val.kind == 's':
					d.want = append(d.want, a.val.str)
				case a.key == "no":
					for _, v := range p.strings(a.val) {
						d.reject = append(d.reject, v)
					}
				case a.key == "":
					return fmt.Errorf("line %d: a match pattern that is not a string literal", t.line)
				}
			}
		default:
			continue
		}
		i = end
	}
	return nil
}

// run reads run_qemu's arguments: a shell_script([...]) monitor and a
// timeout, given directly or through **kwargs.
func (p *pyFile) run(args []pyArg) (*Run, error) {
	r := &Run{Timeout: DefaultTimeout}
	setTimeout := func(v pyValue) error {
		n, ok := p.number(v)
		if !ok || n <= 0 {
			return fmt.Errorf("timeout is not a positive number")
		}
		r.Timeout = time.Duration(n * float64(time.Second))
		return nil
	}
	for _, a := range args {
		v := a.val
		switch {
		case a.key == "timeout":
			if err := setTimeout(v); err != nil {
				return nil, err
			}
		case a.key == "" && v.kind == 'c' && v.call == "shell_script":
			for _, sa := range v.args {
				if sa.key == "" && len(r.Commands) == 0 {
					r.Commands = p.strings(sa.val)
				}
			}
		case a.key == "" && v.kind == '*':
			kw := p.resolve(pyValue{kind: 'n', str: v.str})
			if t, ok := kw.dict["timeout"]; ok {
				if err := setTimeout(t); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(r.Commands) == 0 {
		return nil, fmt.Errorf("run_qemu without a shell_script([...]) of commands")
	}
	return r, nil
}

// closing returns the index of the bracket closing the one at open.
func (p *pyFile) closing(open int) int {
	depth := 0
	for i := open; i < len(p.toks); i++ {
		switch p.toks[i].text {
		case "(", "[", "{":
			if p.toks[i].kind == 'p' {
				depth++
			}
		case ")", "]", "}":
			if p.toks[i].kind == 'p' {
				if depth--; depth == 0 {
					return i
				}
			}
		}
	}
	return len(p.toks)
}

// args parses comma-separated arguments in toks[from:to].
func (p *pyFile) args(from, to int) []pyArg {
	var out []pyArg
	for from < to {
		end := from
		for end < to && p.toks[end].text != "," {
			if t := p.toks[end]; t.kind == 'p' && strings.Contains("([{", t.text) {
				end = p.closing(end)
			}
			end++
		}
		end = min(end, to)
		a := pyArg{}
		start := from
		if end-from >= 2 && p.toks[from].kind == 'n' && p.toks[from+1].text == "=" {
			a.key = p.toks[from].text
			start = from + 2
		}
		if start < end {
			a.val, _ = p.value(start, end)
			out = append(out, a)
		}
		from = end + 1
	}
	return out
}

// value parses the expression in toks[from:to], as far as it is a
// literal, a name, a list, a dict, **name or a call.
func (p *pyFile) value(from, to int) (pyValue, int) {
	other := pyValue{kind: '?'}
	if from >= to || from >= len(p.toks) {
		return other, from
	}
	t := p.toks[from]
	switch {
	case t.kind == 's':
		// Adjacent literals join, as in Python.
		var b strings.Builder
		i := from
		for i < to && p.toks[i].kind == 's' {
			b.WriteString(p.toks[i].text)
			i++
		}
		return pyValue{kind: 's', str: b.String()}, i
	case t.kind == '0':
		s := strings.ReplaceAll(t.text, "_", "")
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return other, from + 1
		}
		return pyValue{kind: '0', num: n}, from + 1
	case t.text == "**" && from+1 < to && p.toks[from+1].kind == 'n':
		return pyValue{kind: '*', str: p.toks[from+1].text}, from + 2
	case t.kind == 'n' && from+1 < to && p.toks[from+1].text == "(":
		end := p.closing(from + 1)
		v := pyValue{kind: 'c', call: t.text, args: p.args(from+2, end)}
		if t.text == "dict" {
			v = pyValue{kind: 'd', dict: map[string]pyValue{}}
			for _, a := range p.args(from+2, end) {
				if a.key != "" {
					v.dict[a.key] = a.val
				}
			}
		}
		return v, end + 1
	case t.kind == 'n':
		// A dotted name (module.attr) is kept whole.
		name, i := t.text, from+1
		for i+1 < to && p.toks[i].text == "." && p.toks[i+1].kind == 'n' {
			name += "." + p.toks[i+1].text
			i += 2
		}
		return pyValue{kind: 'n', str: name}, i
	case t.text == "[" || t.text == "(":
		end := p.closing(from)
		v := pyValue{kind: 'l'}
		for _, a := range p.args(from+1, end) {
			v.list = append(v.list, a.val)
		}
		return v, end + 1
	case t.text == "{":
		end := p.closing(from)
		v := pyValue{kind: 'd', dict: map[string]pyValue{}}
		i := from + 1
		for i < end {
			k, j := p.value(i, end)
			if j < end && p.toks[j].text == ":" {
				val, j2 := p.value(j+1, end)
				if k.kind == 's' {
					v.dict[k.str] = val
				}
				j = j2
			}
			for j < end && p.toks[j].text != "," {
				j++
			}
			i = j + 1
		}
		return v, end + 1
	}
	return other, from + 1
}

// resolve follows a name to the module-level constant it was set to.
func (p *pyFile) resolve(v pyValue) pyValue {
	for k := 0; k < 8 && v.kind == 'n'; k++ {
		c, ok := p.consts[v.str]
		if !ok {
			break
		}
		v = c
	}
	return v
}

func (p *pyFile) number(v pyValue) (float64, bool) {
	v = p.resolve(v)
	return v.num, v.kind == '0'
}

// strings returns the strings of a list (or of one string).
func (p *pyFile) strings(v pyValue) []string {
	v = p.resolve(v)
	switch v.kind {
	case 's':
		return []string{v.str}
	case 'l':
		var out []string
		for _, e := range v.list {
			if e = p.resolve(e); e.kind == 's' {
				out = append(out, e.str)
			}
		}
		return out
	}
	return nil
}
