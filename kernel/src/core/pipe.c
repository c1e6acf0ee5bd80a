// Pipes: a 512-byte ring buffer between a read end and a write end.
// pi->lock protects the buffer, the counts and the open flags.

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

#define PIPESIZE 512

struct pipe {
  struct spinlock lock;
  char data[PIPESIZE];
  uint nread;      // bytes read so far
  uint nwrite;     // bytes written so far
  int readopen;    // the read end is still open
  int writeopen;   // the write end is still open
};

// Make a pipe and a file for each end. Returns 0, or -1 with nothing
// allocated.
int
pipealloc(struct file **f0, struct file **f1)
{
  struct pipe *pi = 0;

  *f0 = *f1 = 0;
  if((*f0 = filealloc()) == 0 || (*f1 = filealloc()) == 0)
    goto bad;
  if((pi = (struct pipe*)kalloc()) == 0)
    goto bad;
  pi->readopen = 1;
  pi->writeopen = 1;
  pi->nwrite = 0;
  pi->nread = 0;
  initlock(&pi->lock, "pipe");

  (*f0)->type = FD_PIPE;
  (*f0)->readable = 1;
  (*f0)->writable = 0;
  (*f0)->pipe = pi;
  (*f1)->type = FD_PIPE;
  (*f1)->readable = 0;
  (*f1)->writable = 1;
  (*f1)->pipe = pi;
  return 0;

bad:
  if(pi)
    kfree(pi);
  if(*f0)
    fileclose(*f0);
  if(*f1)
    fileclose(*f1);
  return -1;
}

// Close one end; the pipe is freed when both are closed.
void
pipeclose(struct pipe *pi, int writable)
{
  acquire(&pi->lock);
  if(writable){
    pi->writeopen = 0;
    wakeup(&pi->nread);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);
  }
  if(pi->readopen == 0 && pi->writeopen == 0){
    release(&pi->lock);
    kfree(pi);
  } else {
    release(&pi->lock);
  }
}

// The longest run of bytes that can move between the ring and user
// memory in one copy: bounded by want, by avail, and by the ring's end.
static uint
run(uint pos, uint avail, uint want)
{
  uint n = PIPESIZE - pos % PIPESIZE;

  if(n > avail)
    n = avail;
  if(n > want)
    n = want;
  return n;
}

// Write n bytes from user address addr, sleeping while the buffer is
// full. Returns the bytes written (fewer at a bad address), or -1 if the
// read end is closed or the writer is killed.
int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
  int i = 0;
  struct proc *pr = myproc();

  acquire(&pi->lock);
  while(i < n){
    if(pi->readopen == 0 || killed(pr)){
      release(&pi->lock);
      return -1;
    }
    uint space = PIPESIZE - (pi->nwrite - pi->nread);
    if(space == 0){
      wakeup(&pi->nread);
      sleep(&pi->nwrite, &pi->lock);
      continue;
    }
    uint m = run(pi->nwrite, space, n - i);
    if(user_copyin(&pi->data[pi->nwrite % PIPESIZE], addr + i, m) == -1)
      break;
    pi->nwrite += m;
    i += m;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return i;
}

// Read up to n bytes into user address addr, sleeping until there is
// something to read or the write end is closed.
int
piperead(struct pipe *pi, uint64 addr, int n)
{
  int i;
  struct proc *pr = myproc();

  acquire(&pi->lock);
  while(pi->nread == pi->nwrite && pi->writeopen){
    if(killed(pr)){
      release(&pi->lock);
      return -1;
    }
    sleep(&pi->nread, &pi->lock);
  }
  for(i = 0; i < n && pi->nread != pi->nwrite; ){
    uint m = run(pi->nread, pi->nwrite - pi->nread, n - i);
    if(user_copyout(addr + i, &pi->data[pi->nread % PIPESIZE], m) == -1)
      break;
    pi->nread += m;
    i += m;
  }
  wakeup(&pi->nwrite);
  release(&pi->lock);
  return i;
}
