package machine

// cpu is what the run loop needs of a processor, whichever the board
// (*rv64.Hart on virt, pcCPU on pc). The loop calls it once per slice of a
// quantum, never per instruction.
type cpu interface {
	Run(budget uint64) uint64
	Instret() uint64
	Waiting() bool  // waits for an interrupt (wfi, hlt, or an AP before STARTUP)
	Spinning() bool // the last Run ended in a loop that changes nothing
	Effects() uint64
}

// updateTimers re-evaluates the board's timer interrupt lines against the
// current time.
func (m *Machine) updateTimers() {
	if m.pc != nil {
		m.pc.updateTimers()
		return
	}
	m.clint.Update()
}

// powerState is the board's power-off latch: powered off (with a code), or
// a reset request.
func (m *Machine) powerState() (done bool, code int, reset bool) {
	if m.pc != nil {
		return m.pc.power.Halted()
	}
	return m.power.Halted()
}

// cpuStopped reports whether CPU i can never go on (a RISC-V trap storm, an
// x86 shutdown), recording why in m.storm.
func (m *Machine) cpuStopped(i int) bool {
	if m.pc != nil {
		return m.pcStopped(i)
	}
	return m.trapStorm(i)
}
