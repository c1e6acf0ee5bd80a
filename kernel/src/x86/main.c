// Boot on the PC: the boot CPU (entered from entry.S) sets up the kernel
// and starts the others one at a time through INIT/STARTUP IPIs; each of
// them sets up only its own state. All end in scheduler().

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

extern char end[];                 // first address after the kernel (kernel.ld)
extern char apstart[], apend[];    // entry.S

// The other CPUs' boot stacks; in the kernel image, so that the boot page
// directory they start with maps them.
__attribute__((__aligned__(PGSIZE)))
static char apstacks[NCPU][PGSIZE];

static volatile int nextid;       // the index a starting CPU takes

void kmain(void) __attribute__((noreturn));
static void apmain(void) __attribute__((noreturn));

// Mask the legacy 8259 PICs: interrupts come through the APICs.
static void
picdisable(void)
{
  outb(0x21, 0xFF);
  outb(0xA1, 0xFF);
}

static void
startothers(void)
{
  memmove(PA2KVA(AP_START), apstart, apend - apstart);
  for(int i = 1; i < ncpu; i++){
    *(volatile uint32*)PA2KVA(AP_START - 4) = (uint32)(apstacks[i] + PGSIZE);
    *(volatile uint32*)PA2KVA(AP_START - 8) = (uint32)apmain;
    nextid = i;
    __sync_synchronize();
    lapicstartap(x86cpus[i].apicid, AP_START);
    while(x86cpus[i].started == 0)
      ;
  }
}

void
kmain(void)
{
  seginit(0);
  consoleinit();
  uartinit();
  printfinit();
  printf("\n");
  printf("xv6 kernel is booting\n");
  printf("\n");
  kvminit();
  kvminithart();
  kinit(end, PA2KVA(PHYSTOP));
  mpinit();
  lapicinit();
  x86cpus[0].apicid = lapicid();
  picdisable();
  ioapicinit();
  procinit();
  vmspaceinit();
  clockinit();
  trapinit();
  idtinit();
  binit();
  iinit();
  fileinit();
  ideinit();
  ioapicenable(IRQ_COM1, x86cpus[0].apicid);
  userinit();
  x86cpus[0].started = 1;
  startothers();
  scheduler();
}

static void
apmain(void)
{
  int id = nextid;

  seginit(id);
  kvminithart();
  lapicinit();
  idtinit();
  printf("cpu %d starting\n", id);
  __sync_synchronize();
  x86cpus[id].started = 1;
  scheduler();
}
