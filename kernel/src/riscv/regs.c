// How the core's requests map onto RISC-V registers: system call number
// and arguments, the return value, a new program's or thread's first
// registers, and a new kernel thread's context.

#include "kernel/types.h"
#include "kernel/param.h"
#include "arch.h"

// The return address of a thread's start function: returning from it
// faults, which kills only that thread.
#define THREAD_EXIT_PC 0xffffffffUL

uint64
tf_syscall_num(struct trapframe *tf)
{
  return tf->a7;
}

uint64
tf_arg(struct trapframe *tf, int n)
{
  switch(n){
  case 0: return tf->a0;
  case 1: return tf->a1;
  case 2: return tf->a2;
  case 3: return tf->a3;
  case 4: return tf->a4;
  case 5: return tf->a5;
  }
  return 0;
}

void
tf_set_return(struct trapframe *tf, uint64 v)
{
  tf->a0 = v;
}

// main(argc, argv) with the stack at sp.
void
tf_exec(struct trapframe *tf, uint64 entry, uint64 sp, uint64 argc, uint64 argv)
{
  tf->epc = entry;
  tf->sp = sp;
  tf->a0 = argc;
  tf->a1 = argv;
}

// fcn(arg1, arg2) on the stack ending at stacktop.
void
tf_thread_start(struct trapframe *tf, uint64 fcn, uint64 arg1, uint64 arg2, uint64 stacktop)
{
  tf->epc = fcn;
  tf->a0 = arg1;
  tf->a1 = arg2;
  tf->sp = stacktop & ~0xFUL;
  tf->ra = THREAD_EXIT_PC;
}

void
context_init(struct context *c, uint64 stacktop, void (*fn)(void))
{
  c->ra = (uint64)fn;
  c->sp = stacktop;
}
