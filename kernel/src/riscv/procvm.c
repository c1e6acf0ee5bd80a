// The RISC-V specific parts of a process's address space: the trampoline
// page and trapframes mapped at the top of every user page table. The
// main thread's trapframe is at TRAPFRAME; each extra thread gets the
// highest free page below it.
//
// Callers hold the vmspace lock for page tables that threads share.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

extern char trampoline[];

// A user page table with only the trampoline and p's trapframe (at
// TRAPFRAME) mapped, neither reachable from user mode. 0 if out of memory.
pagetable_t
proc_pagetable(struct proc *p)
{
  pagetable_t pagetable = uvmcreate();

  if(pagetable == 0)
    return 0;
  if(mappages(pagetable, TRAMPOLINE, PGSIZE, (uint64)trampoline, PTE_R | PTE_X) < 0){
    uvmfree(pagetable, 0);
    return 0;
  }
  if(mappages(pagetable, TRAPFRAME, PGSIZE, KVA2PA(p->trapframe), PTE_R | PTE_W) < 0){
    uvmunmap(pagetable, TRAMPOLINE, 1, 0);
    uvmfree(pagetable, 0);
    return 0;
  }
  return pagetable;
}

// Free a user page table, its sz bytes of user memory, and the mappings
// of the trampoline and of the last thread's trapframe at tfva (the
// trapframe page itself belongs to the thread).
void
proc_freepagetable(pagetable_t pagetable, uint64 sz, uint64 tfva)
{
  uvmunmap(pagetable, TRAMPOLINE, 1, 0);
  uvmunmap(pagetable, tfva, 1, 0);
  uvmfree(pagetable, sz);
}

// Map p's trapframe at the highest free page below TRAPFRAME, and record
// where in p->tfva. Returns 0, or -1 if no slot or memory is left.
int
thread_map_trapframe(pagetable_t pagetable, struct proc *p)
{
  for(int slot = 1; slot < NPROC; slot++){
    uint64 va = TRAPFRAME - slot * PGSIZE;
    if(kwalkaddr(pagetable, va) != 0)
      continue;
    if(mappages(pagetable, va, PGSIZE, KVA2PA(p->trapframe), PTE_R | PTE_W) < 0)
      return -1;
    p->tfva = va;
    return 0;
  }
  return -1;
}

void
thread_unmap_trapframe(pagetable_t pagetable, struct proc *p)
{
  uvmunmap(pagetable, p->tfva, 1, 0);
}
