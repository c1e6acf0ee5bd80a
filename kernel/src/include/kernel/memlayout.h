// Physical memory map of QEMU's virt board and the virtual layout the
// kernel builds on it.
//
// Physical:
//   0x02000000 CLINT
//   0x0C000000 PLIC
//   0x10000000 UART0
//   0x10001000 virtio-mmio disk
//   0x80000000 RAM: kernel text and data, then free pages up to PHYSTOP
//
// Kernel virtual: RAM and devices mapped at their physical addresses, plus
// the trampoline page and the kernel stacks (each under a guard page) at
// the top of the address space.
//
// User virtual, from address 0: text, data, a guard page, the stack, the
// heap; then, at the top: the trampoline, the main thread's trapframe at
// TRAPFRAME, and one trapframe page per extra thread below it.
#ifndef KERNEL_MEMLAYOUT_H
#define KERNEL_MEMLAYOUT_H

#ifdef __i386__
#include "kernel/memlayout-x86.h"
#else

#define CLINT        0x02000000L
#define CLINT_MSIP(hart)  (CLINT + 4 * (hart))

#define PLIC         0x0C000000L
#define PLIC_PRIORITY         (PLIC + 0x0)
#define PLIC_PENDING          (PLIC + 0x1000)
#define PLIC_SENABLE(hart)    (PLIC + 0x2080 + (hart) * 0x100)
#define PLIC_SPRIORITY(hart)  (PLIC + 0x201000 + (hart) * 0x2000)
#define PLIC_SCLAIM(hart)     (PLIC + 0x201004 + (hart) * 0x2000)

#define UART0        0x10000000L
#define UART0_IRQ    10

#define VIRTIO0      0x10001000L
#define VIRTIO0_IRQ  1

#define KERNBASE     0x80000000L
#define PHYSTOP      (KERNBASE + 128 * 1024 * 1024)

#define TRAMPOLINE   (MAXVA - PGSIZE)

// Kernel stack of proc slot p, with an unmapped guard page below each.
#define KSTACK(p)    (TRAMPOLINE - ((p) + 1) * 2 * PGSIZE)

// Trapframe of a process's main thread; thread k's is at TRAPFRAME - k*PGSIZE.
#define TRAPFRAME    (TRAMPOLINE - PGSIZE)

// User memory (text, data, stack, heap) stays below every trapframe slot.
#define MAXUSERVA    (TRAPFRAME - NPROC * PGSIZE)

#endif

#endif
