// The I/O APIC: routes device interrupt lines to a CPU's LAPIC. Each
// line starts masked; ioapicenable routes one, edge-triggered, active
// high, to vector T_IRQ0 + irq.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

#define REG_ID    0x00
#define REG_VER   0x01
#define REG_TABLE 0x10   // redirection entry i: 0x10 + 2*i (low), +1 (high)

#define INT_MASKED 0x00010000

static volatile uint32 *ioapic;

static uint32
rd(int reg)
{
  ioapic[0] = reg;
  return ioapic[4];
}

static void
wr(int reg, uint32 v)
{
  ioapic[0] = reg;
  ioapic[4] = v;
}

void
ioapicinit(void)
{
  ioapic = (volatile uint32*)ioapic_pa;
  int maxintr = (rd(REG_VER) >> 16) & 0xFF;
  if(((rd(REG_ID) >> 24) & 0xF) != (ioapicid & 0xF))
    printf("ioapicinit: id %d is not the MP table's %d\n", (rd(REG_ID) >> 24) & 0xF, ioapicid);
  for(int i = 0; i <= maxintr; i++){
    wr(REG_TABLE + 2*i, INT_MASKED | (T_IRQ0 + i));
    wr(REG_TABLE + 2*i + 1, 0);
  }
}

void
ioapicenable(int irq, int apicid)
{
  wr(REG_TABLE + 2*irq, T_IRQ0 + irq);
  wr(REG_TABLE + 2*irq + 1, (uint32)apicid << 24);
}
