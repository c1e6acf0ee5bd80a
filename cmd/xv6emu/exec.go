package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/arch/riscv64/riscv64asm"

	"github.com/xv6emu/xv6emu/machine/bare"
)

func init() {
	var maxInsns uint64
	var wall time.Duration
	var trace bool
	cmd := &cobra.Command{
		Use:   "exec FILE.elf",
		Short: "Run a bare-metal RISC-V test program (riscv-tests tohost convention)",
		Long: `exec runs a statically linked RV64 ELF on a bare board (RAM at 0x80000000,
one hart in M-mode at the entry point) until it writes the word at its
tohost symbol: 1 passes (exit 0), (N<<1)|1 fails test N (exit 1).

Exit status: 0 pass; 1 a test failed, or the hart waits or spins where
nothing can wake it; 2 a file that cannot be run (missing, not a regular
file, not an RV64 ELF, no tohost); 3 no result within --max-insns; 7 no
result within --wall-timeout; 8 trap storm: the hart takes exceptions over
and over without retiring an instruction (its trap vector faults too).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if wall <= 0 {
				return withCode(exitUsage, fmt.Errorf("--wall-timeout %v: must be positive", wall))
			}
			return execELF(args[0], maxInsns, wall, trace)
		},
	}
	cmd.Flags().Uint64Var(&maxInsns, "max-insns", 0, "stop after this many instructions (0 = no limit)")
	cmd.Flags().DurationVar(&wall, "wall-timeout", time.Minute, "give up after this much real time")
	cmd.Flags().BoolVar(&trace, "trace", false, "print every retired instruction: pc, disassembly, register written")
	rootCmd.AddCommand(cmd)
}

func execELF(path string, maxInsns uint64, wall time.Duration, trace bool) error {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	b, err := bare.Load(path, out)
	if err != nil {
		return withCode(exitUsage, err)
	}
	b.WallLimit = wall
	if trace {
		b.Hart.Trace = func(pc uint64, insn uint32, rd int, value uint64) {
			fmt.Fprintf(out, "%016x: %-32s", pc, disassemble(insn))
			if rd >= 0 {
				fmt.Fprintf(out, " %s=%#x", regName(rd), value)
			}
			out.WriteByte('\n')
		}
	}
	res, err := b.Run(maxInsns)
	switch {
	case errors.Is(err, bare.ErrLimit):
		out.Flush()
		return withCode(exitBudget, fmt.Errorf("%s: no result after %d instructions", path, maxInsns))
	case errors.Is(err, bare.ErrWallLimit):
		return withCode(exitWall, fmt.Errorf("%s: %w", path, err))
	case errors.Is(err, bare.ErrTrapStorm):
		return withCode(exitTrapStorm, fmt.Errorf("%s: %w", path, err))
	case err != nil:
		return withCode(exitGuestFail, fmt.Errorf("%s: %w", path, err))
	}
	if !res.Passed {
		fmt.Fprintf(out, "FAIL: test %d\n", res.Test)
		out.Flush()
		return withCode(1, fmt.Errorf("%s: test %d failed", path, res.Test))
	}
	return nil
}

// disassemble renders one instruction in GNU syntax.
func disassemble(raw uint32) string {
	var buf [4]byte
	binary.LittleEndian.PutUint32(buf[:], raw)
	n := 4
	if raw&3 != 3 {
		n = 2
	}
	inst, err := riscv64asm.Decode(buf[:n])
	if err != nil {
		if n == 2 {
			return fmt.Sprintf(".half %#04x", raw)
		}
		return fmt.Sprintf(".word %#08x", raw)
	}
	return riscv64asm.GNUSyntax(inst)
}

// regName names register r as reported by Trace (0..31 integer, 32..63 FP)
// the way x/arch's disassembly does.
func regName(r int) string {
	if r >= 32 {
		return fmt.Sprintf("f%d", r-32)
	}
	return fmt.Sprintf("x%d", r)
}
