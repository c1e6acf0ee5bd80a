// How the core's requests map onto i386 registers and the user stack:
// the system call number is in eax and the arguments are on the user
// stack above the return address (the cdecl frame the usys.S stub was
// called with); the result goes back in eax. A new program or thread
// starts with a cdecl frame on its stack: a fake return address, then
// its two arguments.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

// The return address of a thread's start function (and of _start):
// returning from it faults, which kills only that thread.
#define THREAD_EXIT_PC 0xffffffffU

uint64
tf_syscall_num(struct trapframe *tf)
{
  return tf->eax;
}

// Argument n, read from the user stack. An unreadable one reads as -1,
// which no call takes for a valid descriptor, size or address.
uint64
tf_arg(struct trapframe *tf, int n)
{
  uint32 v;

  if(user_copyin(&v, (uint64)tf->esp + 4 + 4*n, sizeof(v)) < 0)
    return 0xffffffffU;
  return v;
}

void
tf_set_return(struct trapframe *tf, uint64 v)
{
  tf->eax = v;
}

// Push a cdecl frame (fake return address, a, b) ending at or below top
// onto the caller's user stack; the new esp, or top if it cannot be
// written (the program then faults at once).
static uint32
push_frame(uint32 top, uint32 a, uint32 b)
{
  uint32 frame[3] = { THREAD_EXIT_PC, a, b };

  if(user_copyout(top - sizeof(frame), frame, sizeof(frame)) < 0)
    return top;
  return top - sizeof(frame);
}

static void
user_segments(struct trapframe *tf)
{
  tf->cs = (SEG_UCODE << 3) | 3;
  tf->ds = tf->es = tf->fs = tf->gs = tf->ss = (SEG_UDATA << 3) | 3;
  tf->eflags = FL_IF;
}

// _start(argc, argv) with the stack below sp, aligned as the i386 ABI
// wants at a function's entry (esp + 4 a multiple of 16).
void
tf_exec(struct trapframe *tf, uint64 entry, uint64 sp, uint64 argc, uint64 argv)
{
  user_segments(tf);
  tf->eip = entry;
  tf->esp = push_frame(((uint32)sp & ~0xFU) - 4, argc, argv);
}

// fcn(arg1, arg2) on the page ending at stacktop, the classic x86 way:
// esp points at 0xffffffff, arg1, arg2 at the very top of the page.
void
tf_thread_start(struct trapframe *tf, uint64 fcn, uint64 arg1, uint64 arg2, uint64 stacktop)
{
  tf->eip = fcn;
  tf->esp = push_frame(stacktop, arg1, arg2);
}

void
context_init(struct context *c, uint64 stacktop, void (*fn)(void))
{
  c->eip = (uint32)fn;
  c->esp = (uint32)stacktop - 16;
}
