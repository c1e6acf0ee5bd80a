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
	ASwitches uint64 `json:"pt_root_writes"`
	// Switches counts entries to user mode as another thread than the
	// processor's previous one: context switches between user threads.
	Switches uint64            `json:"thread_switches"`
	Atomics  map[string]uint64 `json:"atomics,omitempty"`
	// Entries are each processor's first entries to user mode, one per
	// trapframe location, in order: among them the threads' starts.
	Entries []Entry `json:"user_entries,omitempty"`
}

// Entry is a processor's first entry to user mode with one trapframe.
// On RISC-V the return address and arguments are registers (ra, a0, a1);
// on x86 they are the three words at the user stack pointer.
type Entry struct {
	CPU       int    `json:"cpu"`
	Trapframe uint64 `json:"trapframe"` // RISC-V: sscratch (user VA); x86: kernel ESP at the iret
	PC        uint64 `json:"pc"`
	SP        uint64 `json:"sp"`
	Ret       uint64 `json:"ret"`
	Arg1      uint64 `json:"arg1"`
	Arg2      uint64 `json:"arg2"`
	OK        bool   `json:"ok"` // x86: the stack words could be read
}

// ThreadExitPC is the fake return address the kthread lab puts where a
// thread function would return to: entries with it are thread starts.
const ThreadExitPC = 0xffffffff

// ThreadStarts are the entries that start a thread.
func (c *Counters) ThreadStarts() []Entry {
	var out []Entry
	for _, e := range c.Entries {
		if e.OK && e.Ret == ThreadExitPC {
			out = append(out, e)
		}
	}
	return out
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
	s.HandOvers.Kernel += o.HandOvers.Kernel
	s.HandOvers.User += o.HandOvers.User
	s.Syscalls += o.Syscalls
	s.PageFaults += o.PageFaults
	s.ASwitches += o.ASwitches
	s.Switches += o.Switches
	for k, v := range o.Atomics {
		s.addAtomic(k, v)
	}
	if s.Entries == nil { // the first seed's run stands for the others
		s.Entries = o.Entries
	}
	if s.Timeline == nil {
		s.Timeline = o.Timeline
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
			c.Switches += s.ThreadSwitches
			c.addAtomic("xchg", s.LockXchg)
			c.addAtomic("lock xadd", s.LockXadd)
			c.addAtomic("lock cmpxchg", s.LockCmpxchg)
			c.addAtomic("lock (other)", s.LockOther)
			for _, u := range m.X86(i).UserEntries() {
				c.Entries = append(c.Entries, Entry{CPU: i, Trapframe: uint64(u.Frame), PC: uint64(u.EIP), SP: uint64(u.ESP),
					Ret: uint64(u.Words[0]), Arg1: uint64(u.Words[1]), Arg2: uint64(u.Words[2]), OK: u.WordsOK})
			}
		}
		return c
	}
	for i := 0; i < m.Harts(); i++ {
		s := m.Hart(i).Counters()
		c.Syscalls += s.Syscalls
		c.PageFaults += s.PageFaults
		c.ASwitches += s.SatpWrites
		c.Switches += s.ThreadSwitches
		c.addAtomic("lr", s.LR)
		c.addAtomic("sc", s.SC)
		c.addAtomic("amoadd.w", s.AMOAddW)
		c.addAtomic("amoadd.d", s.AMOAddD)
		c.addAtomic("amoswap.w", s.AMOSwapW)
		c.addAtomic("amoswap.d", s.AMOSwapD)
		c.addAtomic("amo (other)", s.AMOOther)
		for _, u := range m.Hart(i).UserEntries() {
			c.Entries = append(c.Entries, Entry{CPU: i, Trapframe: u.Trapframe, PC: u.PC, SP: u.SP,
				Ret: u.RA, Arg1: u.A0, Arg2: u.A1, OK: true})
		}
	}
	return c
}
