package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBatchFlagsGoTogether(t *testing.T) {
	k, fs := embeddedFiles(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--out", dir}, "--out goes with --batch"},
		{[]string{"--resume"}, "--resume goes with --batch"},
		{[]string{"--batch", dir, "--kernel", k, "--fs", fs}, "--kernel and --fs do not apply"},
		{[]string{"--batch", dir, "--json", filepath.Join(dir, "r.json")}, "--json, --gradescope and --results do not apply"},
		{[]string{"--batch", k}, "not a folder"},
	} {
		code, stdout, stderr := captureRun(t, append([]string{"grade", "kthread"}, c.args...)...)
		assert.Equal(t, 2, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.stderr, c.args)
		assert.NotContains(t, stdout, "== Test")
	}
}

// A folder with one prebuilt submission (the embedded images) and two
// that cannot be graded: each gets its line and its row.
func TestBatchGradesAFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("boots xv6: skipped in -short mode")
	}
	k, fs := embeddedFiles(t)
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	pre := filepath.Join(dir, "prebuilt")
	require.NoError(t, os.MkdirAll(filepath.Join(pre, "kernel"), 0o755))
	for from, to := range map[string]string{k: filepath.Join(pre, "kernel", "kernel"), fs: filepath.Join(pre, "fs.img")} {
		data, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, data, 0o644))
	}
	var evil bytes.Buffer
	zw := zip.NewWriter(&evil)
	w, _ := zw.Create("../../escape")
	w.Write([]byte("x"))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "evil.zip"), evil.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("hi"), 0o644))

	code, stdout, stderr := captureRun(t, "grade", "kthread", "threadtest: test1", "--batch", dir, "--out", out, "--html", "-j", "2")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "prebuilt: 10/10 full marks")
	assert.Contains(t, stdout, `evil.zip: 0/10 bad submission`)
	assert.Contains(t, stdout, `"../../escape": a path outside the tree`)
	assert.Contains(t, stdout, "3 of 3 submissions graded")
	assert.NoFileExists(t, filepath.Join(filepath.Dir(dir), "escape"))
	for _, f := range []string{"summary.csv", "summary.json", "index.html", "submissions/prebuilt/transcript.txt"} {
		assert.FileExists(t, filepath.Join(out, f))
	}

	code, stdout, stderr = captureRun(t, "grade", "kthread", "threadtest: test1", "--batch", dir, "--out", out, "--resume")
	assert.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "prebuilt:", "resumed: nothing graded again")
	assert.Contains(t, stdout, "3 of 3 submissions graded")
}
