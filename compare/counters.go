package compare

import "github.com/xv6emu/xv6emu/machine"

// Counters are the processors' event counts summed over a board, in terms
// both architectures share. Atomics keeps each architecture's own
// instruction names ("amoadd.w", "lock xadd"), since which instruction a
// lock uses is the point.
type Counters struct {
	Syscalls   uint64 `json:"syscalls"`    // ecall from U-mode / int n from ring 3
	PageFaults uint64 `json:"page_faults"` // any page fault, user or kernel
	// ASwitches counts page-table root writes (satp / CR3). xv6-riscv
	// writes satp on every trap into and out of user space; classic xv6
	// writes CR3 only when it switches processes.
	ASwitches uint64            `json:"pt_root_writes"`
	Atomics   map[string]uint64 `json:"atomics,omitempty"`
}

func (c *Counters) addAtomic(name string, n uint64) {
	if n == 0 {
		return
	}
	if c.Atomics == nil {
		c.Atomics = make(map[string]uint64)
	}
	c.Atomics[name] += n
}

func (s *Stats) add(o Stats) {
	s.CPUs = max(s.CPUs, o.CPUs)
	s.Insns += o.Insns
	s.Skipped += o.Skipped
	s.Syscalls += o.Syscalls
	s.PageFaults += o.PageFaults
	s.ASwitches += o.ASwitches
	for k, v := range o.Atomics {
		s.addAtomic(k, v)
	}
}

// readCounters sums the processors' counters of m.
func readCounters(m *machine.Machine) Counters {
	var c Counters
	if m.PC() {
		for i := 0; i < m.CPUs(); i++ {
			s := m.X86(i).Stats
			c.Syscalls += s.Syscalls
			c.PageFaults += s.PageFaults
			c.ASwitches += s.CR3Writes
			c.addAtomic("xchg", s.LockXchg)
			c.addAtomic("lock xadd", s.LockXadd)
			c.addAtomic("lock cmpxchg", s.LockCmpxchg)
			c.addAtomic("lock (other)", s.LockOther)
		}
		return c
	}
	for i := 0; i < m.Harts(); i++ {
		s := m.Hart(i).Counters()
		c.Syscalls += s.Syscalls
		c.PageFaults += s.PageFaults
		c.ASwitches += s.SatpWrites
		c.addAtomic("lr", s.LR)
		c.addAtomic("sc", s.SC)
		c.addAtomic("amoadd.w", s.AMOAddW)
		c.addAtomic("amoadd.d", s.AMOAddD)
		c.addAtomic("amoswap.w", s.AMOSwapW)
		c.addAtomic("amoswap.d", s.AMOSwapD)
		c.addAtomic("amo (other)", s.AMOOther)
	}
	return c
}
