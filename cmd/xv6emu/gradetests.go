package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/custom"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

// courseTestsHelp explains --test and --lab-file, for --help.
const courseTestsHelp = `A course's own test programs join any lab with --test (repeatable) or
--lab-file. --test NAME:PROGRAM.c[:REGEX][:POINTS] compiles PROGRAM.c
against xv6emu's user library and user.h (make user, or make user-x86 with
--arch x86: riscv64-unknown-elf-gcc or gcc -m32), adds it to the file
system image as NAME, types NAME at the prompt and awards POINTS (default
10) if a console line matches REGEX (default ^NAME: PASSED$; anchored as
gradelib's re.match). Each such test boots its own machine, with a 60s
timeout. REGEX may contain colons; a last field of digits alone is POINTS
("mytest:my.c::20" keeps the default REGEX). A lab file lists tests one a
line, '#' comments:
  test NAME:PROGRAM.c[:REGEX][:POINTS]   PROGRAM relative to the lab file
  timeout 90s                            for the test lines below it
  only                                   grade these tests, not the lab's own
The programs link with our library, so on a submission's kernel (--kernel,
--fs) they use our system call numbers. xv6emu finds kernel/src above the
working directory or its executable, or at $XV6EMU_KSRC.`

// courseTests are grade's --test and --lab-file.
type courseTests struct {
	specs   []string
	labFile string
	tests   []custom.Test
	only    bool
}

// register adds the flags. Called after registerBatch, it also rejects
// them with --batch, which builds each submission's own image.
func (c *courseTests) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&c.specs, "test", nil, "add a test program: NAME:PROGRAM.c[:REGEX][:POINTS] (repeatable; see above)")
	f.StringVar(&c.labFile, "lab-file", "", "add the test programs a lab file lists (see above)")
	cmd.Long += "\n\n" + courseTestsHelp
	cmd.Example += `
  xv6emu grade threads --test tcv:tests/condvar.c --test tsem:tests/sem.c:^sem ok$:20
  xv6emu grade threads --arch x86 --lab-file course.lab`
	next := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := c.parse(); err != nil {
			return err
		}
		if len(c.tests) > 0 && cmd.Flags().Changed("batch") {
			return withCode(exitUsage, fmt.Errorf("--test and --lab-file do not go with --batch"))
		}
		return next(cmd, args)
	}
}

func (c *courseTests) parse() error {
	c.tests, c.only = nil, false
	for _, s := range c.specs {
		t, err := custom.Parse(s)
		if err != nil {
			return withCode(exitUsage, err)
		}
		c.tests = append(c.tests, t)
	}
	if c.labFile != "" {
		lf, err := custom.ReadLabFile(c.labFile)
		if err != nil {
			return withCode(exitUsage, err)
		}
		c.tests = append(c.tests, lf.Tests...)
		c.only = lf.Only
	}
	return nil
}

// ownFilters splits grade's arguments: the lab's own filters, checked
// against the lab before the course tests join it, and all of them.
func (c *courseTests) ownFilters(args []string) []string {
	if len(c.tests) == 0 || len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	for _, f := range args[1:] {
		mine := false
		for _, t := range c.tests {
			mine = mine || strings.Contains(strings.ToLower(t.Name), strings.ToLower(f))
		}
		if !mine {
			out = append(out, f)
		}
	}
	return out
}

// apply builds the programs for target's arch, arranges for them to be
// added to the image, and returns lab with their tests. A missing
// compiler or a program that does not compile is a usage error.
func (c *courseTests) apply(ctx context.Context, lab *grade.Lab, target *gradeTarget) (*grade.Lab, error) {
	if len(c.tests) == 0 {
		return lab, nil
	}
	ext, err := custom.Extend(lab, c.tests, c.only)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	src, err := custom.FindKernelSrc()
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("--test: %w", err))
	}
	dir, err := os.MkdirTemp("", "xv6emu-tests-")
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	defer os.RemoveAll(dir)
	b := &custom.Builder{KernelSrc: src, Arch: target.archOf(), Dir: dir}
	files, err := b.BuildAll(ctx, c.tests)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	target.extra = files
	return ext, nil
}

// withExtra adds the course's programs to a file system image.
func (g *gradeTarget) withExtra(fs []byte) ([]byte, error) {
	if len(g.extra) == 0 {
		return fs, nil
	}
	if fs == nil {
		return nil, fmt.Errorf("--test: there is no file system image to add the programs to")
	}
	out, err := mkfs.Add(fs, g.extra)
	if err != nil {
		return nil, fmt.Errorf("--test: %w (a NAME may not be a file the image already has)", err)
	}
	return out, nil
}
