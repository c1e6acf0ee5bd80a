// Instructions C cannot express, and the i386 constants the port uses.
#ifndef X86_H
#define X86_H

#define FL_IF 0x200          // EFLAGS: interrupts enabled

// Segment selectors: index in the GDT, then table bit and RPL.
#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS   5
#define SEG_KCPU  6
#define NSEGS     7

#define CR0_PE 0x00000001
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PSE 0x00000010

// Trap numbers: the CPU's exceptions, then device interrupts from
// T_IRQ0 on, the system call gate and the inter-CPU interrupt.
#define T_PGFLT   14
#define T_IRQ0    32
#define IRQ_TIMER 0
#define IRQ_ERROR 19
#define IRQ_SPURIOUS 31
#define T_SYSCALL 64
#define T_IPI     65

#ifndef __ASSEMBLER__

static inline uchar
inb(ushort port)
{
  uchar v;
  asm volatile("inb %1, %0" : "=a"(v) : "d"(port));
  return v;
}

static inline void
outb(ushort port, uchar v)
{
  asm volatile("outb %0, %1" : : "a"(v), "d"(port));
}

static inline void
insl(ushort port, void *addr, int cnt)
{
  asm volatile("cld; rep insl" : "+D"(addr), "+c"(cnt) : "d"(port) : "memory", "cc");
}

static inline void
outsl(ushort port, const void *addr, int cnt)
{
  asm volatile("cld; rep outsl" : "+S"(addr), "+c"(cnt) : "d"(port) : "cc");
}

static inline uint
read_eflags(void)
{
  uint f;
  asm volatile("pushfl; popl %0" : "=r"(f));
  return f;
}

static inline uint
rcr2(void)
{
  uint v;
  asm volatile("movl %%cr2, %0" : "=r"(v));
  return v;
}

static inline void
lcr3(uint pa)
{
  asm volatile("movl %0, %%cr3" : : "r"(pa) : "memory");
}

#endif
#endif
