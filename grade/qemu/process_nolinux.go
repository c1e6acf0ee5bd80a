//go:build unix && !linux

package qemu

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}
