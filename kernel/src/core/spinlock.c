// Spinlocks, and the per-CPU interrupt-disable nesting they rely on.
//
// A CPU holding a spinlock keeps interrupts off, so an interrupt handler
// on the same CPU can never spin on a lock its own CPU holds.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

void
initlock(struct spinlock *lk, char *name)
{
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
}

void
acquire(struct spinlock *lk)
{
  push_off();
  if(holding(lk))
    panic("acquire: already held");

  // An atomic swap; the builtin also orders later loads and stores after it.
  while(__sync_lock_test_and_set(&lk->locked, 1) != 0)
    ;
  __sync_synchronize();

  lk->cpu = mycpu();
}

void
release(struct spinlock *lk)
{
  if(!holding(lk))
    panic("release: not held");

  lk->cpu = 0;
  // Every store in the critical section becomes visible before the lock
  // reads as free.
  __sync_synchronize();
  __sync_lock_release(&lk->locked);

  pop_off();
}

// Does this CPU hold lk? Interrupts must be off.
int
holding(struct spinlock *lk)
{
  return lk->locked && lk->cpu == mycpu();
}

// Like intr_off(), but nests: interrupts come back on only after as many
// pop_off()s, and only if they were on before the first push_off().
void
push_off(void)
{
  int old = intr_get();

  intr_off();
  struct cpu *c = mycpu();
  if(c->noff == 0)
    c->intena = old;
  c->noff += 1;
}

void
pop_off(void)
{
  struct cpu *c = mycpu();

  if(intr_get())
    panic("pop_off: interruptible");
  if(c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff -= 1;
  if(c->noff == 0 && c->intena)
    intr_on();
}
