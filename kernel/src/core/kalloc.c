// Physical page allocator: a free list of 4096-byte pages threaded
// through the pages themselves. kmem.lock protects the list.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "spinlock.h"
#include "arch.h"
#include "defs.h"

struct run {
  struct run *next;
};

static struct {
  struct spinlock lock;
  struct run *freelist;
  char *start, *stop;   // the range handed to kinit
} kmem;

static void
push(struct run *r)
{
  acquire(&kmem.lock);
  r->next = kmem.freelist;
  kmem.freelist = r;
  release(&kmem.lock);
}

// Give the allocator every page in [start, stop). Pages never used need
// no junk, which keeps boot fast on an emulator.
void
kinit(void *start, void *stop)
{
  initlock(&kmem.lock, "kmem");
  kmem.start = (char*)PGROUNDUP((uint64)start);
  kmem.stop = stop;
  for(char *p = kmem.start; p + PGSIZE <= kmem.stop; p += PGSIZE)
    push((struct run*)p);
}

void
kfree(void *pa)
{
  if(((uint64)pa % PGSIZE) != 0 || (char*)pa < kmem.start || (char*)pa >= kmem.stop)
    panic("kfree");

  // Junk catches users of freed memory early.
  memset(pa, 1, PGSIZE);
  push(pa);
}

// How many pages are free (for ^P, to spot leaks).
int
kfreepages(void)
{
  int n = 0;

  acquire(&kmem.lock);
  for(struct run *r = kmem.freelist; r; r = r->next)
    n++;
  release(&kmem.lock);
  return n;
}

// A page of memory, or 0 if none is left. Contents are junk.
void*
kalloc(void)
{
  struct run *r;

  acquire(&kmem.lock);
  r = kmem.freelist;
  if(r)
    kmem.freelist = r->next;
  release(&kmem.lock);

  if(r)
    memset(r, 5, PGSIZE);
  return r;
}
