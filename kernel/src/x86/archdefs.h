// i386 definitions the portable core sees through arch.h: saved kernel
// registers, the trapframe, per-CPU identity and interrupt control.
#ifndef ARCHDEFS_H
#define ARCHDEFS_H

#include "x86.h"

// An integer as wide as a pointer, kernel or user (argv entries, join's
// stack address, %p).
typedef uint32 uintptr;

// Registers swtch saves: where to resume, the stack pointer and the
// callee-saved registers of the i386 C calling convention.
struct context {
  uint32 eip;
  uint32 esp;
  uint32 ebx;
  uint32 esi;
  uint32 edi;
  uint32 ebp;
};

// A thread's user registers while it is in the kernel. The struct is the
// start of the thread's trapframe page: its end is the TSS esp0 while the
// thread runs, so a trap from user mode pushes the hardware frame (ss ..
// eip, error code) and trapasm.S the rest straight into it. kstacktop,
// below what is pushed, tells trapasm.S where the kernel stack is.
struct trapframe {
  /*  0 */ uint32 kstacktop;
  /*  4 */ uint32 gs, fs, es, ds;
  /* 20 */ uint32 edi, esi, ebp, oesp, ebx, edx, ecx, eax;   // pushal
  /* 52 */ uint32 trapno, err;
  /* 60 */ uint32 eip, cs, eflags;                           // pushed by the CPU
  /* 72 */ uint32 esp, ss;                                   // only from user mode
};

// Each CPU's GDT has a segment whose base is that CPU's struct x86cpu,
// loaded into %gs in the kernel; its first word is the CPU's index.
static inline int
cpuid(void)
{
  int id;
  asm volatile("movl %%gs:0, %0" : "=r"(id));
  return id;
}

static inline void
intr_on(void)
{
  asm volatile("sti" ::: "memory");
}

static inline void
intr_off(void)
{
  asm volatile("cli" ::: "memory");
}

static inline int
intr_get(void)
{
  return (read_eflags() & FL_IF) != 0;
}

// Idle until an interrupt arrives (sti's shadow covers the hlt, so an
// interrupt cannot slip in between).
static inline void
wait_for_interrupt(void)
{
  asm volatile("sti; hlt" ::: "memory");
}

// The kernel maps RAM at KERNBASE + its physical address.
#define PA2KVA(pa) ((void *)((uint)(pa) + 0x80000000U))
#define KVA2PA(va) ((uint)(va) - 0x80000000U)

#endif
