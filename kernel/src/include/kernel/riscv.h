// RISC-V paging constants usable from user programs and assembly.
// The CSR accessors the kernel needs live in riscv/csr.h.
#ifndef KERNEL_RISCV_H
#define KERNEL_RISCV_H

// Programs and the core include this header by its xv6-riscv name on
// both arches; an i386 build gets the x86 paging constants instead.
#ifdef __i386__
#include "kernel/x86.h"
#else

#define PGSIZE   4096
#define PGSHIFT  12

#define PGROUNDUP(sz)   (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a)  (((a)) & ~(PGSIZE - 1))

// Page table entry flags.
#define PTE_V  (1L << 0)   // valid
#define PTE_R  (1L << 1)
#define PTE_W  (1L << 2)
#define PTE_X  (1L << 3)
#define PTE_U  (1L << 4)   // reachable from user mode
#define PTE_A  (1L << 6)   // accessed
#define PTE_D  (1L << 7)   // dirty

// Physical address <-> PTE: the PPN starts at bit 10.
#define PA2PTE(pa)    ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte)   (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

// Sv39: three 9-bit indexes above the 12-bit page offset.
#define PXMASK          0x1FF
#define PXSHIFT(level)  (PGSHIFT + (9 * (level)))
#define PX(level, va)   ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

// One bit below the Sv39 maximum, so that no virtual address needs sign
// extension.
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

#endif

#endif
