package main

import "github.com/spf13/cobra"

// benchCmd groups the benchmarks; each one registers itself as a
// subcommand in its own file (bench_cpu.go, bench_boot.go, ...).
var benchCmd = &cobra.Command{
	Use:   "bench",
	Short: "Measure the emulator's speed",
	Long: `Benchmarks that print their figures: guest MIPS of the CPU core, boot time
to the shell prompt, and the time to grade a lab.`,
}

func init() { rootCmd.AddCommand(benchCmd) }
