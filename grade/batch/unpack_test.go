package batch

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entry is one member of a test archive.
type entry struct {
	name, body, link string
	dir, hard        bool
	mode             fs.FileMode
}

func zipOf(t *testing.T, es ...entry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		body := e.body
		switch {
		case e.dir:
			h.SetMode(fs.ModeDir | 0o755)
		case e.link != "":
			h.SetMode(fs.ModeSymlink | 0o777)
			body = e.link
		default:
			h.SetMode(0o644 | e.mode)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	p := filepath.Join(t.TempDir(), "s.zip")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

func tarOf(t *testing.T, es ...entry) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: 0o644, ModTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		switch {
		case e.dir:
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case e.hard:
			h.Typeflag, h.Linkname = tar.TypeLink, e.link
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		}
		require.NoError(t, tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	p := filepath.Join(t.TempDir(), "s.tar.gz")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

func unpackTo(t *testing.T, path string, kind Kind, lim Limits) (string, error) {
	t.Helper()
	dst := t.TempDir()
	return dst, Unpack(Submission{Name: filepath.Base(path), Path: path, Kind: kind}, dst, lim)
}

func TestUnpackKeepsTreesTimesAndInnerLinks(t *testing.T) {
	es := []entry{
		{name: "xv6/", dir: true},
		{name: "xv6/Makefile", body: "all:\n"},
		{name: "xv6/kernel/proc.c", body: "int x;\n"},
		{name: "xv6/mkfs.sh", body: "#!/bin/sh\n", mode: 0o755},
		{name: "xv6/kernel/link.c", link: "proc.c"},
		{name: "xv6/top", link: "kernel/../Makefile"},
	}
	for _, c := range []struct {
		kind Kind
		path string
	}{{KindZip, zipOf(t, es...)}, {KindTarGz, tarOf(t, es...)}} {
		dst, err := unpackTo(t, c.path, c.kind, DefaultLimits)
		require.NoError(t, err, c.kind)
		data, err := os.ReadFile(filepath.Join(dst, "xv6", "kernel", "link.c"))
		require.NoError(t, err)
		assert.Equal(t, "int x;\n", string(data))
		st, err := os.Stat(filepath.Join(dst, "xv6", "kernel", "proc.c"))
		require.NoError(t, err)
		assert.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), st.ModTime().UTC(), "make needs the archive's times")
		if c.kind == KindZip {
			st, err = os.Stat(filepath.Join(dst, "xv6", "mkfs.sh"))
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o755), st.Mode().Perm())
		}
		tree, err := FindTree(dst)
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(dst, "xv6"), tree)
	}
}

func TestUnpackRefusesHostileArchives(t *testing.T) {
	small := Limits{MaxBytes: 1 << 20, MaxFiles: 10}
	zeros := string(make([]byte, 2<<20))
	cases := []struct {
		name string
		path string
		kind Kind
		want string
	}{
		{"zip dot-dot", zipOf(t, entry{name: "a/../../evil", body: "x"}), KindZip, "outside the tree"},
		{"zip absolute", zipOf(t, entry{name: "/tmp/evil", body: "x"}), KindZip, "outside the tree"},
		{"zip backslash dot-dot", zipOf(t, entry{name: `..\evil`, body: "x"}), KindZip, "outside the tree"},
		{"symlink out", zipOf(t, entry{name: "l", link: "../../etc/passwd"}), KindZip, "symlink out"},
		{"absolute symlink", tarOf(t, entry{name: "l", link: "/etc/passwd"}), KindTarGz, "symlink out"},
		{
			// Each link stays inside on paper; together they leave.
			"symlink chain out",
			tarOf(t, entry{name: "d1/d2/", dir: true}, entry{name: "d1/d2/up", link: "../.."}, entry{name: "n", link: "d1/d2/up/.."}),
			KindTarGz, "symlink out",
		},
		{"dangling symlink", tarOf(t, entry{name: "l", link: "nothing"}), KindTarGz, "leads nowhere"},
		{"hard link", tarOf(t, entry{name: "a", body: "x"}, entry{name: "b", link: "a", hard: true}), KindTarGz, "not a file"},
		{"zip bomb", zipOf(t, entry{name: "big", body: zeros}), KindZip, "zip bomb"},
		{"tar bomb", tarOf(t, entry{name: "big", body: zeros}), KindTarGz, "zip bomb"},
		{"too many files", tarOf(t, manyFiles(11)...), KindTarGz, "more than 10 entries"},
		{"duplicate entry", zipOf(t, entry{name: "a", body: "x"}, entry{name: "a", body: "y"}), KindZip, "exists"},
		{"not an archive", testFile(t, "notes.zip", "hello"), KindZip, "not a valid zip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := unpackTo(t, c.path, c.kind, small)
			require.Error(t, err)
			var ue *UnpackError
			assert.ErrorAs(t, err, &ue)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A zip whose header lies about the size is stopped by the bytes
// actually written, not by what the header claims.
func TestUnpackCountsBytesNotHeaders(t *testing.T) {
	data := make([]byte, 3<<20)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(data)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "liar", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100,
	})
	require.NoError(t, err)
	w.Write(comp.Bytes())
	require.NoError(t, zw.Close())
	p := testFile(t, "liar.zip", buf.String())

	dst, err := unpackTo(t, p, KindZip, Limits{MaxBytes: 1 << 20, MaxFiles: 10})
	require.Error(t, err)
	if st, err := os.Stat(filepath.Join(dst, "liar")); err == nil {
		assert.LessOrEqual(t, st.Size(), int64(1<<20+1))
	}
}

func TestUnpackFolderFollowsTheSameRules(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "Makefile"), []byte("all:\n"), 0o644))
	require.NoError(t, os.Symlink("/etc", filepath.Join(src, "etc")))
	_, err := unpackTo(t, src, KindFolder, DefaultLimits)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "symlink out")

	require.NoError(t, os.Remove(filepath.Join(src, "etc")))
	dst, err := unpackTo(t, src, KindFolder, DefaultLimits)
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dst, "Makefile"))
}

func manyFiles(n int) []entry {
	var es []entry
	for i := 0; i < n; i++ {
		es = append(es, entry{name: filepath.Join("f", string(rune('a'+i))), body: "x"})
	}
	return es
}

func testFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func TestFindNamesEveryEntry(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"alice.zip", "bob.tar.gz", "carol.TGZ", "notes.txt", ".DS_Store", "a b.zip", "a_b.zip"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), nil, 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "dave"), 0o755))
	subs, err := Find(dir)
	require.NoError(t, err)
	got := map[string]Submission{}
	ids := map[string]bool{}
	for _, s := range subs {
		got[s.Name] = s
		assert.False(t, ids[s.ID], "IDs must be unique: %s", s.ID)
		ids[s.ID] = true
	}
	assert.Len(t, subs, 7)
	assert.Equal(t, KindZip, got["alice.zip"].Kind)
	assert.Equal(t, KindTarGz, got["bob.tar.gz"].Kind)
	assert.Equal(t, KindTarGz, got["carol.TGZ"].Kind)
	assert.Equal(t, KindOther, got["notes.txt"].Kind)
	assert.Equal(t, KindFolder, got["dave"].Kind)
	assert.Equal(t, "a_b.zip", got["a b.zip"].ID)
	assert.Equal(t, "a_b.zip-2", got["a_b.zip"].ID)
	assert.Equal(t, "_..", safeName(".."), "an ID must never be a path step")
}

func TestFindTreeSkipsWrappersAndMacJunk(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"__MACOSX/xv6/Makefile", "xv6-labs/Makefile", "xv6-labs/kernel/proc.c"} {
		full := filepath.Join(root, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, nil, 0o644))
	}
	tree, err := FindTree(root)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "xv6-labs"), tree)

	_, err = FindTree(t.TempDir())
	assert.ErrorContains(t, err, "no xv6 tree")
}
