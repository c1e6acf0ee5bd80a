// Processes: allocation, fork, exit, wait, kill, the per-CPU scheduler,
// sleep and wakeup. Threads (thread.c) are processes sharing a vmspace.
//
// Locks:
//   p->lock    p->state, chan, killed, xstate, pid
//   wait_lock  every p->parent, and who belongs to a thread group while
//              it is being torn down; taken before any p->lock
//   pid_lock   nextpid

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "file.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

struct cpu cpus[NCPU];
struct proc proc[NPROC];
struct proc *initproc;

static int nextpid = 1;
static struct spinlock pid_lock;

struct spinlock wait_lock;

void
procinit(void)
{
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  for(int i = 0; i < NPROC; i++){
    struct proc *p = &proc[i];
    initlock(&p->lock, "proc");
    p->state = UNUSED;
    p->kstack = kstack_addr(i);
  }
}

// The caller must keep interrupts off, or it might move to another CPU.
struct cpu*
mycpu(void)
{
  return &cpus[cpuid()];
}

struct proc*
myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int
allocpid(void)
{
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

// Take an unused proc slot and give it a pid, a trapframe page and a
// context that starts at forkret. Returns with p->lock held, or 0.
struct proc*
allocproc(void)
{
  struct proc *p;

  for(p = proc; p < &proc[NPROC]; p++){
    acquire(&p->lock);
    if(p->state == UNUSED)
      goto found;
    release(&p->lock);
  }
  return 0;

found:
  p->pid = allocpid();
  p->state = USED;
  p->trapframe = kalloc();
  if(p->trapframe == 0){
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(&p->context, 0, sizeof(p->context));
  context_init(&p->context, p->kstack + PGSIZE, forkret);
  return p;
}

// Return p's slot to the pool, dropping its hold on the address space.
// p->lock must be held.
void
freeproc(struct proc *p)
{
  if(p->vm)
    vmspace_put(p->vm, p);
  p->vm = 0;
  if(p->trapframe)
    kfree(p->trapframe);
  p->trapframe = 0;
  p->tfva = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->isthread = 0;
  p->ustack = 0;
  p->state = UNUSED;
}

// Give p a fresh address space holding only the trampoline and its
// trapframe. Returns 0 or -1.
static int
newvm(struct proc *p)
{
  pagetable_t pt = proc_pagetable(p);

  if(pt == 0)
    return -1;
  p->vm = vmspace_alloc(pt, 0);
  if(p->vm == 0){
    proc_freepagetable(pt, 0, TRAPFRAME);
    return -1;
  }
  p->tfva = TRAPFRAME;
  return 0;
}

// The first process. It owns no user memory yet: forkret execs /init.
void
userinit(void)
{
  struct proc *p = allocproc();

  if(p == 0 || newvm(p) < 0)
    panic("userinit");
  initproc = p;
  safestrcpy(p->name, "init", sizeof(p->name));
  p->cwd = namei("/");
  p->state = RUNNABLE;
  release(&p->lock);
}

// Copy the caller into a new process; the child sees fork() return 0.
int
fork(void)
{
  struct proc *p = myproc();
  struct proc *np = allocproc();

  if(np == 0)
    return -1;
  if(newvm(np) < 0){
    freeproc(np);
    release(&np->lock);
    return -1;
  }

  struct vmspace *vm = p->vm;
  acquire(&vm->lock);
  int ok = uvmcopy(vm->pagetable, np->vm->pagetable, vm->sz) == 0;
  if(ok)
    np->vm->sz = vm->sz;
  release(&vm->lock);
  if(!ok){
    freeproc(np);
    release(&np->lock);
    return -1;
  }

  *np->trapframe = *p->trapframe;
  tf_set_return(np->trapframe, 0);

  for(int i = 0; i < NOFILE; i++)
    if(p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(p->name));

  int pid = np->pid;
  release(&np->lock);

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);

  return pid;
}

// Hand p's children to heir. wait_lock must be held.
void
reparent(struct proc *p, struct proc *heir)
{
  for(struct proc *pp = proc; pp < &proc[NPROC]; pp++){
    if(pp->parent == p){
      pp->parent = heir;
      wakeup(heir);
    }
  }
}

// Drop the files and working directory of the exiting process.
static void
closeall(struct proc *p)
{
  for(int fd = 0; fd < NOFILE; fd++){
    if(p->ofile[fd]){
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  begin_op();
  iput(p->cwd);
  end_op();
  p->cwd = 0;
}

// End the current thread only: it stays a zombie until join or the thread
// ending its group reaps it.
static void __attribute__((noreturn))
exit_thread(int status)
{
  struct proc *p = myproc();

  closeall(p);

  acquire(&wait_lock);
  acquire(&p->vm->lock);
  struct proc *heir = p->vm->ender ? p->vm->ender : initproc;
  release(&p->vm->lock);
  reparent(p, heir);
  wakeup(p->vm);

  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie thread exit");
}

// End the current process (or, from a thread other than the main one,
// only that thread). Never returns.
void
exit(int status)
{
  struct proc *p = myproc();

  if(p == initproc)
    panic("init exiting");

  if(p->isthread || end_other_threads(p) < 0)
    exit_thread(status);

  closeall(p);

  acquire(&wait_lock);
  reparent(p, initproc);
  wakeup(p->parent);

  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Reap the zombie q, whose lock the caller holds along with wait_lock:
// copy n bytes at val to user addr (unless addr is 0), free q and release
// both locks. Returns q's pid, or -1 (q left a zombie) if the copy fails.
int
reap(struct proc *q, uint64 addr, void *val, int n)
{
  int pid = q->pid;
  if(addr != 0 && user_copyout(addr, val, n) < 0)
    pid = -1;
  else
    freeproc(q);
  release(&q->lock);
  release(&wait_lock);
  return pid;
}

// Wait for a child process (never a thread) to exit; copy its status to
// addr unless addr is 0. Returns its pid, or -1.
int
wait(uint64 addr)
{
  struct proc *p = myproc();

  acquire(&wait_lock);
  for(;;){
    int havekids = 0;
    for(struct proc *pp = proc; pp < &proc[NPROC]; pp++){
      if(pp->parent != p)
        continue;
      acquire(&pp->lock);
      havekids = 1;
      if(pp->state == ZOMBIE){
        return reap(pp, addr, &pp->xstate, sizeof(pp->xstate));
      }
      release(&pp->lock);
    }

    if(!havekids || killed(p)){
      release(&wait_lock);
      return -1;
    }
    sleep(p, &wait_lock);
  }
}

// Mark p killed and wake it if it sleeps, so it notices soon.
void
setkilled(struct proc *p)
{
  acquire(&p->lock);
  p->killed = 1;
  if(p->state == SLEEPING)
    p->state = RUNNABLE;
  release(&p->lock);
}

int
killed(struct proc *p)
{
  acquire(&p->lock);
  int k = p->killed;
  release(&p->lock);
  return k;
}

// Kill the process holding pid: every thread of its group. The victims
// exit when they next cross the user/kernel boundary.
int
kill(int pid)
{
  struct proc *victim = 0;

  acquire(&wait_lock);
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    acquire(&p->lock);
    if(p->pid == pid && p->state != UNUSED)
      victim = p;
    release(&p->lock);
    if(victim)
      break;
  }
  if(victim == 0){
    release(&wait_lock);
    return -1;
  }
  // (A proc still being made by fork has no vm yet; a zombie keeps its
  // own until it is reaped.)
  struct vmspace *vm = victim->vm;
  setkilled(victim);
  for(struct proc *p = proc; vm && p < &proc[NPROC]; p++)
    if(p->vm == vm && p->state != UNUSED)
      setkilled(p);
  release(&wait_lock);
  return 0;
}

// Each CPU runs this loop after setting itself up: pick a runnable
// process round robin, run it until it gives the CPU back, repeat.
void
scheduler(void)
{
  struct cpu *c = mycpu();

  c->proc = 0;
  for(;;){
    // Devices may need to interrupt; and no process may be runnable
    // until one does.
    intr_on();

    int ran = 0;
    for(struct proc *p = proc; p < &proc[NPROC]; p++){
      acquire(&p->lock);
      if(p->state == RUNNABLE){
        p->state = RUNNING;
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;
        ran = 1;
      }
      release(&p->lock);
    }
    if(!ran){
      intr_on();
      wait_for_interrupt();
    }
  }
}

// Switch to the scheduler. The caller holds only p->lock and has already
// changed p->state. intena belongs to this kernel thread, not the CPU,
// so it is saved across the switch.
void
sched(void)
{
  struct proc *p = myproc();

  if(!holding(&p->lock))
    panic("sched p->lock");
  if(mycpu()->noff != 1)
    panic("sched locks");
  if(p->state == RUNNING)
    panic("sched running");
  if(intr_get())
    panic("sched interruptible");

  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

// Give up the CPU for one scheduling round.
void
yield(void)
{
  struct proc *p = myproc();

  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// A new process's first kernel code: the scheduler switched here holding
// p->lock. The first process also mounts the file system (which must sleep,
// so it cannot happen in main) and execs /init.
void
forkret(void)
{
  static int first = 1;

  release(&myproc()->lock);

  if(first){
    first = 0;
    fsinit(ROOTDEV);
    __sync_synchronize();

    char *argv[] = { "/init", 0 };
    if(exec("/init", argv) < 0)
      panic("no /init");
  }

  usertrapret();
}

// Atomically release lk and sleep on chan; hold lk again on wakeup.
void
sleep(void *chan, struct spinlock *lk)
{
  struct proc *p = myproc();

  // Holding p->lock before dropping lk means a wakeup(chan), which needs
  // p->lock, cannot slip in between. Being SLEEPING before lk is dropped
  // lets wakeup skip processes without taking their locks.
  acquire(&p->lock);
  p->chan = chan;
  p->state = SLEEPING;
  release(lk);

  sched();
  p->chan = 0;

  release(&p->lock);
  acquire(lk);
}

// Wake every process sleeping on chan. Call holding the lock that the
// sleepers passed to sleep, and no p->lock.
//
// A process sleeping on chan became SLEEPING before it released that
// lock, so a look without p->lock cannot miss it; the look is confirmed
// under p->lock. This keeps wakeup, which every buffer and inode release
// calls, from taking all NPROC locks each time.
void
wakeup(void *chan)
{
  struct proc *me = myproc();

  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    if(p == me || __atomic_load_n(&p->state, __ATOMIC_RELAXED) != SLEEPING ||
       __atomic_load_n(&p->chan, __ATOMIC_RELAXED) != chan)
      continue;
    acquire(&p->lock);
    if(p->state == SLEEPING && p->chan == chan)
      p->state = RUNNABLE;
    release(&p->lock);
  }
}

// Copy to a user address (user_dst) or a kernel one.
int
either_copyout(int user_dst, uint64 dst, void *src, uint64 len)
{
  if(user_dst)
    return user_copyout(dst, src, len);
  memmove((char*)dst, src, len);
  return 0;
}

// Copy from a user address (user_src) or a kernel one.
int
either_copyin(void *dst, int user_src, uint64 src, uint64 len)
{
  if(user_src)
    return user_copyin(dst, src, len);
  memmove(dst, (char*)src, len);
  return 0;
}

// List processes and the free page count on the console (^P). Takes no
// process locks, so that it works on a wedged machine.
void
procdump(void)
{
  static char *states[] = {
    [UNUSED]   "unused",
    [USED]     "used",
    [SLEEPING] "sleep ",
    [RUNNABLE] "runble",
    [RUNNING]  "run   ",
    [ZOMBIE]   "zombie",
  };

  printf("\n");
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    if(p->state == UNUSED)
      continue;
    char *state = "???";
    if(p->state < NELEM(states) && states[p->state])
      state = states[p->state];
    printf("%d %s %s%s\n", p->pid, state, p->name, p->isthread ? " (thread)" : "");
  }
  printf("free pages: %d\n", kfreepages());
}
