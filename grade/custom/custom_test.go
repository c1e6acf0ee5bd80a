package custom

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/inproc"
	"github.com/xv6emu/xv6emu/grade/labs"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		spec   string
		want   string
		points int
	}{
		{"mytest:t/my.c", "", 10},
		{"mytest:t/my.c:^ok$", "^ok$", 10},
		{"mytest:t/my.c:^mytest: all good$", "^mytest: all good$", 10},
		{"mytest:t/my.c:^x: y$:25", "^x: y$", 25},
		{"mytest:t/my.c::5", "", 5},
		{"mytest:t/my.c:7", "", 7},
		{"mytest:t/my.c:", "", 10},
	} {
		got, err := Parse(c.spec)
		require.NoError(t, err, c.spec)
		assert.Equal(t, "mytest", got.Name, c.spec)
		assert.Equal(t, "t/my.c", got.Source, c.spec)
		assert.Equal(t, c.want, got.Want, c.spec)
		assert.Equal(t, c.points, got.Points, c.spec)
		assert.Equal(t, DefaultTimeout, got.Timeout, c.spec)
	}
	for _, c := range []struct{ spec, err string }{
		{"mytest", "want NAME:PROGRAM.c"},
		{":my.c", "NAME"},
		{"a/b:my.c", "NAME"},
		{"waytoolongforxv6:my.c", "NAME"},
		{"t:my.go", "must be a C file"},
		{"t:.c", "must be a C file"},
		{"t:my.c:(", "REGEX"},
		{"t:my.c:x:5000", "points"},
	} {
		_, err := Parse(c.spec)
		require.Error(t, err, c.spec)
		assert.Contains(t, err.Error(), c.err, c.spec)
		assert.NotContains(t, err.Error(), "\n", "one line")
	}
	assert.Equal(t, `^my\.t: PASSED$`, DefaultWant("my.t"))
}

func TestReadLabFile(t *testing.T) {
	lf, err := ReadLabFile("testdata/course.lab")
	require.NoError(t, err)
	assert.True(t, lf.Only)
	require.Len(t, lf.Tests, 2)
	assert.Equal(t, Test{Name: "tadd", Source: filepath.Join("testdata", "tadd.c"), Want: `^tadd: n=300$`, Points: 15, Timeout: 20 * time.Second}, lf.Tests[0])
	assert.Equal(t, Test{Name: "tadd2", Source: filepath.Join("testdata", "tadd.c"), Points: 5, Timeout: 20 * time.Second}, lf.Tests[1])

	dir := t.TempDir()
	for text, msg := range map[string]string{
		"":                     "no test lines",
		"# nothing\n":          "no test lines",
		"tset a:b.c\n":         `:1: unknown directive "tset"`,
		"only now\ntest a:b.c": ":1: only takes no argument",
		"\ntimeout soon\n":     ":2: timeout",
		"test a:b.c\ntest a:b": ":2: --test a:b: PROGRAM",
	} {
		path := filepath.Join(dir, "x.lab")
		require.NoError(t, writeFile(path, text))
		_, err := ReadLabFile(path)
		require.Error(t, err, text)
		assert.Contains(t, err.Error(), msg, text)
	}
	_, err = ReadLabFile(filepath.Join(dir, "missing.lab"))
	assert.Error(t, err)
}

func TestExtend(t *testing.T) {
	base := labs.Threads()
	n := len(base.Tests)
	mine, err := Parse("mytest:my.c:^done$:20")
	require.NoError(t, err)
	lab, err := Extend(base, []Test{mine}, false)
	require.NoError(t, err)
	assert.Len(t, base.Tests, n, "the lab itself is unchanged")
	require.Len(t, lab.Tests, n+1)
	last := lab.Tests[n]
	assert.Equal(t, "mytest", last.Name)
	assert.Equal(t, 20, last.Points)
	assert.Equal(t, []string{"mytest"}, last.Run.Commands)
	assert.Equal(t, []string{"^done$"}, last.Want)

	plain, _ := Parse("other:o.c")
	lab, err = Extend(base, []Test{plain}, true)
	require.NoError(t, err)
	require.Len(t, lab.Tests, 1)
	assert.Equal(t, []string{"^other: PASSED$"}, lab.Tests[0].Want)

	_, err = Extend(base, []Test{plain, plain}, false)
	assert.ErrorContains(t, err, "two tests are named other")
}

func needCompiler(t *testing.T, arch grade.Arch) {
	for _, tool := range []string{"make", Compiler(arch)} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (make deps)", tool)
		}
	}
}

func builder(t *testing.T, arch grade.Arch) *Builder {
	src, err := FindKernelSrc()
	require.NoError(t, err)
	return &Builder{KernelSrc: src, Arch: arch, Dir: t.TempDir()}
}

func TestBuildErrorsAreOneLine(t *testing.T) {
	needCompiler(t, grade.RISCV)
	b := builder(t, grade.RISCV)
	_, err := b.Build(context.Background(), Test{Name: "broken", Source: "testdata/broken.c"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--test broken: testdata/broken.c does not compile: ")
	assert.Contains(t, err.Error(), "broken.c:")
	assert.NotContains(t, err.Error(), "\n")

	_, err = b.Build(context.Background(), Test{Name: "gone", Source: "testdata/gone.c"})
	assert.EqualError(t, err, "--test gone: testdata/gone.c: no such file")

	t.Setenv("TOOLPREFIX", "no-such-cross-")
	_, err = b.Build(context.Background(), Test{Name: "tadd", Source: "testdata/tadd.c"})
	assert.EqualError(t, err, "--test tadd: cannot build testdata/tadd.c: no-such-cross-gcc not found (run 'make deps' to install the cross compilers)")
}

// TestGradeWithACourseTest builds a program of its own, adds it to the
// embedded image and grades it in-process beside one of the threads lab's
// cases, on each arch. A second test with a pattern the program does not
// print must lose its points.
func TestGradeWithACourseTest(t *testing.T) {
	for _, arch := range grade.Arches {
		t.Run(string(arch), func(t *testing.T) {
			needCompiler(t, arch)
			b := builder(t, arch)
			pass, err := Parse("tadd:testdata/tadd.c")
			require.NoError(t, err)
			fail, err := Parse("tadd2:testdata/tadd.c:^tadd: n=301$:5")
			require.NoError(t, err)
			files, err := b.BuildAll(context.Background(), []Test{pass, fail})
			require.NoError(t, err)
			require.Len(t, files, 2)
			assert.True(t, strings.HasPrefix(string(files[0].Data), "\x7fELF"))

			lab, err := Extend(labs.Threads(), []Test{pass, fail}, false)
			require.NoError(t, err)
			elf, fs, err := kernel.Pair(string(arch))
			require.NoError(t, err)
			fs, err = mkfs.Add(fs, files)
			require.NoError(t, err)
			be, err := inproc.New(inproc.Config{Arch: arch, Kernel: elf, FS: fs})
			require.NoError(t, err)
			rep, err := grade.Grade(context.Background(), lab, grade.Options{
				Backend: be, Jobs: 2, Only: []string{"tclone", "tadd"},
			})
			require.NoError(t, err)
			got := map[string]bool{}
			for _, r := range rep.Tests {
				got[r.Name] = r.Passed
			}
			assert.Equal(t, map[string]bool{"tclone: clone and join basics": true, "tadd": true, "tadd2": false}, got)
			assert.Equal(t, 20, rep.Score)
			assert.Equal(t, 25, rep.Possible)
		})
	}
}
