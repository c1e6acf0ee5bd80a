// Sleeplocks: held across disk I/O, so a waiter sleeps rather than spins.
// lk->lk protects the sleeplock's fields.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

void
initsleeplock(struct sleeplock *lk, char *name)
{
  initlock(&lk->lk, "sleep lock");
  lk->name = name;
  lk->locked = 0;
  lk->pid = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  while(lk->locked)
    sleep(lk, &lk->lk);
  lk->locked = 1;
  lk->pid = myproc()->pid;
  release(&lk->lk);
}

void
releasesleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  lk->locked = 0;
  lk->pid = 0;
  wakeup(lk);
  release(&lk->lk);
}

// Does the current process hold lk?
int
holdingsleep(struct sleeplock *lk)
{
  int r;

  acquire(&lk->lk);
  r = lk->locked && lk->pid == myproc()->pid;
  release(&lk->lk);
  return r;
}
