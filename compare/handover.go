package compare

import "github.com/xv6emu/xv6emu/machine"

// Lock hand-overs are counted from the run loop's spin detection, never
// from the guest. Boards run one processor at a time, so a processor that
// finds a lock held by another spins until the emulator sees the loop
// change nothing and stops it there (Spinning) for the rest of the round;
// it stays stopped at that loop round after round until the holder's
// release lets it through. A spin that ends with the processor still in
// the same mode (and, in user mode, the same thread) is therefore a
// hand-over: another processor stored to what it waited on. Kernel spin
// loops run with interrupts off (acquire's push_off / pushcli), so every
// kernel spin that ends is one; a user spin may also end in a timer
// interrupt, which takes the processor to the kernel and is not counted.
// Rounds are a few microseconds of guest time, so a wait shorter than that
// is seen only if it crosses a round's end; with one processor running at a
// time, a lock another processor holds is still held until then.

// HandOvers counts lock hand-overs by the mode the waiter spun in.
type HandOvers struct {
	Kernel uint64 `json:"kernel"`
	User   uint64 `json:"user"`
}

// handOverWatch follows each processor's spin from round to round.
type handOverWatch struct {
	n     HandOvers
	spins []spinState
}

// spinState is where a processor was at the end of the last round.
type spinState struct {
	spinning bool
	user     bool
	pc       uint64 // the loop's back edge, when spinning
	thread   uint64 // the trapframe, in user mode
}

func newHandOverWatch(cpus int) *handOverWatch {
	return &handOverWatch{spins: make([]spinState, cpus)}
}

// observe looks at every processor of m at the end of a round.
func (w *handOverWatch) observe(m *machine.Machine) {
	for i := range w.spins {
		var now spinState
		if m.PC() {
			c := m.X86(i)
			now = spinState{spinning: c.Spinning(), user: c.CPL() == 3, pc: uint64(c.EIP())}
			if now.user {
				now.thread = uint64(c.UserFrame())
			}
		} else {
			h := m.Hart(i)
			now = spinState{spinning: h.Spinning(), user: h.Priv() == 0, pc: h.PC()}
			if now.user {
				now.thread, _ = h.DebugReadCSR(0x140) // sscratch
			}
		}
		w.step(i, now)
	}
}

// step moves processor i to its state now, counting a hand-over if a spin
// ended.
func (w *handOverWatch) step(i int, now spinState) {
	was := w.spins[i]
	w.spins[i] = now
	if !was.spinning || now.spinning && now.pc == was.pc && now.user == was.user && now.thread == was.thread {
		return // not waiting, or still waiting at the same loop
	}
	switch {
	case !was.user:
		w.n.Kernel++
	case now.user && now.thread == was.thread:
		w.n.User++
	}
}
