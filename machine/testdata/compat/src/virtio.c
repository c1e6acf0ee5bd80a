// virtio.c: a small xv6-style virtio-mmio block driver. With LEGACY=1 it
// drives the version 1 interface as 2019-2020 xv6 does (GuestPageSize,
// QueuePFN, the queue in two pages with the used ring at the second,
// DRIVER_OK set before the queue exists); with LEGACY=0 the version 2
// interface as later xv6 does (FEATURES_OK checked, separate ring
// addresses, QueueReady). Neither acknowledges VIRTIO_F_VERSION_1. With
// ACK=0 the interrupt handler never writes InterruptACK, as the first
// (2019) xv6-riscv did: the device's line then stays high, and each
// completion must still reach the PLIC as a new request.
//
// Requests are xv6's three descriptors: header, data, status byte. The
// driver reads and writes blocks of the test's disk image, prints
// checksums and the used ring's answers, and waits for completions with
// wfi, taking the interrupt through the PLIC on hart 0's S context.
//
// Only hart 0 runs; the queue state below is touched by its main loop
// with interrupts off and by its trap handler.

#include "lib.h"
#include "plic.h"

#ifndef LEGACY
#error "build with -DLEGACY=0 or -DLEGACY=1"
#endif

#ifndef ACK
#define ACK 1
#endif

#if !ACK
#define NAME "virtio-noack"
#elif LEGACY
#define NAME "virtio-legacy"
#else
#define NAME "virtio-modern"
#endif

#define R(off) reg32(VIRTIO0 + (off))
enum {
  MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
  DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014,
  DRIVER_FEATURES = 0x020, GUEST_PAGE_SIZE = 0x028,
  QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
  QUEUE_PFN = 0x040, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
  INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
  QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084,
  DRIVER_DESC_LOW = 0x090, DRIVER_DESC_HIGH = 0x094,
  DEVICE_DESC_LOW = 0x0a0, DEVICE_DESC_HIGH = 0x0a4,
  CONFIG = 0x100,
};

enum { S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };

// Feature bits no xv6 driver accepts.
#define F_RO            5
#define F_SCSI          7
#define F_CONFIG_WCE    11
#define F_MQ            12
#define F_ANY_LAYOUT    27
#define F_INDIRECT_DESC 28
#define F_EVENT_IDX     29

#define NUM   8                 // descriptors, as in xv6
#define BSIZE 1024              // xv6's block: two sectors

#define D_NEXT  1
#define D_WRITE 2

struct desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};

struct avail {
  uint16 flags;
  uint16 idx;
  uint16 ring[NUM];
  uint16 used_event;
};

struct used {
  uint16 flags;
  uint16 idx;
  struct {
    uint32 id;
    uint32 len;
  } ring[NUM];
};

struct reqhdr {
  uint32 type;                  // 0 read, 1 write
  uint32 reserved;
  uint64 sector;
};

#if LEGACY
static uint8 pages[2 * 4096] __attribute__((aligned(4096)));
#else
static uint8 descpage[4096] __attribute__((aligned(4096)));
static uint8 availpage[4096] __attribute__((aligned(4096)));
static uint8 usedpage[4096] __attribute__((aligned(4096)));
#endif

static struct desc *desc;
static struct avail *avail;
static volatile struct used *used;

static struct reqhdr hdrs[NUM / 3];
static volatile uint8 status[NUM / 3];
static uint8 bufs[NUM / 3][BSIZE];
static uint16 used_seen;        // used ring entries consumed so far
static volatile uint32 completions; // bumped by the interrupt handler
static uint64 capacity;         // sectors

extern void svec(void);

static void
setup_queue(uint32 *status_bits)
{
  R(QUEUE_SEL) = 0;
#if !LEGACY
  if (R(QUEUE_READY))
    fail("queue 0 ready before setup");
#endif
  uint32 max = R(QUEUE_NUM_MAX);
  printf(NAME ": queue 0 max %u, using %d\n", max, NUM);
  if (max < NUM)
    fail("queue too short");
  R(QUEUE_NUM) = NUM;
#if LEGACY
  memset(pages, 0, sizeof pages);
  R(QUEUE_PFN) = (uint64)pages >> 12;
  desc = (struct desc *)pages;
  avail = (struct avail *)(pages + NUM * sizeof(struct desc));
  used = (struct used *)(pages + 4096);
  printf(NAME ": queue pfn reads %s\n", R(QUEUE_PFN) == (uint64)pages >> 12 ? "back" : "wrong");
  (void)status_bits;
#else
  desc = (struct desc *)descpage;
  avail = (struct avail *)availpage;
  used = (struct used *)usedpage;
  R(QUEUE_DESC_LOW) = (uint64)desc;
  R(QUEUE_DESC_HIGH) = (uint64)desc >> 32;
  R(DRIVER_DESC_LOW) = (uint64)avail;
  R(DRIVER_DESC_HIGH) = (uint64)avail >> 32;
  R(DEVICE_DESC_LOW) = (uint64)used;
  R(DEVICE_DESC_HIGH) = (uint64)used >> 32;
  R(QUEUE_READY) = 1;
  printf(NAME ": queue ready reads %u\n", R(QUEUE_READY));
  *status_bits |= S_DRIVER_OK;
  R(STATUS) = *status_bits;
#endif
}

static void
init(void)
{
  printf(NAME ": magic %x version %u device %u vendor %x\n",
         R(MAGIC), R(VERSION), R(DEVICE_ID), R(VENDOR_ID));
  if (R(MAGIC) != 0x74726976 || R(VERSION) != (LEGACY ? 1 : 2) || R(DEVICE_ID) != 2)
    fail("no virtio disk of the expected version");

  uint32 st = 0;
  R(STATUS) = st;
  st |= S_ACKNOWLEDGE;
  R(STATUS) = st;
  st |= S_DRIVER;
  R(STATUS) = st;

  R(DEVICE_FEATURES_SEL) = 1;
  uint32 high = R(DEVICE_FEATURES);
  R(DEVICE_FEATURES_SEL) = 0;
  uint32 offered = R(DEVICE_FEATURES);
  uint32 accept = offered & ~(1u << F_RO | 1u << F_SCSI | 1u << F_CONFIG_WCE | 1u << F_MQ |
                              1u << F_ANY_LAYOUT | 1u << F_EVENT_IDX | 1u << F_INDIRECT_DESC);
  R(DRIVER_FEATURES) = accept;
  printf(NAME ": features %x:%x, accepted %x\n", high, offered, accept);

  st |= S_FEATURES_OK;
  R(STATUS) = st;
#if LEGACY
  // 2019-2020 xv6 says DRIVER_OK before it sets the queue up.
  st |= S_DRIVER_OK;
  R(STATUS) = st;
  R(GUEST_PAGE_SIZE) = 4096;
#else
  if (!(R(STATUS) & S_FEATURES_OK))
    fail("FEATURES_OK not kept");
#endif
  setup_queue(&st);
  printf(NAME ": status %x\n", R(STATUS));

  capacity = R(CONFIG) | (uint64)R(CONFIG + 4) << 32;
  printf(NAME ": capacity %lu sectors, blk_size %u\n", capacity, R(CONFIG + 0x14));

  reg32(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
  reg32(PLIC_SENABLE(0)) = 1 << VIRTIO0_IRQ;
  reg32(PLIC_STHRESHOLD(0)) = 0;
}

// One request of a batch: block, direction, and the slot whose header,
// buffer and status byte it uses. Slot i takes descriptors 3i..3i+2.
struct op {
  uint64 block;
  int write;
};

static void
fill(int slot, struct op *op)
{
  struct reqhdr *h = &hdrs[slot];
  h->type = op->write;
  h->reserved = 0;
  h->sector = op->block * (BSIZE / 512);
  status[slot] = 0xff;
  struct desc *d = &desc[3 * slot];
  d[0] = (struct desc){ (uint64)h, sizeof *h, D_NEXT, 3 * slot + 1 };
  d[1] = (struct desc){ (uint64)bufs[slot], BSIZE, D_NEXT | (op->write ? 0 : D_WRITE), 3 * slot + 2 };
  d[2] = (struct desc){ (uint64)&status[slot], 1, D_WRITE, 0 };
}

// used_len finds the used ring entry of the batch just served whose head
// is the given descriptor, and returns its length, or -1 if there is none.
// The device may complete a batch in any order (QEMU's does, as its
// block backend finishes requests), so entries are matched by id.
static long
used_len(int n, uint16 head)
{
  for (int k = 0; k < n; k++) {
    uint32 e = (uint16)(used_seen - n + k) % NUM;
    if (used->ring[e].id == head)
      return used->ring[e].len;
  }
  return -1;
}

// run submits a batch with one notification and sleeps until the device
// has used every request, then prints what each request got back.
static void
run(struct op *ops, int n)
{
  uint32 want = completions + n;
  for (int i = 0; i < n; i++) {
    fill(i, &ops[i]);
    avail->ring[(avail->idx + i) % NUM] = 3 * i;
  }
  fence();
  avail->idx += n;
  fence();
  R(QUEUE_NOTIFY) = 0;
  for (;;) {
    intr_off();
    if (completions >= want)
      break;
    wfi();
    intr_on();
  }
  intr_on();
  fence();
  for (int i = 0; i < n; i++)
    printf("  block %lu %s: used len %ld status %u\n", ops[i].block,
           ops[i].write ? "write" : "read", used_len(n, 3 * i), status[i]);
}

void
strap(void)
{
  uint64 cause = csr_read(scause);
  if (cause != (CAUSE_INTR | IRQ_S_EXT))
    fail("scause %p sepc %p stval %p", cause, csr_read(sepc), csr_read(stval));
  uint32 irq = reg32(PLIC_SCLAIM(0));
  if (irq == VIRTIO0_IRQ) {
    if (ACK)
      R(INTERRUPT_ACK) = R(INTERRUPT_STATUS) & 3;
    fence();
    while (used_seen != used->idx) {
      used_seen++;
      completions++;
    }
  } else if (irq != 0) {
    fail("unexpected irq %u", irq);
  }
  if (irq)
    reg32(PLIC_SCLAIM(0)) = irq;
}

static void
pattern(uint8 *b, uint64 block)
{
  for (int i = 0; i < BSIZE; i++)
    b[i] = (i * 7 + block * 13 + 0x5a) & 0xff;
}

static void
smain(void)
{
  csr_write(stvec, (uint64)svec);
  csr_write(sie, SIE_SEIE);
  intr_on();
  init();

  // Reads one at a time: the test knows the image, so it knows the sums.
  for (uint64 b = 0; b < 4; b++) {
    struct op op = { b, 0 };
    run(&op, 1);
    printf("read block %lu sum %x\n", b, fnv1a(bufs[0], BSIZE));
  }

  // Two writes, then two reads, each pair with one notification.
  struct op wr[2] = { { 5, 1 }, { 6, 1 } };
  pattern(bufs[0], 5);
  pattern(bufs[1], 6);
  printf("write blocks 5 6 sums %x %x\n", fnv1a(bufs[0], BSIZE), fnv1a(bufs[1], BSIZE));
  run(wr, 2);
  memset(bufs, 0, sizeof bufs);
  struct op rd[2] = { { 6, 0 }, { 5, 0 } };
  run(rd, 2);
  printf("read blocks 6 5 sums %x %x\n", fnv1a(bufs[0], BSIZE), fnv1a(bufs[1], BSIZE));
  uint8 want[BSIZE];
  pattern(want, 6);
  if (fnv1a(want, BSIZE) != fnv1a(bufs[0], BSIZE))
    fail("block 6 did not read back");

  // The last block, then one past the end: the device must refuse it.
  uint64 last = capacity / (BSIZE / 512) - 1;
  struct op edge[2] = { { last, 0 }, { last + 1, 0 } };
  run(edge, 2);
  printf("read last block sum %x\n", fnv1a(bufs[0], BSIZE));
  printf("interrupt status %x\n", R(INTERRUPT_STATUS));
  printf(NAME ": pass\n");
  pass();
}

void
mstart(uint64 id, uint64 dtb)
{
  (void)dtb;
  if (id != 0)
    park();
  uart_init();
  delegate();
  to_supervisor(smain);
}
