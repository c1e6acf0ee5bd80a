// Package rv64 is the RV64GC hart: RV64IMAFDC with Zicsr and Zifencei,
// M/S/U privilege (priv spec 1.12) with Sstc, and Sv39 translation through
// package sv39. It knows nothing of the board: it sees a *bus.Bus, external
// interrupt lines set by SetInterrupt, and a Clock.
//
// How it is fast: every RAM page executed from gets a decoded-instruction
// page (one slot per 2-byte offset, compressed instructions expanded at
// decode time). A store to such a page drops it, through bus.Code and
// bus.OnCodeWrite. Decoded pages are allocated the first time a page is
// executed and recycled when dropped, so the run loop does not allocate.
// Loads, stores and fetches go through direct-mapped TLBs holding the RAM
// offset of each virtual page, so a RAM hit is a compare and an add. The
// hart keeps a set of TLBs for each of its recent translation contexts
// (satp, privilege, SUM/MXR), so a trap's context switches cost a pointer
// change, and sfence.vma keeps every translation unless a page a walk read
// PTEs from has been written since (see tlbctx.go).
// Interrupts are checked only where they can become takeable: at the start
// of Run, after CSR writes, xRET, WFI and MMIO accesses. (So the Sstc timer
// is seen at those points too; the board bounds Run with TimerDeadline.)
//
// Byte-at-a-time fill and copy loops (gcc -O's code for xv6's memset and
// memmove) run their remaining iterations on the current pages in one go
// at the loop's back edge, with exactly the interpreted effect and
// instruction count (idiom.go).
//
// Spinning costs nothing: Run stops early, at the back edge, when a short
// loop has gone round without any effect (store, memory-changing AMO, SC,
// CSR or FP instruction, MMIO, page walk, trap, xRET, WFI) and with the
// same registers as the round before, so it would repeat unchanged until
// the Run ends; Spinning then reports true and the board can count the
// rest of the budget as idle time. See spin.go for why this is sound.
// Longer loops that write memory but put it back, such as an idle
// scheduler taking and releasing every process lock, are found by
// occasional probes that log the loop's reads and writes (cycle.go); such
// a hart stays stopped over later Runs while memory still matches.
//
// Choices the specs leave open:
//   - Misaligned loads and stores are performed in hardware, also across a
//     page boundary (both pages are translated before any byte is stored).
//     Misaligned LR, SC and AMOs raise address-misaligned exceptions (LR as
//     a load, the others as store/AMO).
//   - mtval: the faulting virtual address for misaligned, access and page
//     faults (for a page-crossing access, the address of the part that
//     faulted); the instruction bits for illegal instructions; the pc for
//     ebreak (as QEMU and Spike do); 0 for ecall and interrupts.
//   - The hart sets PTE A and D bits itself, like QEMU.
//   - No debug triggers: tselect and tdata1-3 read 0 (type 0 means "no
//     trigger") and ignore writes.
//   - PMP registers hold what is written (with lock semantics) but nothing
//     is checked. misa ignores writes. mcountinhibit is stored but does not
//     stop the counters.
//   - sfence.vma drops every cached translation whatever its operands, but
//     only if some page table was written since the last drop; otherwise
//     every cached translation equals what a walk would give, and stays.
//   - Time is counted in instructions executed, including those that raise
//     an exception (so time passes in a trap loop); mcycle counts the same,
//     minstret only the retired ones. A value written to minstret or
//     mcycle is what the next instruction reads (as in Spike).
//   - The iterations a detected spin skips are not executed, so they count
//     in neither Instret, mcycle nor minstret (the board's clock still
//     advances over them). Nothing else about them is observable.
package rv64
