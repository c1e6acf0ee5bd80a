//go:build unix

package qemu

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts QEMU in a process group of its own, so that killing
// the group gets any helper it forks too, and a Ctrl-C meant for us does
// not reach it before we clean up.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(cmd.SysProcAttr)
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
