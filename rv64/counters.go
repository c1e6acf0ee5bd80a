package rv64

// This file owns the hart's event counters, read by `xv6emu compare` after
// a run to show what a lab's mechanisms cost at run time. They are bumped
// only on slow paths (traps, satp writes, the A extension's handler), never
// per ordinary instruction.

// Counters are event counts since New.
type Counters struct {
	Events
	// ThreadSwitches counts returns to U-mode as another thread than the
	// hart's previous one (see noteUserEntry): the context switches
	// between user threads that this hart made.
	ThreadSwitches uint64
}

// Events are the counts a Hart keeps in place, among its hot fields; what
// Counters adds lives at the end of Hart, so that it moves none of them.
type Events struct {
	Syscalls   uint64 // ecall from U-mode
	PageFaults uint64 // instruction, load and store page faults
	SatpWrites uint64 // address-space switches (and kernel/user page-table swaps)
	LR, SC     uint64
	AMOAddW    uint64
	AMOAddD    uint64
	AMOSwapW   uint64
	AMOSwapD   uint64
	AMOOther   uint64 // amoxor, amoand, amoor, amomin/max[u]
}

// Counters returns the hart's event counts.
func (h *Hart) Counters() Counters {
	return Counters{Events: h.ctr, ThreadSwitches: h.lastUser.switches}
}

// countException notes a synchronous exception by cause.
func (h *Hart) countException(cause uint64) {
	switch cause {
	case excEcallU:
		h.ctr.Syscalls++
	case excInsnPageFault, excLoadPageFault, excStorePageFault:
		h.ctr.PageFaults++
	}
}

// countAtomic notes an A-extension instruction about to execute.
func (h *Hart) countAtomic(in *insn) { h.countAtomics(in, 1) }

// countAtomics notes n executions of the A-extension instruction in (n > 1
// when a tallying spin skips passes, see tally.go).
func (h *Hart) countAtomics(in *insn, n uint64) {
	w := in.size == 4
	switch {
	case in.op == opLR:
		h.ctr.LR += n
	case in.op == opSC:
		h.ctr.SC += n
	case in.op == opAMOADD && w:
		h.ctr.AMOAddW += n
	case in.op == opAMOADD:
		h.ctr.AMOAddD += n
	case in.op == opAMOSWAP && w:
		h.ctr.AMOSwapW += n
	case in.op == opAMOSWAP:
		h.ctr.AMOSwapD += n
	default:
		h.ctr.AMOOther += n
	}
}

// UserEntry is a hart's first return to U-mode with one sscratch value
// (where xv6's trampoline finds the running thread's trapframe): the
// registers a thread starts with, for comparing the calling convention of
// thread entry across architectures.
type UserEntry struct {
	Trapframe  uint64 // sscratch
	PC, SP, RA uint64
	A0, A1     uint64
}

// MaxUserEntries bounds the entries a hart records.
const MaxUserEntries = 16

// UserEntries returns the hart's recorded first user entries, oldest first.
func (h *Hart) UserEntries() []UserEntry { return h.entries.list[:h.entries.n] }

type userEntries struct {
	list [MaxUserEntries]UserEntry
	n    int
}

// userThread is the thread of a hart's latest return to U-mode, its page
// table (satp) and trapframe (sscratch), and the switches counted.
type userThread struct {
	last     [2]uint64
	entered  bool // there was one
	switches uint64
}

// noteUserEntry is called by sret on the way to U-mode (a slow path). A
// thread is told apart by its page table and by where the trampoline
// finds its trapframe (sscratch), which our kernel and the lab's keep per
// thread. (MIT's own trampoline leaves other values in sscratch; there
// threads of one process may count as switching among themselves.)
func (h *Hart) noteUserEntry() {
	e := &h.entries
	tf := h.csr.sscratch
	if u, thread := &h.lastUser, [2]uint64{h.csr.satp, tf}; thread != u.last || !u.entered {
		if u.entered {
			u.switches++
		}
		u.last, u.entered = thread, true
	}
	if e.n == MaxUserEntries {
		return
	}
	for i := 0; i < e.n; i++ {
		if e.list[i].Trapframe == tf {
			return
		}
	}
	e.list[e.n] = UserEntry{Trapframe: tf, PC: h.pc, SP: h.x[2], RA: h.x[1], A0: h.x[10], A1: h.x[11]}
	e.n++
}
