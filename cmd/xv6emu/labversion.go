package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/labs"
)

// labVersionHelp explains how a lab version is chosen, for --help.
const labVersionHelp = `A lab may come in versions: kthread has the current 8-test version and an
older 6-test one (see --list). Without --lab-version the version is chosen,
and one line says which and why, from the first of:
  1. the course's grade_lab_<lab>.py (or grade-lab-<lab>) in the submission
     tree (--tree, or each tree with --batch): its tests, names, points,
     patterns and timeouts are graded exactly as declared (the Python is
     read, never run);
  2. the TEST<n> cases the submission's threadtest can print: counted in the
     tree's user/threadtest.c, else in the threadtest binary of --fs (its
     "TEST<n>" strings, else its test<n> function symbols);
  3. with --fs, the submission's threadtest output: "running threadtest" is
     run first, alone, and if it finishes with a last TEST<n> line that is a
     version's last case, that version is graded (on that same console:
     the run is not repeated);
  4. the default, 8-test version.
The 6-test version's points (10,10,40,10,10,10, usertests 10) are taken
from a public tree's copy of the course's script, not from the course;
give other points with --lab-version 6=P1,...,P6. A course script in a
submission tree is trusted as it is: a student who edits it edits the
grading (use --lab-version for trees you do not trust).`

// labFlags are --lab-version and --tree.
type labFlags struct {
	version, tree string
}

func (l *labFlags) register(f *pflag.FlagSet, tree bool) {
	f.StringVar(&l.version, "lab-version", "", `lab version: "8" or "6", or "6=P1,...,P6" for other points (default: detected)`)
	if tree {
		f.StringVar(&l.tree, "tree", "", "the submission's source tree, to choose the lab version from (its grade_lab_<lab>.py, user/threadtest.c)")
	}
}

// choose picks the version of lab name for one grading; fsPath is --fs.
// The filters must select tests of the chosen version too.
func (l *labFlags) choose(name string, filters []string, fsPath string) (*labs.Choice, error) {
	src := labs.Sources{Version: l.version, Tree: l.tree}
	if l.tree != "" {
		if st, err := os.Stat(l.tree); err != nil || !st.IsDir() {
			return nil, withCode(exitUsage, fmt.Errorf("--tree %s: not a folder", l.tree))
		}
	}
	if fsPath != "" && l.version == "" {
		if fs, err := readInput("--fs", fsPath, maxFSFile); err == nil {
			src.FS = fs
		}
	}
	c, err := labs.Choose(name, src)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	if _, err := c.Lab.Select(filters); err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("%s: %w", c, err))
	}
	return c, nil
}

// args passes --lab-version on, as the bundle's run_autograder does.
func (l *labFlags) args() []string {
	if l.version == "" {
		return nil
	}
	return []string{"--lab-version", l.version}
}

// labFor is batch.Options.LabFor: each submission's tree chooses its
// version, unless --lab-version fixes it.
func (l *labFlags) labFor(name string) func(tree string) (*grade.Lab, error) {
	return func(tree string) (*grade.Lab, error) {
		c, err := labs.Choose(name, labs.Sources{Version: l.version, Tree: tree})
		if err != nil {
			return nil, err
		}
		return c.Lab, nil
	}
}

// labsToList returns every version of each lab (or of the named ones).
func labsToList(names []string) ([]*grade.Lab, error) {
	if len(names) == 0 {
		for _, l := range labs.All() {
			names = append(names, l.Name)
		}
	}
	var out []*grade.Lab
	for _, n := range names {
		l, err := labs.Find(n)
		if err != nil {
			return nil, withCode(exitUsage, err)
		}
		out = append(out, l)
		for _, v := range labs.Versions(n)[min(1, len(labs.Versions(n))):] {
			if l, err = labs.Version(n, v); err != nil {
				return nil, err
			}
			out = append(out, l)
		}
	}
	return out, nil
}
