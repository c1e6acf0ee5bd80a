package rv64

// This file lets a board notice a trap storm: a hart that takes the same
// exception over and over without retiring an instruction (a kernel that
// jumps to an address with nothing behind it while its trap vector points
// there too). Such a hart can never get out, and each trap costs as much
// host time as an instruction, so boards stop it instead of running it.

// Exceptions returns how many synchronous exceptions the hart has taken
// since New. Instret() - Exceptions() is the number of instructions that
// retired, so a board sees a storm as Instret growing while that does not.
func (h *Hart) Exceptions() uint64 { return h.traps }

// LastTrap returns the cause, exception pc and trap value of the last trap
// taken into the privilege mode the hart is in now (the mcause/mepc/mtval
// or scause/sepc/stval registers), to explain a storm.
func (h *Hart) LastTrap() (cause, epc, tval uint64) {
	c := &h.csr
	if h.priv == PrivM {
		return c.mcause, c.mepc, c.mtval
	}
	return c.scause, c.sepc, c.stval
}
