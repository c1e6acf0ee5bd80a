//go:build linux

package bus

import (
	"runtime"
	"syscall"
)

// newRAM returns size bytes of zeroed guest memory. It maps fresh
// anonymous pages rather than allocating from the Go heap: the kernel
// hands them out already zero and only pages the guest touches become
// resident, where make would clear (and so touch) every byte up front.
func newRAM(b *Bus, size uint64) []byte {
	mem, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, size)
	}
	// Huge pages: a kernel like xv6 writes a word to every page of RAM as
	// it builds its free list, and 2 MiB pages make that 64 faults for a
	// 128 MiB guest instead of 32768. Advice only; errors do not matter.
	_ = syscall.Madvise(mem, syscall.MADV_HUGEPAGE)
	// The Go collector does not see this memory, so it is released by
	// Close; the cleanup only covers a Bus dropped without Close.
	b.unmap = func() { _ = syscall.Munmap(mem) }
	b.cleanup = runtime.AddCleanup(b, func(m []byte) { _ = syscall.Munmap(m) }, mem)
	return mem
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
