package rv64

import (
	"os"
	"strconv"
)

// The translator. MIT's kernels spend most of their interpreted time in
// small functions: the lock helpers (acquire, release, push_off, pop_off,
// mycpu, holding) that wakeup and the scheduler call for every process,
// loads, stores, an AMO and two sstatus accesses apiece. A block the
// interpreter has entered often enough (jitState.heat times) is translated
// to amd64 code that runs it straight through, with the TLB hit tests
// inline (jit_amd64.go; other hosts interpret everything).
//
// Translated code is a fast path of the interpreter, not a second
// machine: the guest's registers stay in h.x, and at anything beyond the
// fast cases (a TLB miss, a store to a page with code, a CSR other than
// sstatus, an op it does not know, a back edge where spin detection would
// count a visit, any taken branch while a sniff is under way) it returns
// before the instruction with the count of those before it, and the
// interpreter goes on from there as if it had run them itself. So a
// block's effects, counts and hooks are exactly the interpreter's, and
// the interpreter is the reference the tests hold it to (jit_test.go, and
// TestISA runs every program both ways).
//
// Where a block ends (its last instruction, a taken branch, a return) the
// code goes on into the translated block at the target, if there is one
// that the interpreter would enter: on the same page by its slot, on
// another through the fetch TLB and the decoded page, as interpret's own
// page switch does, and only while the Run's budget covers the whole
// block. So a call from one kernel function to another and its return
// stay in translated code. It returns the count retired, the pc, and
// where it stopped (jitAt: the block and instruction), for interpret to
// go on with. In a Run of one instruction (cycle probes, tracing) it runs
// at most a block of one instruction.

// dpage.native values below jitArenaStart.
const (
	nativeNone    = 0 // not translated (yet)
	nativeRefused = 1 // translating gave nothing to run
)

// jitHeat is how many times a block is entered before it is translated:
// translation costs about as much as running a short block a hundred
// times, and most blocks run only a few times (a program's startup, a
// one-off path).
const jitHeat = 32

// jitEnvHeat is the heat new harts start with. The XV6EMU_JIT environment
// variable set to 0 turns translation off (to compare a run against the
// interpreter), set to "all" translates every block on its first entry
// (to put instruction tests through the translator), and set to a number
// translates blocks entered that many times.
func jitEnvHeat() uint8 {
	if !jitSupported {
		return 0
	}
	switch v := os.Getenv("XV6EMU_JIT"); v {
	case "0", "off":
		return 0
	case "all":
		return 1
	default:
		if n, err := strconv.ParseUint(v, 10, 8); err == nil {
			return uint8(n) // a heat of its own, to measure with
		}
	}
	return jitHeat
}

// SetJIT turns block translation on or off for h (it is on by default
// where supported). Off, the interpreter runs everything.
func (h *Hart) SetJIT(on bool) {
	var heat uint8
	if on && jitSupported {
		heat = jitHeat
	}
	h.setJITHeat(heat)
}

// setJITHeat sets the entries before a block is translated (0: never) and
// forgets every translation.
func (h *Hart) setJITHeat(heat uint8) {
	h.jit.heat = heat
	for _, d := range h.icache.pages {
		if d != nil {
			d.native = [slotsPerPage]uint32{}
			d.heat = [slotsPerPage]uint8{}
		}
	}
}

// JITSupported reports whether this build translates (linux/amd64).
const JITSupported = jitSupported

// Translated returns how many of h's instructions ran as translated code.
func (h *Hart) Translated() uint64 { return h.jit.ran }
