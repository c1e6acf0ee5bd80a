// The tick counter, advanced by the port's timer interrupt on one CPU.
// tickslock protects ticks; sleep() waits on &ticks.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

struct spinlock tickslock;
uint ticks;

void
clockinit(void)
{
  initlock(&tickslock, "time");
}

void
clockintr(void)
{
  acquire(&tickslock);
  ticks++;
  wakeup(&ticks);
  release(&tickslock);
}
