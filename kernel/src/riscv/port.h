// Functions the RISC-V port's files offer each other.
#ifndef RISCV_PORT_H
#define RISCV_PORT_H

// vm.c
void            kvminit(void);
void            kvminithart(void);
pte_t*          walk(pagetable_t pagetable, uint64 va, int alloc);
int             mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm);
void            uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free);
extern pagetable_t kernel_pagetable;

// trap.c
void            trapinithart(void);

// ipi.c
void            ipi_intr(void);

// plic.c
void            plicinit(void);
void            plicinithart(void);
int             plic_claim(void);
void            plic_complete(int irq);

// uart.c
void            uartinit(void);
void            uartintr(void);

// virtio_disk.c
void            virtio_disk_init(void);
void            virtio_disk_intr(void);

#endif
