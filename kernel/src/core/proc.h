// CPUs, address spaces and processes (threads are processes that share an
// address space).
#ifndef PROC_H
#define PROC_H

// Per-CPU state.
struct cpu {
  struct proc *proc;          // running on this CPU, or 0
  struct context context;     // swtch() here to enter the scheduler
  int noff;                   // depth of push_off() nesting
  int intena;                 // were interrupts on before push_off()?
};

extern struct cpu cpus[NCPU];

// An address space, shared by all threads of a process. lock protects
// every field and every change to pagetable (growing, shrinking, mapping
// thread trapframes), so that threads growing at once do not collide.
struct vmspace {
  struct spinlock lock;
  pagetable_t pagetable;
  uint64 sz;                  // bytes of user memory from address 0
  int refs;                   // procs using it; freed when it drops to 0
  struct proc *ender;         // thread ending the whole group, or 0
  int resizing;               // a shrink waits for other harts; hold off
};

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  struct spinlock lock;

  // p->lock must be held to use these:
  enum procstate state;
  void *chan;                 // sleeping on chan, if non-zero
  int killed;
  int xstate;                 // exit status for the parent's wait
  int pid;

  // wait_lock must be held to use this:
  struct proc *parent;

  // Private to the process, so p->lock need not be held:
  uint64 kstack;              // bottom of the kernel stack
  struct vmspace *vm;         // shared with the other threads
  struct trapframe *trapframe;// kernel address of the trapframe page
  uint64 tfva;                // user address the trapframe is mapped at
  struct context context;     // swtch() here to run the process
  struct file *ofile[NOFILE];
  struct inode *cwd;
  char name[16];

  int isthread;               // made by clone, not fork
  uint64 ustack;              // clone's stack, handed back by join
};

extern struct proc proc[NPROC];
extern struct proc *initproc;

#endif
