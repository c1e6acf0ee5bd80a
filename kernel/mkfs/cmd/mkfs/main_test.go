package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

func TestRunNamesFilesByBaseName(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"_cat": "cat!", "README.md": "docs", "__x": "x"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	out := filepath.Join(dir, "fs.img")
	require.NoError(t, run([]string{out, filepath.Join(dir, "_cat"), filepath.Join(dir, "README.md"), filepath.Join(dir, "__x")}))

	img, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := mkfs.Build([]mkfs.File{{Name: "cat", Data: []byte("cat!")},
		{Name: "README.md", Data: []byte("docs")}, {Name: "_x", Data: []byte("x")}}, mkfs.Options{})
	require.NoError(t, err)
	assert.Equal(t, want, img)
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	assert.ErrorContains(t, run(nil), "usage")
	assert.Error(t, run([]string{filepath.Join(dir, "o.img"), filepath.Join(dir, "missing")}))
	long := filepath.Join(dir, "_averyveryverylongname")
	require.NoError(t, os.WriteFile(long, nil, 0o644))
	assert.ErrorIs(t, run([]string{filepath.Join(dir, "o.img"), long}), mkfs.ErrNameTooLong)
}
