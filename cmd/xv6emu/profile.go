package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// cpuProfile is the hidden developer flag --cpuprofile FILE: a pprof CPU
// profile of the whole command, for profiling real workloads (a grade, a
// usertests run) rather than only the benchmarks.
var cpuProfile string

func init() {
	rootCmd.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the command to this file")
	_ = rootCmd.PersistentFlags().MarkHidden("cpuprofile")
	rootCmd.PersistentPreRunE = func(*cobra.Command, []string) error {
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return withCode(exitUsage, fmt.Errorf("--cpuprofile: %w", err))
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return withCode(exitUsage, fmt.Errorf("--cpuprofile: %w", err))
		}
		return nil
	}
}

// stopCPUProfile ends a --cpuprofile profile; run calls it whether or not
// the command failed.
func stopCPUProfile() {
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
}
