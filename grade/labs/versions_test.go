package labs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// courseTotals sums the points of the lab's own tests by name.
func courseTotals(l *grade.Lab) (total int, points map[string]int) {
	points = map[string]int{}
	for _, t := range l.Tests {
		if t.Group == "" {
			total += t.Points
			points[t.Name] = t.Points
		}
	}
	return total, points
}

func TestKthreadVersions(t *testing.T) {
	assert.Equal(t, []string{"8", "6"}, Versions("kthread"))
	assert.Nil(t, Versions("cow"))

	six, err := Version("kthread", "6")
	require.NoError(t, err)
	require.NoError(t, six.Validate())
	total, pts := courseTotals(six)
	assert.Equal(t, 100, total)
	assert.Len(t, pts, 8, "running threadtest, six cases and usertests")
	sum := 0
	for i := 1; i <= 6; i++ {
		sum += pts[fmt.Sprintf("threadmtest: test%d", i)]
	}
	assert.Equal(t, 90, sum, "a 6-test submission failing only usertests scored 90")
	assert.Equal(t, 40, pts["threadmtest: test3"])
	for _, tt := range six.Tests {
		assert.Empty(t, tt.Group, "the locks extra credit numbers cases from TEST9 of our own threadtest")
	}

	eight, err := Version("kthread", "8")
	require.NoError(t, err)
	assert.Equal(t, Kthread().Tests[3].Want, eight.Tests[3].Want)
	total, _ = courseTotals(eight)
	assert.Equal(t, 100, total)

	custom, err := Version("kthread", "6=15,15,30,10,10,10")
	require.NoError(t, err)
	_, pts = courseTotals(custom)
	assert.Equal(t, 15, pts["threadmtest: test1"])
	assert.Equal(t, 10, pts["threadmtest: test6"])

	for _, bad := range []string{"7", "6=1,2", "6=a,1,1,1,1,1", "6=-1,1,1,1,1,1"} {
		_, err := Version("kthread", bad)
		assert.Error(t, err, bad)
	}
	_, err = Version("cow", "6")
	assert.Error(t, err)
}

func TestCasesInSource(t *testing.T) {
	for file, want := range map[string]int{"threadtest6.c": 6, "threadtest8.c": 8} {
		src, err := os.ReadFile(filepath.Join("testdata", file))
		require.NoError(t, err)
		assert.Equal(t, want, CasesInSource(src), file)
	}
	assert.Equal(t, 0, CasesInSource([]byte(`printf("TEST%d PASSED\n", n);`)), "a format alone says nothing")
	assert.Equal(t, 0, CasesInSource([]byte(`puts("TEST1"); puts("TEST3");`)), "cases with a gap are not a list")
	our, err := os.ReadFile("../../kernel/src/user/threadtest.c")
	require.NoError(t, err)
	assert.Equal(t, 0, CasesInSource(our), "our own threadtest names its cases, so it falls to the default")
}

// tree writes a submission tree holding files.
func tree(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	return dir
}

func testdata(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestChoose(t *testing.T) {
	script := testdata(t, "../testdata/gradelib/grade_lab_kthread6.py")
	six := testdata(t, "testdata/threadtest6.c")
	eight := testdata(t, "testdata/threadtest8.c")

	c, err := Choose("kthread", Sources{Tree: tree(t, map[string]string{"grade_lab_kthread.py": script, "user/threadtest.c": eight})})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 6-test version (from grade_lab_kthread.py)", c.String(), "the course's script wins over the source")
	total, pts := courseTotals(c.Lab)
	assert.Equal(t, 100, total)
	assert.Equal(t, 20, pts["threadtest: test6"])
	assert.Len(t, c.Notes, 1)

	c, err = Choose("kthread", Sources{Tree: tree(t, map[string]string{"grade-lab-kthread": script})})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 6-test version (from grade-lab-kthread)", c.String())

	c, err = Choose("kthread", Sources{Tree: tree(t, map[string]string{"user/threadtest.c": six})})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 6-test version (user/threadtest.c prints TEST1..TEST6)", c.String())

	c, err = Choose("kthread", Sources{Tree: tree(t, map[string]string{"user/threadtest.c": eight})})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 8-test version (user/threadtest.c prints TEST1..TEST8)", c.String())

	c, err = Choose("kthread", Sources{Version: "6", Tree: tree(t, map[string]string{"grade_lab_kthread.py": script})})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 6-test version (--lab-version 6)", c.String(), "the flag wins over everything")

	c, err = Choose("kthread", Sources{Tree: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, "8", versionOf(c.Lab))
	assert.Contains(t, c.String(), "the default")

	c, err = Choose("kthread", Sources{Tree: tree(t, map[string]string{"grade_lab_kthread.py": "@test(1, 'x')\n", "user/threadtest.c": six})})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 6-test version (user/threadtest.c prints TEST1..TEST6)", c.String())
	assert.Equal(t, []string{"grade_lab_kthread.py not used: gradelib script: line 1: @test is not followed by a function"}, c.Notes)
	_, err = Choose("kthread", Sources{Version: "9"})
	assert.Error(t, err)
}

// versionOf names a built-in kthread lab by its number of cases.
func versionOf(l *grade.Lab) string { return fmt.Sprint(threadCases(l)) }

func TestChooseFromTheImage(t *testing.T) {
	// A stand-in threadtest binary: an ELF header, then the strings a
	// 6-case program carries in its data.
	bin := []byte("\x7fELF" + strings.Repeat("\x00", 30000))
	for i := 1; i <= 6; i++ {
		bin = append(bin, fmt.Sprintf("TEST%d PASSED\n\x00", i)...)
	}
	img, err := mkfs.Build([]mkfs.File{{Name: "threadtest", Data: bin}, {Name: "usertests", Data: []byte("\x7fELF TEST9")}}, mkfs.Options{})
	require.NoError(t, err)
	got, err := fsFile(img, "threadtest")
	require.NoError(t, err)
	assert.Equal(t, bin, got, "read through the indirect block")
	c, err := Choose("kthread", Sources{FS: img})
	require.NoError(t, err)
	assert.Equal(t, "lab kthread, 6-test version (the threadtest binary in the fs image prints TEST1..TEST6)", c.String())

	// Symbols test1..test8 in an unstripped binary that prints "TEST%d".
	bin = []byte("\x7fELF TEST%d PASSED\n\x00")
	for i := 1; i <= 8; i++ {
		bin = append(bin, fmt.Sprintf("test%d\x00", i)...)
	}
	assert.Equal(t, 8, CasesInBinary(bin))

	// Our own image: threadtest prints with a format and names its cases,
	// so the image says nothing and the default is graded.
	fs, err := kernel.RISCVFS()
	require.NoError(t, err)
	_, err = fsFile(fs, "threadtest")
	require.NoError(t, err)
	c, err = Choose("kthread", Sources{FS: fs})
	require.NoError(t, err)
	assert.Equal(t, "8", versionOf(c.Lab))

	for _, bad := range [][]byte{nil, make([]byte, 4096), img[:3000]} {
		_, err := fsFile(bad, "threadtest")
		assert.Error(t, err)
	}
	_, err = fsFile(img, "nope")
	assert.Error(t, err)
}

// shell is a fake backend: each run prints what its command's program
// prints, then the prompt again.
type shell map[string]string

func (s shell) Name() string { return "fake" }

func (s shell) Run(_ context.Context, spec grade.RunSpec) grade.Outcome {
	console := spec.Prompt
	for _, c := range spec.Commands {
		console += c + "\n" + s[c] + spec.Prompt
	}
	return grade.Outcome{Console: []byte(console), Ending: grade.Finished}
}

func score(t *testing.T, lab *grade.Lab, b grade.Backend) int {
	rep, err := grade.Grade(context.Background(), lab, grade.Options{Backend: b})
	require.NoError(t, err)
	return rep.Score
}

func TestSixTestSubmissionScores(t *testing.T) {
	var out strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&out, "TEST%d PASSED\n", i)
	}
	failing := shell{"threadtest": out.String(), "usertests": "usertests starting\nFAILED -- lost some free pages\n"}
	passing := shell{"threadtest": out.String(), "usertests": "usertests starting\nALL TESTS PASSED\n"}

	six, err := Version("kthread", "6")
	require.NoError(t, err)
	assert.Equal(t, 90, score(t, six, failing), "the course's verdict on the real submission")
	assert.Equal(t, 100, score(t, six, passing))
	eight, err := Version("kthread", "8")
	require.NoError(t, err)
	assert.Equal(t, 80, score(t, eight, failing), "what the 8-test version gives it: TEST6..TEST8 points lost")

	c, err := Choose("kthread", Sources{Tree: tree(t, map[string]string{"grade_lab_kthread.py": testdata(t, "../testdata/gradelib/grade_lab_kthread6.py")})})
	require.NoError(t, err)
	assert.Equal(t, 90, score(t, c.Lab, failing), "graded by the course's script")
}
