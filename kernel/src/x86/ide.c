// IDE (ATA) disk in PIO mode on the primary channel (ports 0x1F0-0x1F7,
// 0x3F6; irq 14). The file system is on the slave drive (disk 1), as
// with classic xv6's "-drive file=fs.img,index=1". A block is two
// sectors, each read or written by its own single-sector command; the
// interrupt after each moves the request on.
//
// ide.lock protects the queue; a process waiting for its request sleeps
// on the buf until the interrupt handler clears b->disk.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "buf.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

#define DATA     0x1F0
#define COUNT    0x1F2
#define LBA0     0x1F3
#define LBA1     0x1F4
#define LBA2     0x1F5
#define DRIVE    0x1F6
#define  DRIVE_LBA 0xE0
#define  DRIVE_SLAVE 0x10
#define CMD      0x1F7
#define  CMD_READ  0x20
#define  CMD_WRITE 0x30
#define STATUS   0x1F7
#define  ST_BSY  0x80
#define  ST_DRDY 0x40
#define  ST_DF   0x20
#define  ST_DRQ  0x08
#define  ST_ERR  0x01
#define CONTROL  0x3F6

#define SECTOR 512
#define SECTORS_PER_BLOCK (BSIZE / SECTOR)

static struct {
  struct spinlock lock;
  struct buf *q[NBUF];      // requests in order; q[r % NBUF] is in progress
  int write[NBUF];
  uint r, w;
  int sector;               // of the request in progress
} ide;

// Wait until the drive is not busy; -1 if it reports an error.
static int
waitdisk(void)
{
  int s;

  while(((s = inb(STATUS)) & (ST_BSY | ST_DRDY)) != ST_DRDY)
    ;
  return (s & (ST_DF | ST_ERR)) ? -1 : 0;
}

void
ideinit(void)
{
  initlock(&ide.lock, "ide");
  ioapicenable(IRQ_IDE, x86cpus[0].apicid);

  outb(DRIVE, DRIVE_LBA | DRIVE_SLAVE);
  int present = 0;
  for(int i = 0; i < 1000 && !present; i++)
    present = inb(STATUS) != 0;
  if(!present)
    panic("ide: no disk 1 (the file system)");
  waitdisk();
}

// Issue the command for the current sector of the request at the head.
static void
start(void)
{
  struct buf *b = ide.q[ide.r % NBUF];
  int write = ide.write[ide.r % NBUF];
  uint lba = b->blockno * SECTORS_PER_BLOCK + ide.sector;

  waitdisk();
  outb(CONTROL, 0);   // interrupts on
  outb(COUNT, 1);
  outb(LBA0, lba);
  outb(LBA1, lba >> 8);
  outb(LBA2, lba >> 16);
  outb(DRIVE, DRIVE_LBA | DRIVE_SLAVE | ((lba >> 24) & 0x0F));
  if(write){
    outb(CMD, CMD_WRITE);
    while((inb(STATUS) & (ST_BSY | ST_DRQ)) != ST_DRQ)
      ;
    outsl(DATA, b->data + ide.sector * SECTOR, SECTOR / 4);
  } else {
    outb(CMD, CMD_READ);
  }
}

void
ideintr(void)
{
  acquire(&ide.lock);
  if(ide.r == ide.w){
    (void)inb(STATUS);   // acknowledge a stray interrupt
    release(&ide.lock);
    return;
  }
  struct buf *b = ide.q[ide.r % NBUF];
  int write = ide.write[ide.r % NBUF];
  if(waitdisk() < 0)
    panic("ide: disk error");
  if(!write)
    insl(DATA, b->data + ide.sector * SECTOR, SECTOR / 4);

  if(++ide.sector < SECTORS_PER_BLOCK){
    start();
  } else {
    ide.sector = 0;
    ide.r++;
    b->disk = 0;
    wakeup(b);
    if(ide.r != ide.w)
      start();
  }
  release(&ide.lock);
}

void
disk_rw(struct buf *b, int write)
{
  acquire(&ide.lock);
  b->disk = 1;
  ide.q[ide.w % NBUF] = b;
  ide.write[ide.w % NBUF] = write;
  if(ide.w++ == ide.r)
    start();
  while(b->disk)
    sleep(b, &ide.lock);
  release(&ide.lock);
}
