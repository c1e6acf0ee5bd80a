// The platform-level interrupt controller: routes the UART and disk
// interrupts to each hart's supervisor context.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "arch.h"
#include "port.h"

#define REG(addr) (*(volatile uint32*)(addr))

void
plicinit(void)
{
  // A zero priority would mean "never".
  REG(PLIC_PRIORITY + UART0_IRQ*4) = 1;
  REG(PLIC_PRIORITY + VIRTIO0_IRQ*4) = 1;
}

void
plicinithart(void)
{
  int hart = cpuid();

  REG(PLIC_SENABLE(hart)) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ);
  REG(PLIC_SPRIORITY(hart)) = 0;   // threshold: accept every priority
}

// The highest-priority pending interrupt, now claimed; 0 if none.
int
plic_claim(void)
{
  return REG(PLIC_SCLAIM(cpuid()));
}

void
plic_complete(int irq)
{
  REG(PLIC_SCLAIM(cpuid())) = irq;
}
