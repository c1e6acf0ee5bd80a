// Memory map of the i386 PC (QEMU's and our pc board) and the virtual
// layout the x86 kernel builds on it. memlayout.h includes this on i386.
//
// Physical:
//   0x00000000  low memory; 0x7000 holds the AP start-up code
//   0x00100000  the kernel (multiboot loads it here), then free pages
//               up to PHYSTOP
//   0xFEC00000  IOAPIC
//   0xFEE00000  LAPIC
//
// Virtual: user memory from 0 up to MAXUSERVA; at KERNBASE all of RAM up
// to PHYSTOP (so kernel address = physical + KERNBASE); the device area
// from DEVSPACE to the top mapped at its physical address. The kernel's
// half of every user page directory is the kernel's own.
#ifndef KERNEL_MEMLAYOUT_X86_H
#define KERNEL_MEMLAYOUT_X86_H

#define EXTMEM       0x00100000          // where the kernel is loaded
#define PHYSTOP      0x08000000          // RAM the kernel uses: 128 MiB
#define KERNBASE     0x80000000          // virtual address of physical 0
#define KERNLINK     (KERNBASE + EXTMEM) // the kernel's link address
#define DEVSPACE     0xFE000000          // devices, mapped 1:1

#define IOAPIC_BASE  0xFEC00000
#define LAPIC_BASE   0xFEE00000

#define COM1         0x3F8
#define IRQ_COM1     4
#define IRQ_IDE      14

#define AP_START     0x7000              // real-mode start of the other CPUs

// The x86 port maps no trampoline or trapframes into user space (the CPU
// saves user registers through the TSS); the core's names for that area
// stay reserved, and never user memory, so the layout matches RISC-V's.
#define TRAMPOLINE   (KERNBASE - PGSIZE)
#define TRAPFRAME    (TRAMPOLINE - PGSIZE)
#define MAXUSERVA    (TRAPFRAME - NPROC * PGSIZE)

#endif
