package labs

import (
	"fmt"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// threadsPrograms are the threads lab's cases in the order graded: one
// user program each (kernel/src/user/<name>.c, in both file system
// images), with what it checks.
var threadsPrograms = [...]struct{ name, what string }{
	{"tclone", "clone and join basics"},
	{"tbadstack", "clone with bad stacks"},
	{"tjoinbad", "join with bad pointers"},
	{"tfds", "file descriptors in threads"},
	{"tsbrk", "sbrk from threads"},
	{"tstack", "thread stacks"},
	{"tlock", "locks under contention"},
	{"tmany", "many threads"},
	{"tnested", "nested threads"},
	{"treturn", "threads that return"},
}

// ThreadsPoints is what each threads case is worth.
const ThreadsPoints = 10

// threadsTimeout bounds each case's run. Healthy runs take a few seconds
// of guest time; tlock and tnested wait for timer ticks.
const threadsTimeout = 60 * time.Second

// Threads is the OSTEP/UW-style threads project: clone, join, a thread
// library and locks, graded as one program per case. Each case boots its
// own machine, so one that hangs or panics the kernel costs only its own
// points. An instructor adds a course's own programs with --test or
// --lab-file (see package grade/custom).
func Threads() *grade.Lab {
	lab := &grade.Lab{
		Name:  "threads",
		Title: fmt.Sprintf("threads project (OSTEP/UW style): clone, join, locks; one program per case (%d points)", ThreadsPoints*len(threadsPrograms)),
	}
	for _, p := range threadsPrograms {
		lab.Tests = append(lab.Tests, &grade.Test{
			Name:   p.name + ": " + p.what,
			Points: ThreadsPoints,
			Run:    &grade.Run{Commands: []string{p.name}, Timeout: threadsTimeout},
			Want:   []string{fmt.Sprintf(`^%s: PASSED$`, p.name)},
		})
	}
	return lab
}
