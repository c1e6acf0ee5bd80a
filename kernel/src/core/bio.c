// Buffer cache: an LRU list of in-memory copies of disk blocks. A block
// has at most one buffer, so every user of a block sees the same bytes,
// and the buffer's sleeplock lets one process at a time use them.
//
// bcache.lock protects the list, b->dev, b->blockno and b->refcnt;
// b->lock protects b->data and b->valid.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "buf.h"
#include "arch.h"
#include "defs.h"

static struct {
  struct spinlock lock;
  struct buf buf[NBUF];
  struct buf head;   // head.next is the most recently used
} bcache;

static void
unlink_buf(struct buf *b)
{
  b->next->prev = b->prev;
  b->prev->next = b->next;
}

static void
push_front(struct buf *b)
{
  b->next = bcache.head.next;
  b->prev = &bcache.head;
  bcache.head.next->prev = b;
  bcache.head.next = b;
}

void
binit(void)
{
  initlock(&bcache.lock, "bcache");
  bcache.head.prev = &bcache.head;
  bcache.head.next = &bcache.head;
  for(struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++){
    initsleeplock(&b->lock, "buffer");
    push_front(b);
  }
}

// The buffer for (dev, blockno), locked: the cached one, or the least
// recently used free one recycled.
static struct buf*
bget(uint dev, uint blockno)
{
  struct buf *b;

  acquire(&bcache.lock);
  for(b = bcache.head.next; b != &bcache.head; b = b->next){
    if(b->dev == dev && b->blockno == blockno){
      b->refcnt++;
      release(&bcache.lock);
      acquiresleep(&b->lock);
      return b;
    }
  }
  for(b = bcache.head.prev; b != &bcache.head; b = b->prev){
    if(b->refcnt == 0){
      b->dev = dev;
      b->blockno = blockno;
      b->valid = 0;
      b->refcnt = 1;
      release(&bcache.lock);
      acquiresleep(&b->lock);
      return b;
    }
  }
  panic("bget: no buffers");
}

// A locked buffer holding the block's contents.
struct buf*
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);

  if(!b->valid){
    disk_rw(b, 0);
    b->valid = 1;
  }
  return b;
}

// Write b's contents to disk. b must be locked.
void
bwrite(struct buf *b)
{
  if(!holdingsleep(&b->lock))
    panic("bwrite");
  disk_rw(b, 1);
}

// Done with a locked buffer: unlock it and make it most recently used.
void
brelse(struct buf *b)
{
  if(!holdingsleep(&b->lock))
    panic("brelse");
  releasesleep(&b->lock);

  acquire(&bcache.lock);
  b->refcnt--;
  if(b->refcnt == 0){
    unlink_buf(b);
    push_front(b);
  }
  release(&bcache.lock);
}

// Keep b cached (the log holds it until it is installed).
void
bpin(struct buf *b)
{
  acquire(&bcache.lock);
  b->refcnt++;
  release(&bcache.lock);
}

void
bunpin(struct buf *b)
{
  acquire(&bcache.lock);
  b->refcnt--;
  release(&bcache.lock);
}
