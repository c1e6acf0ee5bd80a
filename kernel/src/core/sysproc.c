// System calls about processes, threads, memory and time.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

uint64
sys_exit(void)
{
  int status;

  argint(0, &status);
  exit(status);
}

uint64
sys_getpid(void)
{
  return myproc()->pid;
}

uint64
sys_fork(void)
{
  return fork();
}

uint64
sys_wait(void)
{
  uint64 addr;

  argaddr(0, &addr);
  return wait(addr);
}

// Returns the old end of memory: the start of the new bytes.
uint64
sys_sbrk(void)
{
  int n;
  uint64 old;

  argint(0, &n);
  if(vmspace_grow(myproc()->vm, n, &old) < 0)
    return -1;
  return old;
}

// Sleep for n ticks. sleep(0) gives up the CPU for one scheduling round,
// which user-level spin locks can use to let the holder run.
uint64
sys_sleep(void)
{
  int n;

  argint(0, &n);
  if(n <= 0){
    yield();
    return 0;
  }
  acquire(&tickslock);
  uint start = ticks;
  while(ticks - start < (uint)n){
    if(killed(myproc())){
      release(&tickslock);
      return -1;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return 0;
}

uint64
sys_kill(void)
{
  int pid;

  argint(0, &pid);
  return kill(pid);
}

// Clock ticks since boot.
uint64
sys_uptime(void)
{
  acquire(&tickslock);
  uint n = ticks;
  release(&tickslock);
  return n;
}

uint64
sys_clone(void)
{
  uint64 fcn, arg1, arg2, stack;

  argaddr(0, &fcn);
  argaddr(1, &arg1);
  argaddr(2, &arg2);
  argaddr(3, &stack);
  return clone(fcn, arg1, arg2, stack);
}

uint64
sys_join(void)
{
  uint64 stackaddr;

  argaddr(0, &stackaddr);
  return join(stackaddr);
}
