package kbuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRepo is a repository whose kernel/src has a Makefile that "builds"
// build/out/greeting from greeting.txt, and a stale build folder.
func fakeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                               "module example.com/fake\n",
		"kernel/src/greeting.txt":              "hello\n",
		"kernel/src/sub/note.txt":              "kept\n",
		"kernel/src/build/stale/should-not-go": "x\n",
		"kernel/src/Makefile": "out:\n\tmkdir -p build/out\n\tcp greeting.txt build/out/greeting\n" +
			"\techo $(ROOT) > build/out/root\n",
	}
	for name, body := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	}
	return root
}

func TestRootFindsTheRepository(t *testing.T) {
	root := Root(t)
	assert.FileExists(t, filepath.Join(root, "go.mod"))
	assert.DirExists(t, filepath.Join(root, "kernel", "src"))
	assert.Equal(t, "internal", filepath.Base(filepath.Dir(mustGetwd(t))))
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	require.NoError(t, err)
	return wd
}

func TestCopyPatchMakeRead(t *testing.T) {
	Need(t, "make", "patch")
	root := fakeRepo(t)
	tr := New(t, root)
	assert.FileExists(t, filepath.Join(tr.Src, "sub", "note.txt"))
	assert.NoDirExists(t, filepath.Join(tr.Src, "build"), "build outputs are not copied")

	patch := filepath.Join(t.TempDir(), "greet.patch")
	require.NoError(t, os.WriteFile(patch, []byte(
		"--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+mutant\n"), 0o644))

	tr.Patch(t, patch)
	tr.Make(t, "out")
	assert.Equal(t, "mutant\n", string(tr.Read(t, "out/greeting")))
	assert.Equal(t, root+"\n", string(tr.Read(t, "out/root")), "make gets ROOT")

	tr.Unpatch(t, patch)
	tr.Make(t, "-B", "out")
	assert.Equal(t, "hello\n", string(tr.Read(t, "out/greeting")))

	orig, err := os.ReadFile(filepath.Join(root, "kernel", "src", "greeting.txt"))
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(orig), "the repository's sources are untouched")
}

func TestNeedSkipsWithoutATool(t *testing.T) {
	if os.Getenv("CI") != "" {
		t.Skip("under CI a missing tool fails the test instead")
	}
	const missing = "kbuild-no-such-tool"
	_, err := exec.LookPath(missing)
	require.Error(t, err)
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Need(t, missing)
	})
	assert.True(t, skipped)
}
