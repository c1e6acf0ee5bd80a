// Interrupts between harts, sent through the CLINT's msip registers
// (mtrap.S turns them into supervisor software interrupts): parking every
// other hart after a panic, and making other harts drop stale user
// translations before freed user pages can be reused.
//
// acks[h] counts the supervisor software interrupts hart h has taken;
// each is written only by its own hart.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

volatile int halting;            // read by mtrap.S
static volatile uint acks[NCPU];

static void
send(int hart)
{
  *(volatile uint32*)CLINT_MSIP(hart) = 1;
}

// Park every other hart (panic).
void
halt_others(void)
{
  halting = 1;
  __sync_synchronize();
  for(int hart = 0; hart < NCPU; hart++)
    if(hart != cpuid())
      send(hart);
}

// A supervisor software interrupt: another hart wants this one to have
// passed through the kernel. Taking the trap already did what it needs:
// a trap from user mode switches to the kernel page table with an
// sfence.vma, and the way back to user mode flushes again.
void
ipi_intr(void)
{
  csr_clear(sip, SIE_SSIE);
  acks[cpuid()]++;
}

// Return once every hart in harts (a bit mask; not the caller's) has
// been into the kernel since the call, and so no longer holds user
// translations from before it. Call with interrupts on and no locks
// held: the other harts may need both to answer.
void
tlb_shootdown(uint64 harts)
{
  uint seen[NCPU];

  for(int h = 0; h < NCPU; h++){
    if(harts & (1UL << h)){
      seen[h] = acks[h];
      __sync_synchronize();
      send(h);
    }
  }
  for(int h = 0; h < NCPU; h++)
    if(harts & (1UL << h))
      while(acks[h] == seen[h])
        ;
}
