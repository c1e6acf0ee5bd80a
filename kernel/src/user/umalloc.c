// umalloc.c: the heap allocator behind malloc and free.
//
// Memory comes from sbrk in chunks of at least HEAP_CHUNK bytes. Free
// blocks sit on a list sorted by address so that free can merge a block
// with its neighbours. Each block starts with a 16-byte header holding its
// size in headers, which also keeps every pointer 16-byte aligned.
//
// heap_lock protects freelist; threads of one process share the heap.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define HEAP_CHUNK (64*1024)

struct header {
  struct header *next;   // next free block, by address (free blocks only)
  uint64 units;          // size of the block in headers, header included
} __attribute__((aligned(16)));   // 16 bytes with 32-bit pointers too

static struct header *freelist;
static lock_t heap_lock;   // zeroed bss is an unlocked ticket lock

// insert puts block b on the free list, merging it with the blocks
// directly before and after it.
static void
insert(struct header *b)
{
  struct header *prev = 0, *next = freelist;
  while(next && next < b){
    prev = next;
    next = next->next;
  }
  if(next && b + b->units == next){
    b->units += next->units;
    b->next = next->next;
  } else {
    b->next = next;
  }
  if(prev && prev + prev->units == b){
    prev->units += b->units;
    prev->next = b->next;
  } else if(prev){
    prev->next = b;
  } else {
    freelist = b;
  }
}

// grow adds at least units headers of fresh memory to the free list. It
// asks sbrk for whole pages, which keeps the break page-aligned, and one
// header more than needed in case someone moved the break by an odd
// amount and the block has to start at the next aligned address.
static int
grow(uint64 units)
{
  uint64 chunk = HEAP_CHUNK / sizeof(struct header);
  if(units < chunk)
    units = chunk;
  uint64 bytes = PGROUNDUP((units + 1) * sizeof(struct header));
  if(bytes > 0x7fffffff)
    return -1;
  char *p = sbrk(bytes);
  if(p == (char*)-1)
    return -1;
  uint64 pad = -(uint64)p % sizeof(struct header);
  struct header *b = (struct header*)(p + pad);
  b->units = (bytes - pad) / sizeof(struct header);
  insert(b);
  return 0;
}

// take returns a block of exactly units headers cut from the first free
// block big enough, or 0. It cuts from the front, so what is left of a
// block stays at its end, next to where the heap grows, and merges with
// the next chunk grow adds instead of lingering as a fragment.
static struct header*
take(uint64 units)
{
  for(struct header **link = &freelist; *link; link = &(*link)->next){
    struct header *b = *link;
    if(b->units < units)
      continue;
    if(b->units == units){
      *link = b->next;
    } else {
      struct header *rest = b + units;
      rest->units = b->units - units;
      rest->next = b->next;
      *link = rest;
      b->units = units;
    }
    return b;
  }
  return 0;
}

void*
malloc(uint nbytes)
{
  uint64 units = ((uint64)nbytes + sizeof(struct header) - 1) / sizeof(struct header) + 1;
  lock_acquire(&heap_lock);
  struct header *b = take(units);
  if(b == 0 && grow(units) == 0)
    b = take(units);
  lock_release(&heap_lock);
  return b ? (void*)(b + 1) : 0;
}

void
free(void *p)
{
  if(p == 0)
    return;
  lock_acquire(&heap_lock);
  insert((struct header*)p - 1);
  lock_release(&heap_lock);
}
