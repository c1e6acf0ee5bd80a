package machine

import "fmt"

// stormTraps is how many exceptions in a row, with no instruction retired
// between them, make a trap storm. A healthy kernel retires handler
// instructions after every trap; even a fault inside a handler's first
// instruction nests only a few deep. So a thousand is a hart that can never
// get out (its trap vector faults too), and stopping it at once spares the
// host from interpreting an endless loop one costly trap at a time.
const stormTraps = 1024

// stormWatch is one hart's record for trap-storm detection.
type stormWatch struct {
	retired uint64 // instructions retired (Instret - Exceptions) when last seen moving
	from    uint64 // Exceptions when retired last moved
}

// trapStorm reports whether hart i is in a trap storm, recording why in
// m.storm.
func (m *Machine) trapStorm(i int) bool {
	h := m.harts[i]
	w := &m.storms[i]
	exc := h.Exceptions()
	if r := h.Instret() - exc; r != w.retired {
		w.retired, w.from = r, exc
		return false
	}
	if exc-w.from < stormTraps {
		return false
	}
	cause, epc, tval := h.LastTrap()
	m.storm = fmt.Sprintf("hart %d took %d %s exceptions in a row at pc %#x (tval %#x) without retiring an instruction: its trap handler cannot run",
		i, exc-w.from, causeName(cause), epc, tval)
	return true
}

// causeName names a RISC-V exception cause.
func causeName(cause uint64) string {
	names := [...]string{
		0: "instruction-misaligned", 1: "instruction-access-fault", 2: "illegal-instruction",
		3: "breakpoint", 4: "load-misaligned", 5: "load-access-fault",
		6: "store-misaligned", 7: "store-access-fault", 8: "ecall-from-U",
		9: "ecall-from-S", 11: "ecall-from-M", 12: "instruction-page-fault",
		13: "load-page-fault", 15: "store-page-fault",
	}
	if cause < uint64(len(names)) && names[cause] != "" {
		return names[cause]
	}
	return fmt.Sprintf("cause-%d", cause)
}
