package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/kernel/mkfs"
	"github.com/xv6emu/xv6emu/machine"
)

func init() {
	var (
		mf   machineFlags
		adds []string
	)
	cmd := &cobra.Command{
		Use:   "run [flags] -- 'command' ['command'...]",
		Short: "Boot, type shell commands at each prompt, print the console",
		Long: `Boot a kernel, wait for the shell prompt "$ ", type each command after the
previous one's prompt returns, and exit 0 when the prompt is back after the
last command. The whole console is printed as it goes.

The guest runs on virtual time, so the same kernel, image, commands and
--seed always print the same console. --timeout is in guest time and
--wall-timeout in real time; every run has both (5 minutes by default, the
course's timeout for usertests), so a guest that hangs, crawls, spins,
floods the console or fork-bombs always ends with a verdict. If the host
cannot run the guest up to --timeout within --wall-timeout, the run stops
saying how much guest time it reached.

` + exitStatusHelp,
		Example: `  xv6emu run -- 'ls' 'echo hello' 'cat README'
  xv6emu run --cpus 1 -- 'usertests -q'
  xv6emu run --add build/_mytest:mytest -- mytest
  xv6emu run --timeout 30s --wall-timeout 1m -- threadtest
  xv6emu run --kernel xv6-riscv/kernel/kernel --fs xv6-riscv/fs.img -- ls
  xv6emu run --arch x86 -- 'echo hi'
  xv6emu run --arch x86 --disk xv6/xv6.img --fs xv6/fs.img -- usertests`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScript(cmd, &mf, adds, args)
		},
	}
	mf.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&adds, "add", nil, "add HOSTFILE[:NAME] to the fs image for this run (repeatable)")
	rootCmd.AddCommand(cmd)
}

func runScript(cmd *cobra.Command, mf *machineFlags, adds []string, commands []string) error {
	ticks, wall, err := mf.bounds(cmd.Flags(), false)
	if err != nil {
		return err
	}
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
	cfg.MaxTicks = ticks
	cfg.WallLimit = wall
	m, err := newMachine(grade.Arch(mf.arch), cfg, d)
	if err != nil {
		return withCode(exitUsage, err)
	}
	defer m.Close()
	// A signal ends the run between rounds, so the console printed so far
	// is flushed and the message says where the run was.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		if s, ok := <-sigs; ok {
			m.Interrupt(s.String())
		}
	}()
	stop, typed := m.RunScript(commands, machine.DefaultPrompt)
	if err := closeDisk(d); err != nil {
		return withCode(exitGuestFail, err)
	}
	return scriptStatus(stop, typed, commands)
}

// scriptStatus turns how a scripted session ended into the exit status and
// message: typed commands were typed of commands when the machine stopped.
func scriptStatus(stop machine.Stop, typed int, commands []string) error {
	where := "before the first prompt: none of the commands ran"
	if typed > 0 {
		where = fmt.Sprintf("while running command %d, %q", typed, commands[typed-1])
	}
	if stop.Reason == machine.StopPowerOff {
		// The last command may shut the machine down; anything earlier
		// means commands never ran.
		if typed == len(commands) && typed > 0 {
			return nil
		}
		fmt.Println()
		return withCode(exitGuestFail, fmt.Errorf("the guest powered off %s", where))
	}
	if err := stopStatus(stop); err != nil {
		fmt.Println()
		return fmt.Errorf("%w (%s)", err, where)
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
		data, err := readInput("--add", path, maxAddFile)
		if err != nil {
			return nil, err
		}
		files = append(files, mkfs.File{Name: name, Data: data})
	}
	return files, nil
}
