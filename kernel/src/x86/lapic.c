// The local APIC of each CPU: its timer (the clock tick), end of
// interrupt, starting the other CPUs (INIT and STARTUP IPIs), and
// interrupts between CPUs: parking them all after a panic, and making
// other CPUs drop stale user translations before freed user pages can be
// reused.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

// Register offsets (bytes) in the LAPIC page.
#define ID      0x020
#define VER     0x030
#define TPR     0x080
#define EOI     0x0B0
#define SVR     0x0F0
#define  SVR_ENABLE 0x100
#define ESR     0x280
#define ICRLO   0x300
#define  ICR_INIT     0x500
#define  ICR_STARTUP  0x600
#define  ICR_PENDING  0x1000   // delivery status
#define  ICR_ASSERT   0x4000
#define  ICR_LEVEL    0x8000
#define ICRHI   0x310
#define TIMER   0x320
#define  TIMER_PERIODIC 0x20000
#define PCINT   0x340
#define LINT0   0x350
#define LINT1   0x360
#define ERROR   0x370
#define  MASKED 0x10000
#define TICR    0x380
#define TDCR    0x3E0
#define  DIV_1  0xB

// Timer count per tick at divide-by-1: 10 ms on QEMU, whose LAPIC
// counts at 1 GHz.
#define TICK_COUNT 10000000

static volatile uint32 *lapic;

static uint32
rd(int reg)
{
  return lapic[reg / 4];
}

static void
wr(int reg, uint32 v)
{
  lapic[reg / 4] = v;
  (void)lapic[ID / 4];   // wait for the write to land
}

void
lapicinit(void)
{
  lapic = (volatile uint32*)lapic_pa;

  wr(SVR, SVR_ENABLE | (T_IRQ0 + IRQ_SPURIOUS));
  wr(TDCR, DIV_1);
  wr(TIMER, TIMER_PERIODIC | (T_IRQ0 + IRQ_TIMER));
  wr(TICR, TICK_COUNT);

  // Devices come through the IOAPIC, not the local interrupt pins.
  wr(LINT0, MASKED);
  wr(LINT1, MASKED);
  if(((rd(VER) >> 16) & 0xFF) >= 4)
    wr(PCINT, MASKED);

  wr(ERROR, T_IRQ0 + IRQ_ERROR);
  wr(ESR, 0);
  wr(ESR, 0);
  wr(EOI, 0);

  wr(ICRHI, 0);
  while(rd(ICRLO) & ICR_PENDING)
    ;
  wr(TPR, 0);
}

int
lapicid(void)
{
  if(lapic == 0)
    return 0;
  return rd(ID) >> 24;
}

void
lapiceoi(void)
{
  wr(EOI, 0);
}

// A short busy wait; the start-up protocol asks for pauses between IPIs.
static void
delay(int us)
{
  for(volatile int i = 0; i < us * 10; i++)
    ;
}

static void
send(int apicid, uint32 icrlo)
{
  wr(ICRHI, (uint32)apicid << 24);
  wr(ICRLO, icrlo);
  while(rd(ICRLO) & ICR_PENDING)
    ;
}

// Start the CPU with LAPIC id apicid at physical addr (page aligned,
// below 1 MiB): INIT, then STARTUP twice, as the MP specification says.
void
lapicstartap(int apicid, uint32 addr)
{
  send(apicid, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
  delay(200);
  send(apicid, ICR_INIT | ICR_LEVEL);
  delay(100);
  for(int i = 0; i < 2; i++){
    send(apicid, ICR_STARTUP | (addr >> 12));
    delay(200);
  }
}

volatile int halting;
static volatile uint acks[NCPU];

// Park every other CPU (panic).
void
halt_others(void)
{
  halting = 1;
  __sync_synchronize();
  for(int i = 0; i < ncpu; i++)
    if(i != cpuid())
      send(x86cpus[i].apicid, T_IPI);
}

// Another CPU wants this one to have passed through the kernel. Taking
// the trap already did what it needs: a trap from user mode switches to
// the kernel page directory, which flushes the TLB, and the way back
// loads the user one afresh.
void
ipi_intr(void)
{
  if(halting){
    for(;;)
      asm volatile("cli; hlt");
  }
  acks[cpuid()]++;
}

// Return once every CPU in cpus (a bit mask; not the caller's) has been
// into the kernel since the call, and so no longer holds user
// translations from before it. Call with interrupts on and no locks
// held: the other CPUs may need both to answer.
void
tlb_shootdown(uint64 cpus)
{
  uint seen[NCPU];

  for(int i = 0; i < NCPU; i++){
    if(cpus & (1ULL << i)){
      seen[i] = acks[i];
      __sync_synchronize();
      push_off();
      send(x86cpus[i].apicid, T_IPI);
      pop_off();
    }
  }
  for(int i = 0; i < NCPU; i++)
    if(cpus & (1ULL << i))
      while(acks[i] == seen[i])
        ;
}
