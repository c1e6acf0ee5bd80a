package gradescope_test

// The autograder bundle end to end, without Gradescope: a static xv6emu
// writes the bundle, which is unpacked into a scratch root laid out like
// /autograder; setup.sh runs (all but the package install) and
// run_autograder grades sample submissions, and results.json is checked
// against Gradescope's schema.

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade/batch/samples"
	"github.com/xv6emu/xv6emu/grade/gradescope"
)

func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: "+format, args...)
	}
	t.Skipf(format, args...)
}

// runIn runs a command with env added, failing the test on error.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

func unzipTo(t *testing.T, zipFile, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(zipFile)
	require.NoError(t, err)
	defer zr.Close()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.Name), data, f.Mode().Perm()))
	}
}

type results struct {
	Score  float64 `json:"score"`
	Output string  `json:"output"`
	Tests  []struct {
		Name     string  `json:"name"`
		Score    float64 `json:"score"`
		MaxScore float64 `json:"max_score"`
		Status   string  `json:"status"`
	} `json:"tests"`
}

func TestBundleGradesSubmissionsLikeGradescope(t *testing.T) {
	if testing.Short() {
		t.Skip("builds xv6emu and kernels: skipped in -short mode")
	}
	for _, tool := range []string{"bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable(t, "%s is not installed", tool)
		}
	}
	tmp := t.TempDir()
	b, err := samples.NewBuilder(tmp)
	if err != nil {
		unavailable(t, "%v", err)
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)

	// Gradescope's containers have no Go and none of our libraries.
	bin := filepath.Join(tmp, "xv6emu")
	runIn(t, repo, []string{"CGO_ENABLED=0"}, "go", "build", "-o", bin, "./cmd/xv6emu")
	bundle := filepath.Join(tmp, "autograder.zip")
	runIn(t, tmp, nil, bin, "gradescope-bundle", "kthread", "threadtest", "-o", bundle)

	// Gradescope unpacks the bundle into /autograder/source, runs setup.sh
	// there and copies run_autograder to /autograder.
	root := filepath.Join(tmp, "autograder")
	unzipTo(t, bundle, filepath.Join(root, "source"))
	run, err := os.ReadFile(filepath.Join(root, "source", "run_autograder"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "run_autograder"), run, 0o755))
	env := []string{
		gradescope.RootEnv + "=" + root,
		"XV6EMU_BIN_DIR=" + filepath.Join(root, "bin"),
		"XV6EMU_SKIP_APT=1", // the packages are installed here already
	}
	runIn(t, filepath.Join(root, "source"), env, "bash", "setup.sh")
	require.FileExists(t, filepath.Join(root, "bin", "xv6emu"))

	grade := func(t *testing.T) results {
		t.Helper()
		transcript := runIn(t, root, env, filepath.Join(root, "run_autograder"))
		data, err := os.ReadFile(filepath.Join(root, "results", "results.json"))
		require.NoError(t, err, "run_autograder printed:\n%s", transcript)
		require.NoError(t, gradescope.Validate(data))
		var res results
		require.NoError(t, json.Unmarshal(data, &res))
		return res
	}
	reset := func(t *testing.T) string {
		t.Helper()
		for _, d := range []string{"submission", "results"} {
			require.NoError(t, os.RemoveAll(filepath.Join(root, d)))
		}
		sub := filepath.Join(root, "submission")
		require.NoError(t, os.MkdirAll(sub, 0o755))
		return sub
	}

	t.Run("correct tree", func(t *testing.T) {
		sub := reset(t)
		tree, err := b.Tree(samples.Correct, tmp)
		require.NoError(t, err)
		require.NoError(t, os.Remove(sub))
		require.NoError(t, os.Rename(tree, sub))
		res := grade(t)
		assert.Equal(t, 90.0, res.Score)
		require.Len(t, res.Tests, 9, "running threadtest and its 8 tests")
		for _, tt := range res.Tests {
			assert.Equal(t, "passed", tt.Status, tt.Name)
			assert.Equal(t, tt.MaxScore, tt.Score, tt.Name)
		}
		assert.Contains(t, res.Output, "90/90")
	})

	t.Run("zip that does not build", func(t *testing.T) {
		sub := reset(t)
		_, err := b.Write(samples.DoesNotBuild, sub)
		require.NoError(t, err)
		res := grade(t)
		assert.Equal(t, 0.0, res.Score)
		assert.Contains(t, res.Output, "does not build")
		assert.Regexp(t, `src/core/thread.c:\d+:\d+: error: 'stak' undeclared`, res.Output)
		require.Len(t, res.Tests, 9)
		for _, tt := range res.Tests {
			assert.Equal(t, "failed", tt.Status, tt.Name)
			assert.Equal(t, 0.0, tt.Score)
		}
	})
}
