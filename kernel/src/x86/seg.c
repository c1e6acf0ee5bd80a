// Segmentation as far as the i386 needs it with paging doing the real
// work: per-CPU GDTs (flat kernel and user code and data, the CPU's TSS,
// and the per-CPU segment %gs uses), and the IDT.

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

struct x86cpu x86cpus[NCPU];

// Descriptor access bytes: present, DPL, code/data or system, type.
#define ACC_CODE  0x9A
#define ACC_DATA  0x92
#define ACC_TSS   0x89
#define DPL_USER  0x60

static uint64
segdesc(uint32 base, uint32 limit, int access, int pages)
{
  if(pages)
    limit >>= 12;
  uint32 lo = (limit & 0xFFFF) | (base << 16);
  uint32 hi = ((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) |
              ((pages ? 0xC : 0x4) << 20) | (base & 0xFF000000);
  return ((uint64)hi << 32) | lo;
}

static void
lgdt(void *p, int size)
{
  volatile struct { ushort limit; uint base; } __attribute__((packed)) d;
  d.limit = size - 1;
  d.base = (uint)p;
  asm volatile("lgdt (%0)" : : "r"(&d) : "memory");
}

// Set up CPU id's GDT and TSS and load them, with %gs on its x86cpu.
void
seginit(int id)
{
  struct x86cpu *c = &x86cpus[id];

  c->id = id;
  c->ts.ss0 = SEG_KDATA << 3;
  c->ts.esp0 = 0;
  c->ts.iomb = sizeof(c->ts);   // no I/O bitmap: user in/out faults
  c->gdt[0] = 0;
  c->gdt[SEG_KCODE] = segdesc(0, 0xFFFFFFFF, ACC_CODE, 1);
  c->gdt[SEG_KDATA] = segdesc(0, 0xFFFFFFFF, ACC_DATA, 1);
  c->gdt[SEG_UCODE] = segdesc(0, 0xFFFFFFFF, ACC_CODE | DPL_USER, 1);
  c->gdt[SEG_UDATA] = segdesc(0, 0xFFFFFFFF, ACC_DATA | DPL_USER, 1);
  c->gdt[SEG_TSS] = segdesc((uint)&c->ts, sizeof(c->ts) - 1, ACC_TSS, 0) & ~(0x4ULL << 52);
  c->gdt[SEG_KCPU] = segdesc((uint)c, sizeof(*c) - 1, ACC_DATA, 0);
  lgdt(c->gdt, sizeof(c->gdt));

  asm volatile(
    "pushl %0\n\t"
    "pushl $1f\n\t"
    "lret\n"
    "1:\n\t"
    "movw %w1, %%ds\n\t"
    "movw %w1, %%es\n\t"
    "movw %w1, %%fs\n\t"
    "movw %w1, %%ss\n\t"
    "movw %w2, %%gs\n\t"
    "ltr %w3"
    : : "i"(SEG_KCODE << 3), "r"(SEG_KDATA << 3), "r"(SEG_KCPU << 3), "r"(SEG_TSS << 3)
    : "memory");
}

// The kernel stack a trap from user mode starts on, on this CPU.
void
tss_set_esp0(uint32 esp0)
{
  x86cpus[cpuid()].ts.esp0 = esp0;
}

static uint64 idt[256];

static uint64
gate(uint32 off, int dpl)
{
  uint32 lo = (off & 0xFFFF) | ((SEG_KCODE << 3) << 16);
  uint32 hi = (off & 0xFFFF0000) | 0x8000 | (dpl << 13) | 0x0E00;   // 32-bit interrupt gate
  return ((uint64)hi << 32) | lo;
}

// Interrupt gates everywhere (interrupts off on entry, so that nothing
// lands on the trapframe page before alltraps leaves it); the system
// call gate is open to user mode.
void
trapinit(void)
{
  for(int i = 0; i < 256; i++)
    idt[i] = gate(vectors[i], i == T_SYSCALL ? 3 : 0);
}

void
idtinit(void)
{
  volatile struct { ushort limit; uint base; } __attribute__((packed)) d;
  d.limit = sizeof(idt) - 1;
  d.base = (uint)idt;
  asm volatile("lidt (%0)" : : "r"(&d) : "memory");
}
