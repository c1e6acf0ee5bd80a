// RISC-V definitions the portable core sees through arch.h: saved kernel
// registers, the trapframe, and interrupt control.
#ifndef ARCHDEFS_H
#define ARCHDEFS_H

#include "csr.h"

// An integer as wide as a pointer, kernel or user (argv entries, join's
// stack address, %p).
typedef uint64 uintptr;

// Registers swtch saves: the return address, the stack pointer and the
// callee-saved s0..s11.
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s[12];
};

// A process's user registers while it is in the kernel, plus what the
// trampoline needs to enter the kernel. One page per thread, mapped in user
// space just below the trampoline (without PTE_U), and reached by the
// kernel at its physical address. Register xN lives at offset 32 + 8*N;
// trampoline.S relies on that layout.
struct trapframe {
  /*   0 */ uint64 kernel_satp;
  /*   8 */ uint64 kernel_sp;
  /*  16 */ uint64 kernel_trap;   // usertrap()
  /*  24 */ uint64 epc;           // user pc
  /*  32 */ uint64 kernel_hartid;
  /*  40 */ uint64 ra, sp, gp, tp, t0, t1, t2, s0, s1;
  /* 112 */ uint64 a0, a1, a2, a3, a4, a5, a6, a7;
  /* 176 */ uint64 s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
  /* 256 */ uint64 t3, t4, t5, t6;
};

// The kernel keeps its hart id in tp.
static inline int
cpuid(void)
{
  return r_tp();
}

static inline void
intr_on(void)
{
  csr_set(sstatus, SSTATUS_SIE);
}

static inline void
intr_off(void)
{
  csr_clear(sstatus, SSTATUS_SIE);
}

static inline int
intr_get(void)
{
  return (csr_read(sstatus) & SSTATUS_SIE) != 0;
}

// Idle until an interrupt is pending.
static inline void
wait_for_interrupt(void)
{
  asm volatile("wfi");
}

// The kernel maps RAM at its physical address.
#define PA2KVA(pa) ((void *)(uint64)(pa))
#define KVA2PA(va) ((uint64)(va))

#endif
