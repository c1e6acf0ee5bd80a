package qemu

import "syscall"

// setParentDeathSignal makes the kernel kill QEMU if xv6emu itself dies
// without cleaning up (kill -9, a crash).
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
