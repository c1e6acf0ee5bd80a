package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// qemuNames are the program names under which xv6emu behaves as QEMU.
var qemuNames = []string{"qemu-system-riscv64", "qemu-system-i386"}

// qemuDispatch runs the QEMU personality when the binary was invoked under
// a QEMU name (argv[0], e.g. a link made by install-qemu-shims) or as
// "xv6emu qemu". QEMU's single-dash flags never reach cobra.
func qemuDispatch(argv []string) (int, bool) {
	if len(argv) == 0 {
		return 0, false
	}
	base := filepath.Base(argv[0])
	if strings.Contains(base, "qemu-system-") {
		return qemuMain(base, argv[1:]), true
	}
	if len(argv) > 1 && argv[1] == "qemu" {
		return qemuMain("qemu-system-riscv64", argv[2:]), true
	}
	return 0, false
}

func init() {
	cmd := &cobra.Command{
		Use:   "install-qemu-shims DIR",
		Short: "Make qemu-system-riscv64 and qemu-system-i386 links to xv6emu in DIR",
		Long: `Create symbolic links named qemu-system-riscv64 and qemu-system-i386 in DIR
pointing at this xv6emu binary. Invoked under those names, xv6emu behaves as
QEMU ('xv6emu qemu --help' lists the options it accepts). Put DIR first in
PATH, or pass the link to make: make qemu QEMU=DIR/qemu-system-riscv64.`,
		Example: `  xv6emu install-qemu-shims ~/bin
  make qemu QEMU=~/bin/qemu-system-riscv64`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return installShims(args[0], cmd.OutOrStdout())
		},
	}
	rootCmd.AddCommand(cmd)
}

func installShims(dir string, out interface{ Write([]byte) (int, error) }) error {
	self, err := os.Executable()
	if err != nil {
		return withCode(exitUsage, err)
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return withCode(exitUsage, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(exitUsage, err)
	}
	for _, n := range qemuNames {
		link := filepath.Join(dir, n)
		if st, err := os.Lstat(link); err == nil {
			if st.Mode()&os.ModeSymlink == 0 {
				return withCode(exitUsage, fmt.Errorf("%s exists and is not a link; not replacing it", link))
			}
			if err := os.Remove(link); err != nil {
				return withCode(exitUsage, err)
			}
		}
		if err := os.Symlink(self, link); err != nil {
			return withCode(exitUsage, err)
		}
		fmt.Fprintf(out, "%s -> %s\n", link, self)
	}
	return nil
}
