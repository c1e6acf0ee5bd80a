// Package cpubench measures the speed of the rv64 hart: it runs a
// CPU-bound guest (bench.elf, built from src/ by the Makefile) in S-mode
// under Sv39 translation on the bare board and reports guest MIPS.
package cpubench

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"time"

	"github.com/xv6emu/xv6emu/machine/bare"
)

//go:embed bench.elf
var guest []byte

// Result is one measurement.
type Result struct {
	Instructions uint64
	Elapsed      time.Duration
}

// MIPS returns millions of guest instructions per second.
func (r Result) MIPS() float64 {
	return float64(r.Instructions) / r.Elapsed.Seconds() / 1e6
}

func (r Result) String() string {
	return fmt.Sprintf("%d instructions in %v: %.1f MIPS", r.Instructions, r.Elapsed.Round(time.Millisecond), r.MIPS())
}

// NewBoard returns a bare board with the benchmark guest loaded.
func NewBoard() (*bare.Board, error) {
	return bare.New(bytes.NewReader(guest), io.Discard)
}

// Run executes n guest instructions (after a short warm-up that builds the
// decoded-instruction cache) and times them.
func Run(n uint64) (Result, error) {
	b, err := NewBoard()
	if err != nil {
		return Result{}, err
	}
	b.Hart.Run(1_000_000)
	start := time.Now()
	var done uint64
	for done < n {
		got := b.Hart.Run(min(n-done, 10_000_000))
		if got == 0 {
			return Result{}, fmt.Errorf("guest stopped at pc %#x", b.Hart.PC())
		}
		done += got
	}
	return Result{Instructions: done, Elapsed: time.Since(start)}, nil
}
