// Supervisor-mode boot: hart 0 sets up the kernel, the other harts wait
// for it and then set up only their own state. All end in scheduler().

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

extern char end[];   // first address after the kernel, from kernel.ld

static volatile int started = 0;

void
kmain(void)
{
  if(cpuid() == 0){
    consoleinit();
    uartinit();
    printfinit();
    printf("\n");
    printf("xv6 kernel is booting\n");
    printf("\n");
    kinit(end, (void*)PHYSTOP);
    kvminit();
    kvminithart();
    procinit();
    vmspaceinit();
    clockinit();
    trapinithart();
    plicinit();
    plicinithart();
    binit();
    iinit();
    fileinit();
    virtio_disk_init();
    userinit();
    __sync_synchronize();
    started = 1;
  } else {
    while(started == 0)
      ;
    __sync_synchronize();
    printf("hart %d starting\n", cpuid());
    kvminithart();
    trapinithart();
    plicinithart();
  }

  scheduler();
}
