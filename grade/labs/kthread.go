package labs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xv6emu/xv6emu/grade"
)

// kthreadVersions holds, for each version of the course's lab, the points
// grade_lab_kthread.py awards threadtest's TEST1..TESTn. The version is
// named by n.
//
// Version "8" is the course's current script, known exactly. Version "6"
// is an older script still in use. What we know of it: a real submission
// passing TEST1..TEST6 and failing usertests scored 90/100, so its six
// cases sum to 90; and a public student tree derived from the course ships
// a 6-case grade_lab_kthread.py with 10,10,40,10,10,10 and usertests at 10,
// its cases titled "threadmtest: testN". We take that as the course's
// (the 8-test script reads as the same file with 10 points of TEST3 moved
// to the new TEST7 and TEST8). Where a course's split differs, give it with
// --lab-version 6=P1,...,P6, or grade with the course's own script in the
// submission tree (--tree), which always wins.
var kthreadVersions = map[string][]int{
	"8": {10, 10, 30, 10, 10, 10, 5, 5},
	"6": {10, 10, 40, 10, 10, 10},
}

// kthreadCaseTitle is how each version's script titles TEST<n>; the older
// one spells it "threadmtest".
var kthreadCaseTitle = map[string]string{
	"8": "threadtest: test%d",
	"6": "threadmtest: test%d",
}

// KthreadDefault is the version graded when nothing says otherwise.
const KthreadDefault = "8"

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

// Kthread is the kernel-threads lab, current (8-test) version: clone, join
// and the thread library.
func Kthread() *grade.Lab {
	return kthreadLab(KthreadDefault, kthreadVersions[KthreadDefault])
}

// kthreadLab builds a version of the lab with the given points for
// TEST1..TESTn. Only the current version carries the "locks" extra
// credit: it matches this project's own threadtest, whose cases after the
// course's eight are numbered from TEST9.
func kthreadLab(version string, points []int) *grade.Lab {
	run := &grade.Test{
		Name: "running threadtest",
		Run:  &grade.Run{Commands: []string{"threadtest"}, Timeout: threadtestTimeout},
	}
	total := 10
	for _, p := range points {
		total += p
	}
	title := fmt.Sprintf("kernel threads: clone, join, thread library; %d-test version (%d points", len(points), total)
	if version == KthreadDefault {
		title += " + locks extra credit; the default)"
	} else {
		title += fmt.Sprintf("; --lab-version %s)", version)
	}
	lab := &grade.Lab{
		Name:  "kthread",
		Title: title,
		Tests: []*grade.Test{run},
	}
	for i, pts := range points {
		lab.Tests = append(lab.Tests, &grade.Test{
			Name:   fmt.Sprintf(kthreadCaseTitle[version], i+1),
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
	if version != KthreadDefault {
		return lab
	}
	for i, name := range ourThreadTests {
		lab.Tests = append(lab.Tests, &grade.Test{
			Name:   "locks: " + name,
			Points: 1,
			Group:  "locks",
			Parent: run,
			Want:   []string{fmt.Sprintf(`^TEST%d PASSED$`, len(points)+i+1)},
		})
	}
	return lab
}

// kthreadVersion builds the lab from a --lab-version value: "6" or "8",
// optionally with the threadtest points spelled out ("6=10,10,40,10,10,10").
func kthreadVersion(spec string) (*grade.Lab, error) {
	version, list, custom := strings.Cut(spec, "=")
	points, ok := kthreadVersions[version]
	if !ok {
		return nil, fmt.Errorf("lab kthread has no version %q (versions: %s)", version, strings.Join(Versions("kthread"), ", "))
	}
	if custom {
		fields := strings.Split(list, ",")
		if len(fields) != len(points) {
			return nil, fmt.Errorf("--lab-version %s: give %d points, one per threadtest case", spec, len(points))
		}
		points = make([]int, len(fields))
		for i, f := range fields {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("--lab-version %s: %q is not a number of points", spec, f)
			}
			points[i] = n
		}
	}
	return kthreadLab(version, points), nil
}
