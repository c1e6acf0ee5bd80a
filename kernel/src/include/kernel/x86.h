// i386 paging constants usable from user programs and assembly (the
// x86 counterpart of riscv.h, which includes this file on i386).
#ifndef KERNEL_X86_H
#define KERNEL_X86_H

#define PGSIZE   4096
#define PGSHIFT  12

#define PGROUNDUP(sz)   (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a)  (((a)) & ~(PGSIZE - 1))

// Page directory and page table entry flags.
#define PTE_P    0x001   // present
#define PTE_W    0x002   // writable
#define PTE_U    0x004   // reachable from user mode
#define PTE_PWT  0x008   // write-through
#define PTE_PCD  0x010   // cache disabled
#define PTE_A    0x020   // accessed
#define PTE_D    0x040   // dirty
#define PTE_PS   0x080   // 4 MiB page (in a directory entry, with CR4.PSE)

// x86 pages are always readable and (without NX) executable: the core's
// permission names that have no bit here are 0.
#define PTE_R    0
#define PTE_X    0

#define PTE_ADDR(pte)  ((pte) & ~0xFFFU)
#define PTE_FLAGS(pte) ((pte) & 0xFFFU)

// Two levels: a 10-bit directory index, a 10-bit table index.
#define PDXSHIFT  22
#define PDX(va)   ((((uint)(va)) >> PDXSHIFT) & 0x3FF)
#define PTX(va)   ((((uint)(va)) >> PGSHIFT) & 0x3FF)
#define NPDENTRIES 1024
#define NPTENTRIES 1024

// The 32-bit address space ends here.
#define MAXVA 0x100000000ULL

#if !defined(__ASSEMBLER__) && defined(__i386__)
// Atomic exchange, for programs written for classic xv6, whose x86.h
// (found under this name by flat includes) offered it.
static inline uint
xchg(volatile uint *addr, uint newval)
{
  uint old;
  asm volatile("lock; xchgl %0, %1" : "+m"(*addr), "=a"(old) : "1"(newval) : "cc");
  return old;
}
#endif

#endif
