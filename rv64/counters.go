package rv64

// This file owns the hart's event counters, read by `xv6emu compare` after
// a run to show what a lab's mechanisms cost at run time. They are bumped
// only on slow paths (traps, satp writes, the A extension's handler), never
// per ordinary instruction.

// Counters are event counts since New.
type Counters struct {
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
func (h *Hart) Counters() Counters { return h.ctr }

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
func (h *Hart) countAtomic(in *insn) {
	w := in.size == 4
	switch {
	case in.op == opLR:
		h.ctr.LR++
	case in.op == opSC:
		h.ctr.SC++
	case in.op == opAMOADD && w:
		h.ctr.AMOAddW++
	case in.op == opAMOADD:
		h.ctr.AMOAddD++
	case in.op == opAMOSWAP && w:
		h.ctr.AMOSwapW++
	case in.op == opAMOSWAP:
		h.ctr.AMOSwapD++
	default:
		h.ctr.AMOOther++
	}
}
