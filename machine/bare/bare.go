// Package bare is the minimal board that runs ISA tests (riscv-tests and
// our own rv64/testdata programs): RAM at 0x80000000, one hart started in
// M-mode at the ELF entry, a clock that ticks with retired instructions, and
// the HTIF "tohost" word as the only way out.
//
// tohost protocol: 1 means pass; 0x0101000000000000|ch prints ch on the
// console (the board clears tohost and the program goes on); any other
// non-zero value v means test v>>1 failed.
package bare

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/machine/elfload"
	"github.com/xv6emu/xv6emu/rv64"
)

// Board layout.
const (
	RAMBase = 0x80000000
	RAMSize = 64 << 20
)

// quantum is how many instructions run between looks at tohost. The test
// environments spin after writing tohost, so a pass or a character is never
// missed, only noticed a little later.
const quantum = 4096

const consoleCmd = 0x0101 << 48

// maxFile bounds the ELF file Load reads: the program must fit in RAM.
const maxFile = RAMSize

// stormTraps is how many exceptions in a row with no instruction retired
// make a trap storm (see machine's own detector for why).
const stormTraps = 1024

// Errors Run returns for a program that will not finish.
var (
	ErrLimit     = errors.New("instruction limit exceeded")
	ErrWallLimit = errors.New("wall-clock limit exceeded")
	ErrTrapStorm = errors.New("trap storm")
)

// Board is one hart, RAM and a tohost address.
type Board struct {
	Bus    *bus.Bus
	Hart   *rv64.Hart
	tohost uint64
	out    io.Writer
	// WallLimit stops Run with ErrWallLimit after this much real time;
	// 0 means none.
	WallLimit time.Duration
}

// Result is how a program ended.
type Result struct {
	Passed   bool
	Test     uint64 // failing test number when !Passed
	Executed uint64 // instructions executed (Hart.Instret)
}

// instretClock makes time advance one tick per retired instruction, so runs
// are deterministic.
type instretClock struct{ h *rv64.Hart }

func (c instretClock) Now() uint64 { return c.h.Instret() }

// Load builds a board with the ELF file at path loaded. Console output
// goes to out (os.Stdout if nil).
func Load(path string, out io.Writer) (*Board, error) {
	// Look before opening: opening a FIFO blocks, and a device such as
	// /dev/zero never ends.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("%s: %d bytes is larger than the board's %d MiB of RAM", path, st.Size(), maxFile>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := New(f, out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// New builds a board running the ELF read from r.
func New(r io.ReaderAt, out io.Writer) (*Board, error) {
	if out == nil {
		out = os.Stdout
	}
	b := bus.New(RAMBase, RAMSize)
	im, err := elfload.Load(r, b, elfload.RISCV64)
	if err != nil {
		return nil, err
	}
	tohost, ok := im.Symbol("tohost")
	if !ok {
		return nil, errors.New("no tohost symbol")
	}
	if !b.IsRAM(tohost, 8) {
		return nil, fmt.Errorf("tohost at %#x is outside RAM", tohost)
	}
	clock := &instretClock{}
	h := rv64.New(0, b, clock)
	clock.h = h
	h.Reset(im.Entry)
	return &Board{Bus: b, Hart: h, tohost: tohost, out: out}, nil
}

// Run runs the program until it reports through tohost or maxInsns
// instructions have run (0 means no limit), in which case it returns
// ErrLimit. A hart stuck in a trap storm (ErrTrapStorm) or a run past
// WallLimit (ErrWallLimit) ends it too, wrapped with the details.
func (b *Board) Run(maxInsns uint64) (Result, error) {
	var steps, quanta uint64
	start := time.Now()
	retired, stormFrom := ^uint64(0), uint64(0)
	for {
		n := uint64(quantum)
		if maxInsns != 0 {
			if steps >= maxInsns {
				return Result{Executed: b.Hart.Instret()}, ErrLimit
			}
			n = min(n, maxInsns-steps)
		}
		quanta++
		if b.WallLimit > 0 && quanta%64 == 0 {
			if wall := time.Since(start); wall >= b.WallLimit {
				return Result{Executed: b.Hart.Instret()}, fmt.Errorf("%w: no result after %.1f s of wall time (%d instructions)", ErrWallLimit, wall.Seconds(), b.Hart.Instret())
			}
		}
		steps += n
		b.Hart.Run(n)
		exc := b.Hart.Exceptions()
		if r := b.Hart.Instret() - exc; r != retired {
			retired, stormFrom = r, exc
		} else if exc-stormFrom >= stormTraps {
			cause, epc, _ := b.Hart.LastTrap()
			return Result{Executed: b.Hart.Instret()}, fmt.Errorf("%w: %d exceptions in a row (mcause %d, mepc %#x) without retiring an instruction", ErrTrapStorm, exc-stormFrom, cause, epc)
		}
		if b.Hart.Waiting() {
			// Nothing can wake a lone hart on this board.
			return Result{Executed: b.Hart.Instret()}, errors.New("hart is waiting for an interrupt that cannot come")
		}
		if b.Hart.Spinning() && b.idleHost() {
			// Nor end a loop that changes nothing: time here is the
			// hart's own instruction count, so no timer can fire.
			return Result{Executed: b.Hart.Instret()}, errors.New("hart spins in a loop that nothing can end")
		}
		if res, done := b.checkHost(); done {
			return res, nil
		}
	}
}

// idleHost reports whether tohost holds nothing for the host to act on
// (acting on a console request clears it, which may end a loop).
func (b *Board) idleHost() bool {
	v, _ := b.Bus.Load(b.tohost, 8)
	return v == 0
}

// checkHost reads tohost and acts on it.
func (b *Board) checkHost() (Result, bool) {
	v, _ := b.Bus.Load(b.tohost, 8)
	switch {
	case v == 0:
		return Result{}, false
	case v == 1:
		return Result{Passed: true, Executed: b.Hart.Instret()}, true
	case v>>48 == consoleCmd>>48:
		fmt.Fprintf(b.out, "%c", byte(v))
		b.Bus.Store(b.tohost, 8, 0)
		return Result{}, false
	}
	return Result{Test: v >> 1, Executed: b.Hart.Instret()}, true
}
