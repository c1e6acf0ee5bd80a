// Command xv6emu is a machine emulator for the xv6 teaching OS and its
// kernel-threads lab: it boots RISC-V "virt" (and i386 PC) machines, runs
// scripted sessions, grades labs in-process and benchmarks itself.
//
// Each subcommand lives in its own file and registers itself on rootCmd in
// an init function.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:   "xv6emu",
	Short: "Emulator for xv6 and its kernel-threads lab",
	Long: `xv6emu boots xv6 on an emulated RISC-V "virt" machine (QEMU-compatible),
runs scripted shell sessions, grades labs in-process and deterministically,
and benchmarks itself.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError is an error that carries the process exit status to use.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that main exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code, err}
}

func main() {
	if code, ok := qemuDispatch(os.Args); ok {
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:]))
}

// run executes the command line args and returns the exit status. Errors
// are printed as one line on stderr. Usage errors exit 2.
func run(args []string) int {
	rootCmd.SetArgs(args)
	cmd, err := rootCmd.ExecuteC()
	stopCPUProfile()
	if err == nil {
		return 0
	}
	fmt.Fprintf(os.Stderr, "xv6emu: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if cmd != nil && isUsageError(err) {
		fmt.Fprintf(os.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return 2
}

// isUsageError reports whether cobra rejected the command line itself.
func isUsageError(err error) bool {
	var ee *exitError
	return !errors.As(err, &ee)
}
