package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/kernel/mkfs"
	"github.com/xv6emu/xv6emu/machine"
)

func init() {
	var (
		mf          machineFlags
		adds        []string
		timeout     time.Duration
		wallTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run [flags] -- 'command' ['command'...]",
		Short: "Boot, type shell commands at each prompt, print the console",
		Long: `Boot a kernel, wait for the shell prompt "$ ", type each command after the
previous one's prompt returns, and exit 0 when the prompt is back after the
last command. The whole console is printed as it goes.

The guest runs on virtual time, so the same kernel, image, commands and
--seed always print the same console. --timeout is in guest time.

Exit status: 0 success, 1 kernel panic or guest failure, 2 bad input,
3 instruction budget exhausted, 4 timeout, 5 every hart idle forever,
6 console output limit exceeded.`,
		Example: `  xv6emu run -- 'ls' 'echo hello' 'cat README'
  xv6emu run --cpus 1 -- 'usertests -q'
  xv6emu run --add build/_mytest:mytest -- mytest
  xv6emu run --kernel xv6-riscv/kernel/kernel --fs xv6-riscv/fs.img -- ls`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScript(&mf, adds, timeout, wallTimeout, args)
		},
	}
	mf.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&adds, "add", nil, "add HOSTFILE[:NAME] to the fs image for this run (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "give up after this much guest time")
	cmd.Flags().DurationVar(&wallTimeout, "wall-timeout", 0, "give up after this much real time (0 = never)")
	rootCmd.AddCommand(cmd)
}

func runScript(mf *machineFlags, adds []string, timeout, wallTimeout time.Duration, commands []string) error {
	files, err := parseAdds(adds)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if len(files) > 0 && mf.persist {
		return withCode(exitUsage, fmt.Errorf("--add cannot be combined with --persist"))
	}
	var addFiles func([]byte) ([]byte, error)
	if len(files) > 0 {
		addFiles = func(img []byte) ([]byte, error) { return mkfs.Add(img, files) }
	}
	cfg, d, err := mf.config(addFiles)
	if err != nil {
		return err
	}
	defer closeDisk(d)
	cfg.Console = os.Stdout
	if timeout > 0 {
		cfg.MaxTicks = uint64(timeout.Seconds() * machine.Timebase)
	}
	m, err := machine.NewVirt(cfg)
	if err != nil {
		return withCode(exitUsage, err)
	}
	defer m.Close()
	if wallTimeout > 0 {
		t := time.AfterFunc(wallTimeout, func() { m.Interrupt(fmt.Sprintf("wall-clock timeout after %v", wallTimeout)) })
		defer t.Stop()
	}
	stop, typed := m.RunScript(commands, machine.DefaultPrompt)
	if err := closeDisk(d); err != nil {
		return withCode(exitGuestFail, err)
	}
	if err := stopStatus(stop); err != nil {
		fmt.Println()
		if typed > 0 && typed <= len(commands) {
			return fmt.Errorf("%w (while running command %d, %q)", err, typed, commands[typed-1])
		}
		return fmt.Errorf("%w (before the first prompt)", err)
	}
	return nil
}

// parseAdds reads the --add files: HOSTFILE or HOSTFILE:NAME. Without a
// name the file's base name is used, less a leading underscore (the xv6
// build's "_prog" convention).
func parseAdds(adds []string) ([]mkfs.File, error) {
	var files []mkfs.File
	for _, a := range adds {
		path, name := a, ""
		if i := strings.LastIndexByte(a, ':'); i > 0 {
			path, name = a[:i], a[i+1:]
		}
		if name == "" {
			name = strings.TrimPrefix(filepath.Base(path), "_")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--add: %w", err)
		}
		files = append(files, mkfs.File{Name: name, Data: data})
	}
	return files, nil
}
