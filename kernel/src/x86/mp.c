// Finding the CPUs, the LAPIC and the IOAPIC through the MP
// configuration table the firmware leaves in low memory (Intel
// MultiProcessor Specification 1.4): the floating pointer "_MP_" in the
// first KiB of the EBDA, the last KiB of base memory, or the BIOS area
// 0xF0000-0xFFFFF, points to the "PCMP" table of processor, bus, IOAPIC
// and interrupt entries. Without a table: one CPU, standard addresses.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

struct mpfloat {
  uchar sig[4];        // "_MP_"
  uint32 table;        // physical address of the configuration table
  uchar length;        // in 16-byte units
  uchar rev;
  uchar checksum;
  uchar type;          // 0: there is a table
  uchar imcr;          // bit 7: the IMCR is present (PIC mode at reset)
  uchar reserved[3];
};

struct mptable {
  uchar sig[4];        // "PCMP"
  ushort length;
  uchar rev;
  uchar checksum;
  uchar oem[20];
  uint32 oemtable;
  ushort oemlength;
  ushort count;        // entries
  uint32 lapic;        // LAPIC address
  ushort xlength;
  uchar xchecksum;
  uchar reserved;
};

enum { MP_PROC = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINTR = 3, MP_LINTR = 4 };

int ncpu;
uint32 lapic_pa = LAPIC_BASE;
uint32 ioapic_pa = IOAPIC_BASE;
int ioapicid;

static int
sum(uchar *p, int n)
{
  int s = 0;
  for(int i = 0; i < n; i++)
    s += p[i];
  return s & 0xFF;
}

static struct mpfloat*
search(uint32 pa, int len)
{
  uchar *p = PA2KVA(pa);
  for(int off = 0; off + sizeof(struct mpfloat) <= len; off += 16){
    struct mpfloat *f = (struct mpfloat*)(p + off);
    if(memcmp(f->sig, "_MP_", 4) == 0 && sum((uchar*)f, sizeof(*f)) == 0)
      return f;
  }
  return 0;
}

static struct mpfloat*
findfloat(void)
{
  uchar *bda = PA2KVA(0x400);
  uint32 ebda = (bda[0x0F] << 8 | bda[0x0E]) << 4;
  struct mpfloat *f;

  if(ebda && (f = search(ebda, 1024)) != 0)
    return f;
  uint32 basemem = (bda[0x14] << 8 | bda[0x13]) * 1024;
  if(basemem >= 1024 && (f = search(basemem - 1024, 1024)) != 0)
    return f;
  return search(0xF0000, 0x10000);
}

// Fill x86cpus[].apicid (the boot CPU first, as cpu 0) and ncpu.
void
mpinit(void)
{
  struct mpfloat *f = findfloat();
  struct mptable *t = 0;

  if(f && f->table && f->table < PHYSTOP){
    t = PA2KVA(f->table);
    if(memcmp(t->sig, "PCMP", 4) != 0 || sum((uchar*)t, t->length) != 0)
      t = 0;
  }
  if(t == 0){
    ncpu = 1;
    x86cpus[0].apicid = 0;
    return;
  }

  lapic_pa = t->lapic;
  ncpu = 1;   // slot 0 is the boot CPU's
  int bsp = 0;
  uchar *e = (uchar*)(t + 1), *end = (uchar*)t + t->length;
  for(int i = 0; i < t->count && e < end; i++){
    switch(*e){
    case MP_PROC:
      if((e[3] & 1) == 0)            // not usable
        ;
      else if(e[3] & 2){             // the boot CPU
        x86cpus[0].apicid = e[1];
        bsp = 1;
      } else if(ncpu < NCPU)
        x86cpus[ncpu++].apicid = e[1];
      e += 20;
      break;
    case MP_IOAPIC:
      ioapicid = e[1];
      ioapic_pa = *(uint32*)(e + 4);
      e += 8;
      break;
    default:
      e += 8;
      break;
    }
  }
  if(!bsp)
    panic("mpinit: no boot CPU");

  // Firmware left interrupts with the PICs: route them to the APICs.
  if(f->imcr & 0x80){
    outb(0x22, 0x70);
    outb(0x23, inb(0x23) | 1);
  }
}
