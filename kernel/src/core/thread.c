// Kernel threads (the threads lab): clone, join, and tearing a thread
// group down for exit and exec.
//
// A thread is a struct proc with its own pid, kernel stack and trapframe
// that shares its creator's vmspace. The group's main thread is the one
// made by fork (isthread == 0); it is the only one the parent's wait sees.
//
// Locks: wait_lock covers group membership while a group is torn down
// (clone adds a thread, join and end_other_threads remove them);
// vm->lock covers vm->refs, vm->ender and the shared page table.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "file.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

// Is the page at stack user memory the thread may write? Reads a byte
// at each end and writes it back unchanged. vm->lock must be held.
static int
usable_stack(struct vmspace *vm, uint64 stack)
{
  char first, last;

  if(stack % PGSIZE != 0 || stack >= vm->sz || vm->sz - stack < PGSIZE)
    return 0;
  return copyin(vm->pagetable, &first, stack, 1) == 0 &&
         copyout(vm->pagetable, stack, &first, 1) == 0 &&
         copyin(vm->pagetable, &last, stack + PGSIZE - 1, 1) == 0 &&
         copyout(vm->pagetable, stack + PGSIZE - 1, &last, 1) == 0;
}

// Join vm as a new thread: count it and map its trapframe. Fails when the
// group is being torn down, the stack is unusable, or there is no
// trapframe slot left.
static int
join_vmspace(struct vmspace *vm, struct proc *np, uint64 stack)
{
  int r = -1;

  acquire(&vm->lock);
  if(vm->ender == 0 && usable_stack(vm, stack) &&
     thread_map_trapframe(vm->pagetable, np) == 0){
    vm->refs++;
    np->vm = vm;
    r = 0;
  }
  release(&vm->lock);
  return r;
}

// Start a thread at fcn(arg1, arg2) on the page at stack. Returns its pid.
int
clone(uint64 fcn, uint64 arg1, uint64 arg2, uint64 stack)
{
  struct proc *p = myproc();
  struct proc *np = allocproc();

  if(np == 0)
    return -1;
  if(join_vmspace(p->vm, np, stack) < 0){
    freeproc(np);
    release(&np->lock);
    return -1;
  }

  *np->trapframe = *p->trapframe;
  tf_thread_start(np->trapframe, fcn, arg1, arg2, stack + PGSIZE);
  np->isthread = 1;
  np->ustack = stack;

  for(int i = 0; i < NOFILE; i++)
    if(p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(p->name));

  int pid = np->pid;
  release(&np->lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);

  return pid;
}

// Is q another live member of p's group (zombies included)?
static int
groupmate(struct proc *p, struct proc *q)
{
  return q != p && q->vm == p->vm && q->state != UNUSED;
}

// Wait for a thread of the caller's process to exit and reap it. Its
// stack address goes to stackaddr (unless 0). Returns its pid, or -1 when
// the process has no other threads or stackaddr is bad.
int
join(uint64 stackaddr)
{
  struct proc *p = myproc();

  if(stackaddr != 0){
    uintptr probe;
    if(user_copyin(&probe, stackaddr, sizeof(probe)) < 0)
      return -1;
  }

  acquire(&wait_lock);
  for(;;){
    int havethreads = 0;
    for(struct proc *q = proc; q < &proc[NPROC]; q++){
      if(!groupmate(p, q) || !q->isthread)
        continue;
      acquire(&q->lock);
      havethreads = 1;
      if(q->state == ZOMBIE){
        uintptr stack = q->ustack;
        return reap(q, stackaddr, &stack, sizeof(stack));
      }
      release(&q->lock);
    }

    if(!havethreads || killed(p)){
      release(&wait_lock);
      return -1;
    }
    sleep(p->vm, &wait_lock);
  }
}

// Become the thread that ends the group. Fails if another one already is.
static int
elect_ender(struct proc *p)
{
  int won = 0;

  acquire(&p->vm->lock);
  if(p->vm->ender == 0 || p->vm->ender == p){
    p->vm->ender = p;
    won = 1;
  }
  release(&p->vm->lock);
  return won;
}

// A thread calling exec takes over the main thread's place: its parent
// now waits for the caller, which will keep the main thread's pid (the
// value returned). wait_lock must be held.
static int
take_main_role(struct proc *p)
{
  for(struct proc *q = proc; q < &proc[NPROC]; q++){
    if(groupmate(p, q) && !q->isthread){
      p->parent = q->parent;
      q->parent = 0;
      q->isthread = 1;
      p->isthread = 0;
      p->ustack = 0;
      return q->pid;
    }
  }
  return 0;
}

// Kill every other thread of p's group, wait for each to exit, and reap
// it. Used by exit from the main thread and by exec. Returns 0, or -1 if
// another thread is already ending the group (then p has been killed and
// should exit as a thread).
int
end_other_threads(struct proc *p)
{
  if(!elect_ender(p))
    return -1;

  acquire(&wait_lock);
  int mainpid = p->isthread ? take_main_role(p) : 0;

  for(;;){
    int others = 0;
    for(struct proc *q = proc; q < &proc[NPROC]; q++){
      if(!groupmate(p, q))
        continue;
      setkilled(q);
      acquire(&q->lock);
      if(q->state == ZOMBIE)
        freeproc(q);
      else
        others = 1;
      release(&q->lock);
    }
    if(!others)
      break;
    sleep(p->vm, &wait_lock);
  }

  // The caller replaced the main thread: it keeps the process's pid.
  if(mainpid != 0){
    acquire(&p->lock);
    p->pid = mainpid;
    release(&p->lock);
  }
  release(&wait_lock);

  acquire(&p->vm->lock);
  p->vm->ender = 0;
  release(&p->vm->lock);
  return 0;
}
