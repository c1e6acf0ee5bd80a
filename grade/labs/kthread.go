package labs

import (
	"fmt"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// Course points of threadtest's TEST1..TEST8, as grade_lab_kthread.py
// awards them.
var kthreadPoints = [...]int{10, 10, 30, 10, 10, 10, 5, 5}

// ourThreadTests names threadtest's own cases, TEST9 on, in order (see
// kernel/src/user/threadtest.c). They form the "locks" extra-credit group,
// one point each, so the course total stays 100.
var ourThreadTests = [...]string{
	"bad clone stacks",
	"bad join pointer",
	"wait and join",
	"thread returns",
	"thread file descriptors",
	"exec from a thread",
	"kill a thread",
	"pthread-like layer",
	"spin lock",
	"malloc from threads",
	"sbrk seen by all",
}

// Timeouts: a healthy threadtest takes about 20s, on QEMU and in guest
// time alike (its exit cases wait for timer ticks); its run gets 180s so
// that slower kernels from other trees still pass. usertests gets the
// course's 300s.
const (
	threadtestTimeout = 180 * time.Second
	usertestsTimeout  = 300 * time.Second
)

// Kthread is the kernel-threads lab: clone, join and the thread library.
func Kthread() *grade.Lab {
	run := &grade.Test{
		Name: "running threadtest",
		Run:  &grade.Run{Commands: []string{"threadtest"}, Timeout: threadtestTimeout},
	}
	lab := &grade.Lab{
		Name:  "kthread",
		Title: "kernel threads: clone, join, thread library (100 points + locks extra credit)",
		Tests: []*grade.Test{run},
	}
	for i, pts := range kthreadPoints {
		lab.Tests = append(lab.Tests, &grade.Test{
			Name:   fmt.Sprintf("threadtest: test%d", i+1),
			Points: pts,
			Parent: run,
			Want:   []string{fmt.Sprintf(`^TEST%d PASSED$`, i+1)},
		})
	}
	lab.Tests = append(lab.Tests, &grade.Test{
		Name:   "usertests",
		Points: 10,
		Run:    &grade.Run{Commands: []string{"usertests"}, Timeout: usertestsTimeout},
		Want:   []string{`^ALL TESTS PASSED$`},
	})
	for i, name := range ourThreadTests {
		lab.Tests = append(lab.Tests, &grade.Test{
			Name:   "locks: " + name,
			Points: 1,
			Group:  "locks",
			Parent: run,
			Want:   []string{fmt.Sprintf(`^TEST%d PASSED$`, len(kthreadPoints)+i+1)},
		})
	}
	return lab
}
