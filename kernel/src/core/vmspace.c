// Address spaces. A vmspace is one user page table and its size, shared
// by every thread of a process and freed when its last thread is reaped.
//
// vm->lock protects the fields and every change to the page table, and is
// held while the kernel copies to or from user memory, so that a thread
// shrinking the space cannot free a page another thread's system call is
// copying into. Lock order: p->lock, then vm->lock, then kmem.lock.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

// An exec holds two spaces for a moment, and one exec per CPU can be in
// that window, hence the extra NCPU.
static struct vmspace vmspaces[NPROC + NCPU];

void
vmspaceinit(void)
{
  for(int i = 0; i < NELEM(vmspaces); i++)
    initlock(&vmspaces[i].lock, "vmspace");
}

// A new space owning pagetable, with one user.
struct vmspace*
vmspace_alloc(pagetable_t pagetable, uint64 sz)
{
  for(int i = 0; i < NELEM(vmspaces); i++){
    struct vmspace *vm = &vmspaces[i];
    acquire(&vm->lock);
    if(vm->refs == 0){
      vm->refs = 1;
      vm->pagetable = pagetable;
      vm->sz = sz;
      vm->ender = 0;
      release(&vm->lock);
      return vm;
    }
    release(&vm->lock);
  }
  return 0;
}

// Proc p stops using vm: unmap p's trapframe, and free the whole space if
// p was its last user.
void
vmspace_put(struct vmspace *vm, struct proc *p)
{
  acquire(&vm->lock);
  if(vm->refs > 1){
    thread_unmap_trapframe(vm->pagetable, p);
    vm->refs--;
  } else {
    proc_freepagetable(vm->pagetable, vm->sz, p->tfva);
    vm->pagetable = 0;
    vm->sz = 0;
    vm->ender = 0;
    vm->refs = 0;
  }
  release(&vm->lock);
}

// Which other harts are running a thread of vm right now.
static uint64
harts_using(struct vmspace *vm)
{
  uint64 harts = 0;

  push_off();
  for(int i = 0; i < NCPU; i++){
    struct proc *p = cpus[i].proc;
    if(i != cpuid() && p != 0 && p->vm == vm)
      harts |= 1UL << i;
  }
  pop_off();
  return harts;
}

// Shrink a space other threads share to newsz. Their harts may still
// hold translations for the pages, so the pages are freed only after a
// TLB shootdown, during which vm->lock is released (those harts may need
// it to get into the kernel) and vm->resizing keeps other resizes out.
// vm->lock is held on entry and on return.
static void
shrink_shared(struct vmspace *vm, uint64 newsz)
{
  uint64 oldsz = vm->sz;

  vm->sz = newsz;
  uvmrevoke(vm->pagetable, oldsz, newsz);
  vm->resizing = 1;
  release(&vm->lock);

  __sync_synchronize();
  tlb_shootdown(harts_using(vm));

  acquire(&vm->lock);
  uvmreclaim(vm->pagetable, oldsz, newsz);
  vm->resizing = 0;
  wakeup(&vm->resizing);
}

// Grow (n > 0) or shrink the space by n bytes; *oldsz gets the size
// before. Returns 0, or -1 leaving the space as it was.
int
vmspace_grow(struct vmspace *vm, int n, uint64 *oldsz)
{
  int r = 0;

  acquire(&vm->lock);
  // Sleeping with vm->lock takes p->lock after it, the reverse of
  // freeproc's order; that is safe since freeproc only runs on procs
  // that are not running, and this one is.
  while(vm->resizing)
    sleep(&vm->resizing, &vm->lock);

  uint64 sz = vm->sz;
  *oldsz = sz;
  if(n > 0){
    if(sz + n > MAXUSERVA || (sz = uvmalloc(vm->pagetable, sz, sz + n, PTE_W)) == 0)
      r = -1;
    else
      vm->sz = sz;
  } else if(n < 0){
    if((uint64)-(long)n > sz)
      r = -1;
    else if(vm->refs > 1)
      shrink_shared(vm, sz + n);
    else
      vm->sz = uvmdealloc(vm->pagetable, sz, sz + n);
  }
  release(&vm->lock);
  return r;
}

int
user_copyout(uint64 dstva, void *src, uint64 len)
{
  struct vmspace *vm = myproc()->vm;

  acquire(&vm->lock);
  int r = copyout(vm->pagetable, dstva, src, len);
  release(&vm->lock);
  return r;
}

int
user_copyin(void *dst, uint64 srcva, uint64 len)
{
  struct vmspace *vm = myproc()->vm;

  acquire(&vm->lock);
  int r = copyin(vm->pagetable, dst, srcva, len);
  release(&vm->lock);
  return r;
}

int
user_copyinstr(char *dst, uint64 srcva, uint64 max)
{
  struct vmspace *vm = myproc()->vm;

  acquire(&vm->lock);
  int r = copyinstr(vm->pagetable, dst, srcva, max);
  release(&vm->lock);
  return r;
}
