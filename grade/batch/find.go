package batch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Kind is how a submission arrived.
type Kind string

const (
	KindFolder Kind = "folder" // a tree (or prebuilt kernel/kernel + fs.img) as a folder
	KindZip    Kind = "zip"    // a .zip of one
	KindTarGz  Kind = "tar.gz" // a .tar.gz or .tgz of one
	KindOther  Kind = "other"  // anything else: reported, never graded
)

// Submission is one entry of the batch folder.
type Submission struct {
	Name string // the entry's file name, e.g. "alice.zip"
	ID   string // a file-name-safe, unique name for its results folder
	Path string
	Kind Kind
}

// Find lists the submissions in dir, one per entry, in name order (as
// os.ReadDir returns them, so IDs are stable from run to run).
// Hidden entries (".DS_Store", ".git") are not submissions. A file that
// is neither a .zip nor a .tar.gz is listed with KindOther so that the
// summary shows it instead of silently leaving a student out.
func Find(dir string) ([]Submission, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	var subs []Submission
	used := make(map[string]bool)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		st, err := os.Stat(path) // follows a symlink the instructor made
		if err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
		s := Submission{Name: name, Path: path, Kind: kindOf(name, st.IsDir())}
		s.ID = uniqueID(safeName(name), used)
		subs = append(subs, s)
	}
	return subs, nil
}

func kindOf(name string, dir bool) Kind {
	lower := strings.ToLower(name)
	switch {
	case dir:
		return KindFolder
	case strings.HasSuffix(lower, ".zip"):
		return KindZip
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		return KindTarGz
	}
	return KindOther
}

// safeName keeps letters, digits, '-', '_' and '.', so that a student's
// file name cannot reach outside the results folder or break a link.
func safeName(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
	if strings.Trim(s, ".") == "" {
		s = "_" + s
	}
	return s
}

func uniqueID(base string, used map[string]bool) string {
	id := base
	for n := 2; used[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	used[id] = true
	return id
}
