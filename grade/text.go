package grade

import (
	"fmt"
	"io"
	"strings"
)

// printer writes gradelib's report format:
//
//	== Test running threadtest == (3.1s)
//	== Test   threadtest: test1 ==
//	  threadtest: test1: OK
//	== Test usertests == usertests: FAIL (41.0s)
//	    ...
//	         $ usertests
//	    MISSING '^ALL TESTS PASSED$'
//	Score: 90/100
//
// (each "==" line and result line ends with a space, as gradelib's do).
type printer struct {
	w     io.Writer
	color bool
}

// header starts a test's line before its result is known, so a person
// watching sees which test is being waited for.
func (p printer) header(t *Test) {
	fmt.Fprintf(p.w, "== Test %s == ", t.Title())
	if t.Parent != nil {
		fmt.Fprintln(p.w)
	}
}

func (p printer) result(t *Test, st *runState, res TestResult, m message) {
	var b strings.Builder
	if t.Run != nil && timedOut(st) {
		b.WriteString("Timeout! ")
	}
	if t.Points > 0 {
		verdict := paint(p.color, ansiGreen, "OK")
		if !res.Passed {
			verdict = paint(p.color, ansiRed, "FAIL")
		}
		fmt.Fprintf(&b, "%s: %s ", t.Title(), verdict)
	}
	// Like gradelib, only times worth reading are shown.
	if res.Seconds > 0.1 {
		fmt.Fprintf(&b, "(%.1fs) ", res.Seconds)
	}
	b.WriteByte('\n')
	if m != nil {
		b.WriteString("    " + strings.ReplaceAll(m.render(p.color), "\n", "\n    ") + "\n")
	}
	io.WriteString(p.w, b.String())
}

// timedOut reports whether a run hit its deadline, in guest time or in
// wall-clock time: gradelib prints "Timeout!" then.
func timedOut(st *runState) bool {
	for _, o := range st.outcomes {
		if o.Ending == TimedOut || o.Ending == WallClock {
			return true
		}
	}
	return false
}

// footer prints extra-credit groups apart, then gradelib's score line.
func (p printer) footer(r *Report) {
	for _, g := range r.Groups {
		fmt.Fprintf(p.w, "Extra credit (%s): %d/%d\n", g.Name, g.Score, g.Possible)
	}
	fmt.Fprintf(p.w, "Score: %d/%d\n", r.Score, r.Possible)
}
