// Package cpubench measures the speed of the x86 CPU: it runs a CPU-bound
// guest (bench.elf, built from src/ by the Makefile) in ring 0 with paging
// on, on a bare bus with RAM only, and reports guest MIPS. The CLI's
// `bench cpu --arch x86` calls Run.
package cpubench

import (
	"bytes"
	"debug/elf"
	_ "embed"
	"fmt"
	"runtime"
	"syscall"
	"time"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/x86"
)

//go:embed bench.elf
var guest []byte

// Result is one measurement: wall-clock time, and the CPU time of the
// thread that ran the guest (which other load disturbs much less).
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

func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type noClock struct{}

func (noClock) Now() uint64 { return 0 }

// NewCPU returns a CPU on a fresh 32 MiB bus with the guest loaded and
// entered as a multiboot kernel would be. Close the bus when done.
func NewCPU() (*x86.CPU, *bus.Bus, error) {
	f, err := elf.NewFile(bytes.NewReader(guest))
	if err != nil {
		return nil, nil, err
	}
	b := bus.New(0, 32<<20)
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		data := make([]byte, p.Memsz)
		if n, _ := p.ReadAt(data[:p.Filesz], 0); n != int(p.Filesz) {
			b.Close()
			return nil, nil, fmt.Errorf("cpubench: short segment")
		}
		if err := b.WriteRAM(p.Paddr, data); err != nil {
			b.Close()
			return nil, nil, err
		}
	}
	c := x86.New(0, b, noClock{})
	c.EnterMultiboot(uint32(f.Entry), 0x2BADB002, 0)
	return c, b, nil
}

// Run executes n guest instructions (after a warm-up that fills the
// decoded-instruction cache and the TLBs) and times them.
func Run(n uint64) (Result, error) {
	c, b, err := NewCPU()
	if err != nil {
		return Result{}, err
	}
	defer b.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c.Run(1_000_000)
	start, startCPU := time.Now(), threadCPU()
	var done uint64
	for done < n {
		got := c.Run(min(n-done, 10_000_000))
		if got == 0 {
			return Result{}, fmt.Errorf("cpubench: guest stopped at eip %#x", c.EIP())
		}
		done += got
	}
	return Result{Instructions: done, Elapsed: time.Since(start), CPU: threadCPU() - startCPU}, nil
}
