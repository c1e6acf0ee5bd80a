package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/rv64/cpubench"
	x86bench "github.com/xv6emu/xv6emu/x86/cpubench"
)

func init() {
	var (
		insns uint64
		arch  string
	)
	cmd := &cobra.Command{
		Use:   "cpu",
		Short: "Guest MIPS of the CPU core on a CPU-bound kernel-mode program with paging on",
		Long: `cpu runs a CPU-bound guest (sorting, CRC, matrix multiply, pointer chasing)
in kernel mode with address translation on (RV64 S-mode under Sv39, or
with --arch x86 i386 ring 0 with paging) and reports millions of guest
instructions per second, per wall-clock second and per second of CPU time
of the emulating thread (the latter is steadier on a busy machine).`,
		Example: `  xv6emu bench cpu
  xv6emu bench cpu --arch x86 --insns 200000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := parseArch(arch)
			if err != nil {
				return err
			}
			if insns == 0 {
				return withCode(exitUsage, fmt.Errorf("--insns must be positive"))
			}
			var res fmt.Stringer
			if a == grade.X86 {
				res, err = x86bench.Run(insns)
			} else {
				res, err = cpubench.Run(insns)
			}
			if err != nil {
				return withCode(1, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cpu (%s): %s\n", a, res)
			return nil
		},
	}
	registerArch(cmd.Flags(), &arch)
	cmd.Flags().Uint64Var(&insns, "insns", 500_000_000, "guest instructions to run")
	benchCmd.AddCommand(cmd)
}
