// Driver for the virtio-mmio block device at VIRTIO0 (modern interface).
// One request at a time per buffer; up to NUM/3 requests in flight.
//
// disk.lock protects the queue and the bookkeeping; a process waiting
// for its request sleeps on the buf until the interrupt clears b->disk.

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
#include "virtio.h"

#define R(r) ((volatile uint32 *)(VIRTIO0 + (r)))

static struct disk {
  struct virtq_desc *desc;     // each of these three is one page
  struct virtq_avail *avail;
  struct virtq_used *used;

  char free[NUM];              // which descriptors are free
  uint16 used_idx;             // how far we have read used->ring

  // Per request, indexed by its first descriptor.
  struct {
    struct buf *b;
    char status;               // the device writes 0 on success
  } info[NUM];
  struct virtio_blk_req ops[NUM];

  struct spinlock lock;
} disk;

static void
setaddr(int lowreg, void *p)
{
  uint64 pa = KVA2PA(p);
  *R(lowreg) = (uint32)pa;
  *R(lowreg + 4) = (uint32)(pa >> 32);
}

static void*
zpage(void)
{
  void *p = kalloc();
  if(p == 0)
    panic("virtio disk: kalloc");
  memset(p, 0, PGSIZE);
  return p;
}

void
virtio_disk_init(void)
{
  initlock(&disk.lock, "virtio_disk");

  if(*R(VIRTIO_MMIO_MAGIC_VALUE) != 0x74726976 ||
     *R(VIRTIO_MMIO_VERSION) != 2 ||
     *R(VIRTIO_MMIO_DEVICE_ID) != 2)
    panic("could not find virtio disk");

  uint32 status = 0;
  *R(VIRTIO_MMIO_STATUS) = status;   // reset
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  *R(VIRTIO_MMIO_STATUS) = status;
  status |= VIRTIO_STATUS_DRIVER;
  *R(VIRTIO_MMIO_STATUS) = status;

  uint32 features = *R(VIRTIO_MMIO_DEVICE_FEATURES);
  features &= ~(1 << VIRTIO_BLK_F_RO);
  features &= ~(1 << VIRTIO_BLK_F_SCSI);
  features &= ~(1 << VIRTIO_BLK_F_CONFIG_WCE);
  features &= ~(1 << VIRTIO_BLK_F_MQ);
  features &= ~(1 << VIRTIO_F_ANY_LAYOUT);
  features &= ~(1 << VIRTIO_RING_F_EVENT_IDX);
  features &= ~(1 << VIRTIO_RING_F_INDIRECT_DESC);
  *R(VIRTIO_MMIO_DRIVER_FEATURES) = features;

  status |= VIRTIO_STATUS_FEATURES_OK;
  *R(VIRTIO_MMIO_STATUS) = status;
  if(!(*R(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    panic("virtio disk: FEATURES_OK unset");

  *R(VIRTIO_MMIO_QUEUE_SEL) = 0;
  if(*R(VIRTIO_MMIO_QUEUE_READY))
    panic("virtio disk: queue already in use");
  uint32 max = *R(VIRTIO_MMIO_QUEUE_NUM_MAX);
  if(max == 0)
    panic("virtio disk: no queue 0");
  if(max < NUM)
    panic("virtio disk: queue too short");

  disk.desc = zpage();
  disk.avail = zpage();
  disk.used = zpage();

  *R(VIRTIO_MMIO_QUEUE_NUM) = NUM;
  setaddr(VIRTIO_MMIO_QUEUE_DESC_LOW, disk.desc);
  setaddr(VIRTIO_MMIO_DRIVER_DESC_LOW, disk.avail);
  setaddr(VIRTIO_MMIO_DEVICE_DESC_LOW, disk.used);
  *R(VIRTIO_MMIO_QUEUE_READY) = 1;

  for(int i = 0; i < NUM; i++)
    disk.free[i] = 1;

  status |= VIRTIO_STATUS_DRIVER_OK;
  *R(VIRTIO_MMIO_STATUS) = status;
}

// A free descriptor, or -1.
static int
alloc_desc(void)
{
  for(int i = 0; i < NUM; i++){
    if(disk.free[i]){
      disk.free[i] = 0;
      return i;
    }
  }
  return -1;
}

static void
free_desc(int i)
{
  if(i >= NUM || disk.free[i])
    panic("virtio disk: free_desc");
  disk.desc[i] = (struct virtq_desc){0};
  disk.free[i] = 1;
  wakeup(&disk.free[0]);
}

static void
free_chain(int i)
{
  for(;;){
    int flags = disk.desc[i].flags;
    int next = disk.desc[i].next;
    free_desc(i);
    if(!(flags & VRING_DESC_F_NEXT))
      break;
    i = next;
  }
}

// Three descriptors for one request, or -1 with none taken.
static int
alloc3_desc(int *idx)
{
  for(int i = 0; i < 3; i++){
    idx[i] = alloc_desc();
    if(idx[i] < 0){
      for(int j = 0; j < i; j++)
        free_desc(idx[j]);
      return -1;
    }
  }
  return 0;
}

// Read (write == 0) or write b's block, sleeping until the disk is done.
void
disk_rw(struct buf *b, int write)
{
  uint64 sector = b->blockno * (BSIZE / 512);
  int idx[3];

  acquire(&disk.lock);
  while(alloc3_desc(idx) != 0)
    sleep(&disk.free[0], &disk.lock);

  struct virtio_blk_req *req = &disk.ops[idx[0]];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = sector;

  disk.desc[idx[0]] = (struct virtq_desc){
    KVA2PA(req), sizeof(*req), VRING_DESC_F_NEXT, idx[1] };
  disk.desc[idx[1]] = (struct virtq_desc){
    KVA2PA(b->data), BSIZE, VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), idx[2] };
  disk.info[idx[0]].status = 0xff;   // the device overwrites it
  disk.desc[idx[2]] = (struct virtq_desc){
    KVA2PA(&disk.info[idx[0]].status), 1, VRING_DESC_F_WRITE, 0 };

  b->disk = 1;
  disk.info[idx[0]].b = b;

  disk.avail->ring[disk.avail->idx % NUM] = idx[0];
  __sync_synchronize();   // the ring entry before the index that shows it
  disk.avail->idx += 1;
  __sync_synchronize();
  *R(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;

  while(b->disk == 1)
    sleep(b, &disk.lock);

  disk.info[idx[0]].b = 0;
  free_chain(idx[0]);
  release(&disk.lock);
}

// The device finished one or more requests.
void
virtio_disk_intr(void)
{
  acquire(&disk.lock);

  // Acknowledge first: a completion that lands while we scan raises a
  // new interrupt instead of being lost.
  *R(VIRTIO_MMIO_INTERRUPT_ACK) = *R(VIRTIO_MMIO_INTERRUPT_STATUS) & 0x3;
  __sync_synchronize();

  while(disk.used_idx != disk.used->idx){
    __sync_synchronize();
    int id = disk.used->ring[disk.used_idx % NUM].id;
    if(disk.info[id].status != 0)
      panic("virtio disk: request failed");
    struct buf *b = disk.info[id].b;
    b->disk = 0;
    wakeup(b);
    disk.used_idx += 1;
  }

  release(&disk.lock);
}
