package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xv6emu/xv6emu/rv64/cpubench"
)

func init() {
	var insns uint64
	cmd := &cobra.Command{
		Use:   "cpu",
		Short: "Guest MIPS of the RV64 hart on a CPU-bound S-mode program under Sv39",
		Long: `cpu runs a CPU-bound guest (sorting, CRC, matrix multiply, pointer chasing)
in S-mode with Sv39 translation on and reports millions of guest
instructions per second, per wall-clock second and per second of CPU time
of the emulating thread (the latter is steadier on a busy machine).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if insns == 0 {
				return fmt.Errorf("--insns must be positive")
			}
			res, err := cpubench.Run(insns)
			if err != nil {
				return withCode(1, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cpu: %s\n", res)
			return nil
		},
	}
	cmd.Flags().Uint64Var(&insns, "insns", 500_000_000, "guest instructions to run")
	benchCmd.AddCommand(cmd)
}
