// Paging constants under classic xv6's name, for programs that include
// "mmu.h" for PGSIZE and friends (the arch's riscv.h or x86.h).
#ifndef KERNEL_MMU_H
#define KERNEL_MMU_H

#include "kernel/riscv.h"

#endif
