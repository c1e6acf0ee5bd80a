package gradescope

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/xv6emu/xv6emu/grade/batch"
)

// DefaultRoot is where Gradescope puts the autograder, the submission and
// the results.
const DefaultRoot = "/autograder"

// RootEnv overrides DefaultRoot (for testing a bundle outside Gradescope).
const RootEnv = "AUTOGRADER_ROOT"

// Config is one autograder run.
type Config struct {
	Root  string // "" means $AUTOGRADER_ROOT, else DefaultRoot
	Batch batch.Options
	// Transcript receives gradelib's report of the grading (Gradescope
	// shows run_autograder's output to instructors); nil discards it.
	Transcript io.Writer
}

// root is the autograder root: cfg.Root, $AUTOGRADER_ROOT or DefaultRoot.
func (c Config) root() string {
	switch {
	case c.Root != "":
		return c.Root
	case os.Getenv(RootEnv) != "":
		return os.Getenv(RootEnv)
	}
	return DefaultRoot
}

// Autograde grades <root>/submission (a tree, or a folder holding one
// .zip or .tar.gz of a tree) and writes <root>/results/results.json. Any
// failure to grade is reported in results.json with score 0 rather than
// returned, so the student always sees why; the error is only for a
// results.json that cannot be written.
func Autograde(ctx context.Context, cfg Config) error {
	root := cfg.root()
	resDir := filepath.Join(root, "results")
	if err := os.MkdirAll(resDir, 0o755); err != nil {
		return fmt.Errorf("gradescope: %w", err)
	}
	opt := cfg.Batch
	if opt.Out == "" {
		opt.Out = filepath.Join(resDir, "xv6emu")
	}
	start := time.Now()
	sub := submission(filepath.Join(root, "submission"))
	r, rep, err := batch.Grade(ctx, sub, opt)
	if r == nil {
		lab := opt.Lab
		r = &batch.Result{Submission: sub.Name, Verdict: batch.Failed}
		if lab != nil {
			r.Lab = lab.Name
		}
	}
	if err != nil && r.Detail == "" {
		r.Verdict, r.Detail = batch.Failed, err.Error()
		rep = nil
	}
	r.WallSeconds = time.Since(start).Seconds()
	if cfg.Transcript != nil {
		if data, err := os.ReadFile(filepath.Join(opt.Out, filepath.FromSlash(r.Dir), batch.TranscriptFile)); err == nil {
			cfg.Transcript.Write(data)
		}
	}
	var buf bytes.Buffer
	if err := WriteResults(&buf, r, rep); err != nil {
		return fmt.Errorf("gradescope: %w", err)
	}
	return os.WriteFile(filepath.Join(resDir, "results.json"), buf.Bytes(), 0o644)
}

// submission is what Gradescope left in dir: the tree itself, or a single
// archive of it.
func submission(dir string) batch.Submission {
	s := batch.Submission{Name: "submission", ID: "submission", Path: dir, Kind: batch.KindFolder}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].IsDir() {
		return s
	}
	subs, err := batch.Find(dir)
	if err == nil && len(subs) == 1 && (subs[0].Kind == batch.KindZip || subs[0].Kind == batch.KindTarGz) {
		subs[0].ID = "submission"
		return subs[0]
	}
	return s
}
