//go:build unix

package batch

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the build in a process group of its own, so that a
// timeout kills the compilers make started as well as make.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
