// Package cpubench measures the speed of the rv64 hart: it runs a
// CPU-bound guest (bench.elf, built from src/ by the Makefile) in S-mode
// under Sv39 translation on the bare board and reports guest MIPS.
package cpubench

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"runtime"
	"syscall"
	"time"

	"github.com/xv6emu/xv6emu/machine/bare"
)

//go:embed bench.elf
var guest []byte

// Result is one measurement: wall-clock time, and the CPU time of the
// thread that ran the guest (which other load on the machine disturbs
// much less).
type Result struct {
	Instructions uint64
	Elapsed      time.Duration
	CPU          time.Duration
}

// MIPS returns millions of guest instructions per wall-clock second.
func (r Result) MIPS() float64 { return mips(r.Instructions, r.Elapsed) }

// CPUMIPS returns millions of guest instructions per second of CPU time.
func (r Result) CPUMIPS() float64 { return mips(r.Instructions, r.CPU) }

func mips(n uint64, d time.Duration) float64 { return float64(n) / d.Seconds() / 1e6 }

func (r Result) String() string {
	return fmt.Sprintf("%d instructions in %v (%v CPU): %.1f MIPS (%.1f per CPU second)",
		r.Instructions, r.Elapsed.Round(time.Millisecond), r.CPU.Round(time.Millisecond), r.MIPS(), r.CPUMIPS())
}

// threadCPU returns the CPU time used so far by the calling OS thread.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.Hart.Run(1_000_000)
	start, startCPU := time.Now(), threadCPU()
	var done uint64
	for done < n {
		got := b.Hart.Run(min(n-done, 10_000_000))
		if got == 0 {
			return Result{}, fmt.Errorf("guest stopped at pc %#x", b.Hart.PC())
		}
		done += got
	}
	return Result{Instructions: done, Elapsed: time.Since(start), CPU: threadCPU() - startCPU}, nil
}
