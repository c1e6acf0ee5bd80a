// Functions the x86 port's files offer each other.
#ifndef X86_PORT_H
#define X86_PORT_H

// The per-CPU block %gs points at in the kernel (id must stay first: see
// cpuid() in archdefs.h), with the CPU's GDT and TSS.
struct tss {
  uint32 link;
  uint32 esp0;
  uint16 ss0, pad0;
  uint32 unused[22];   // esp1..ldt: not used
  uint16 trap;
  uint16 iomb;         // I/O bitmap offset: past the end, so none
};

struct x86cpu {
  int id;                    // index into cpus[]
  int apicid;                // this CPU's LAPIC id
  volatile int started;      // set by the CPU once it runs
  struct tss ts;
  uint64 gdt[NSEGS];
};

extern struct x86cpu x86cpus[NCPU];
extern int ncpu;

// seg.c
void            seginit(int id);
void            idtinit(void);
void            tss_set_esp0(uint32 esp0);

// vm.c
void            kvminit(void);
void            kvminithart(void);
pte_t*          walk(pagetable_t pagetable, uint64 va, int alloc);
int             mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm);
void            uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free);
extern pagetable_t kernel_pagetable;
extern uint32 bootpgdir[];

// trap.c
void            trapinit(void);

// mp.c
void            mpinit(void);
extern uint32 lapic_pa;
extern uint32 ioapic_pa;
extern int ioapicid;

// lapic.c
void            lapicinit(void);
int             lapicid(void);
void            lapiceoi(void);
void            lapicstartap(int apicid, uint32 addr);
void            ipi_intr(void);

// ioapic.c
void            ioapicinit(void);
void            ioapicenable(int irq, int apicid);

// uart.c
void            uartinit(void);
void            uartintr(void);

// ide.c
void            ideinit(void);
void            ideintr(void);

// swtch.S / trapasm.S
void            userret(struct trapframe *tf) __attribute__((noreturn));
extern uint32   vectors[];

#endif
