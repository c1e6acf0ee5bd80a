// The second half of the boot sector: read the kernel, an ELF32 file
// stored from sector 1 of the first IDE disk on, load its segments at
// their physical addresses and jump to its (physical) entry point, as a
// multiboot loader would. Polling IDE PIO; everything must fit, with
// bootasm.S, in 510 bytes.

#include "kernel/types.h"
#include "elfarch.h"

#define ELF_MAGIC 0x464C457FU
#define SECTOR 512
#define SCRATCH ((struct elfhdr*)0x10000)   // the ELF header and program headers

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

static void
waitdisk(void)
{
  while((inb(0x1F7) & 0xC0) != 0x40)   // not busy, ready
    ;
}

static void
readsect(uchar *dst, uint lba)
{
  waitdisk();
  outb(0x1F2, 1);
  outb(0x1F3, lba);
  outb(0x1F4, lba >> 8);
  outb(0x1F5, lba >> 16);
  outb(0x1F6, 0xE0 | ((lba >> 24) & 0x0F));   // master, LBA
  outb(0x1F7, 0x20);                          // READ SECTORS
  waitdisk();
  asm volatile("rep insl" : "+D"(dst), "+c"((int){SECTOR / 4}) : "d"(0x1F0) : "memory");
}

// Read n bytes at offset off of the kernel file to pa. Whole sectors are
// read, so up to a sector before pa is overwritten too.
static void
readseg(uchar *pa, uint n, uint off)
{
  uchar *end = pa + n;

  pa -= off % SECTOR;
  for(uint lba = off / SECTOR + 1; pa < end; pa += SECTOR, lba++)
    readsect(pa, lba);
}

void
bootmain(void)
{
  struct elfhdr *elf = SCRATCH;

  readseg((uchar*)elf, 4096, 0);
  if(elf->magic != ELF_MAGIC)
    return;

  struct proghdr *ph = (struct proghdr*)((uchar*)elf + elf->phoff);
  for(int i = 0; i < elf->phnum; i++, ph++){
    uchar *pa = (uchar*)ph->paddr;
    readseg(pa, ph->filesz, ph->off);
    for(uint k = ph->filesz; k < ph->memsz; k++)
      pa[k] = 0;
  }
  ((void (*)(void))elf->entry)();
}
