package labs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/xv6emu/xv6emu/grade"
)

// Sources is what is known of a submission when its lab version is chosen.
type Sources struct {
	Version string // --lab-version; "" detects it
	Tree    string // the submission's source tree, if there is one
	FS      []byte // its file system image, if there is one
}

// Choice is the lab a submission is graded with, and why.
type Choice struct {
	Lab   *grade.Lab
	Why   string   // "from grade_lab_kthread.py", "--lab-version 6", ...
	Notes []string // what the course's script declares that is not graded
	// Default is set when nothing told the version: Probe may then
	// decide it from the threadtest run.
	Default bool
}

// String is the one line a grading prints about its choice, e.g.
// "lab kthread, 6-test version (from grade_lab_kthread.py)".
func (c *Choice) String() string {
	if n := threadCases(c.Lab); n > 0 {
		return fmt.Sprintf("lab %s, %d-test version (%s)", c.Lab.Name, n, c.Why)
	}
	return fmt.Sprintf("lab %s (%s)", c.Lab.Name, c.Why)
}

var passedCase = regexp.MustCompile(`TEST\d+ PASSED`)

// threadCases counts the scored tests that check a "TEST<n> PASSED" line.
func threadCases(l *grade.Lab) int {
	n := 0
	for _, t := range l.Tests {
		if t.Group != "" {
			continue
		}
		for _, w := range t.Want {
			if passedCase.MatchString(w) {
				n++
				break
			}
		}
	}
	return n
}

// Choose picks the lab name is graded with, first of:
//
//  1. src.Version, when given;
//  2. the course's gradelib script in the tree (grade_lab_NAME.py or
//     grade-lab-NAME), read for its exact tests and points;
//  3. for kthread, the number of TEST<n> cases the submission's threadtest
//     can print: from user/threadtest.c in the tree, else from the
//     threadtest binary in the file system image;
//  4. the default version (Choice.Default; see Probe).
//
// An error means src.Version is not a version of the lab, or the tree's
// gradelib script cannot be read. A script that can be read but not
// followed is skipped, with a note.
func Choose(name string, src Sources) (*Choice, error) {
	if src.Version != "" {
		lab, err := Version(name, src.Version)
		if err != nil {
			return nil, err
		}
		return &Choice{Lab: lab, Why: "--lab-version " + src.Version}, nil
	}
	var unread []string
	if src.Tree != "" {
		for _, file := range []string{"grade_lab_" + name + ".py", "grade-lab-" + name} {
			path := filepath.Join(src.Tree, file)
			data, err := readSmall(path)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			lab, notes, err := grade.ParseGradelib(name, data)
			if err != nil {
				// A script this reader cannot follow must not stop
				// the grading: the next source decides, and says so.
				unread = append(unread, fmt.Sprintf("%s not used: %v", file, err))
				break
			}
			return &Choice{Lab: lab, Why: "from " + file, Notes: notes}, nil
		}
	}
	c, err := chooseByCases(name, src)
	if c != nil {
		c.Notes = append(unread, c.Notes...)
	}
	return c, err
}

// chooseByCases is Choose without a gradelib script.
func chooseByCases(name string, src Sources) (*Choice, error) {
	if Versions(name) == nil {
		lab, err := Find(name)
		if err != nil {
			return nil, err
		}
		return &Choice{Lab: lab, Why: "the lab's only version"}, nil
	}
	var (
		n    int
		from string
	)
	if src.Tree != "" {
		for _, file := range []string{"user/threadtest.c", "threadtest.c"} {
			if data, err := readSmall(filepath.Join(src.Tree, file)); err == nil {
				n, from = CasesInSource(data), file
				break
			}
		}
	}
	if n == 0 && src.FS != nil {
		if bin, err := fsFile(src.FS, "threadtest"); err == nil {
			n, from = CasesInBinary(bin), "the threadtest binary in the fs image"
		}
	}
	if n > 0 {
		v := strconv.Itoa(n)
		if _, ok := kthreadVersions[v]; ok {
			lab, err := Version(name, v)
			if err != nil {
				return nil, err
			}
			return &Choice{Lab: lab, Why: fmt.Sprintf("%s prints TEST1..TEST%d", from, n)}, nil
		}
		lab, err := Find(name)
		if err != nil {
			return nil, err
		}
		return &Choice{Lab: lab, Why: fmt.Sprintf("%s prints %d cases, which no version has; the default", from, n)}, nil
	}
	lab, err := Find(name)
	if err != nil {
		return nil, err
	}
	why := "the default: no grade_lab_" + name + ".py and no threadtest cases found"
	return &Choice{Lab: lab, Why: why, Default: true}, nil
}

// maxSource bounds the files read from a submission tree.
const maxSource = 4 << 20

func readSmall(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxSource {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes", path, maxSource)
	}
	return os.ReadFile(path)
}

var (
	cString    = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
	caseInText = regexp.MustCompile(`TEST(\d+)\b`)
	caseFunc   = regexp.MustCompile(`\btest_?(\d+)\s*\(`)
)

// CasesInSource counts the distinct TEST<n> cases a threadtest source can
// print: the numbers in string literals such as "TEST3 PASSED\n" or, when
// it prints them with a format ("TEST%d"), its functions named test<n>.
// Comments do not count. 0 means it cannot tell.
func CasesInSource(src []byte) int {
	code := stripComments(src)
	var lits []byte
	for _, s := range cString.FindAll(code, -1) {
		lits = append(append(lits, s...), '\n')
	}
	if n := distinct(caseInText, lits); n > 0 {
		return n
	}
	return distinct(caseFunc, code)
}

var caseSymbol = regexp.MustCompile(`^test_?(\d+)$`)

// CasesInBinary does for a threadtest executable what CasesInSource does
// for its source: the TEST<n> strings in its data, else the test<n>
// functions in its symbol table.
func CasesInBinary(bin []byte) int {
	if n := distinct(caseInText, bin); n > 0 {
		return n
	}
	// Symbol names are NUL-terminated strings: match them one by one.
	var nums []int
	for _, s := range bytes.Split(bin, []byte{0}) {
		if m := caseSymbol.FindSubmatch(s); m != nil {
			nums = append(nums, atoi(m[1]))
		}
	}
	return consecutive(nums)
}

// distinct counts the distinct numbers re's first group matches in b, as
// consecutive does.
func distinct(re *regexp.Regexp, b []byte) int {
	var nums []int
	for _, m := range re.FindAllSubmatch(b, -1) {
		nums = append(nums, atoi(m[1]))
	}
	return consecutive(nums)
}

// consecutive counts the distinct case numbers in nums, as long as they
// run 1..n without a gap (anything else is not a list of cases).
func consecutive(nums []int) int {
	seen := map[int]bool{}
	for _, n := range nums {
		if n > 0 && n < 1000 {
			seen[n] = true
		}
	}
	for n := 1; n <= len(seen); n++ {
		if !seen[n] {
			return 0
		}
	}
	return len(seen)
}

func atoi(b []byte) int {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return -1
	}
	return n
}

// stripComments blanks C comments, leaving string literals alone.
func stripComments(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(src)-1)
			out = append(out, src[i:j+1]...)
			i = j
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			out = append(out, '\n')
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i += 2
			for i+1 < len(src) && !(src[i] == '*' && src[i+1] == '/') {
				i++
			}
			i++
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}
