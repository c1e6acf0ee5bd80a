// tbadstack: clone refuses a stack that is not one whole, page-aligned
// page of this process's memory, and a refused clone leaves nothing
// behind (threads lab grade test). Prints "tbadstack: PASSED" or
// "tbadstack: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define PGSIZE 4096
#define FAIL(...) do { printf("tbadstack: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile int ran;

static void
worker(void *a, void *b)
{
  ran++;
  exit(0);
}

static unsigned long
pgup(unsigned long a)
{
  return (a + PGSIZE - 1) & ~(unsigned long)(PGSIZE - 1);
}

static void
refuse(void *stack, char *what)
{
  int pid = clone(worker, 0, 0, stack);
  if(pid != -1)
    FAIL("clone accepted %s (%p): returned %d", what, stack, pid);
}

int
main(int argc, char *argv[])
{
  char *mem = malloc(3*PGSIZE);
  if(mem == 0)
    FAIL("malloc failed");
  char *page = (char*)pgup((unsigned long)mem);

  // Unaligned.
  refuse(page + 1, "a stack 1 byte into a page");
  refuse(page + 8, "an unaligned stack");
  refuse(page + PGSIZE/2, "a half-page-aligned stack");
  refuse(page - 4, "a stack 4 bytes below a page");

  // Too small: the page runs past the end of memory.
  char *old = sbrk(0);
  unsigned long top = pgup((unsigned long)old);
  char *brk = sbrk(top - (unsigned long)old + PGSIZE/2);
  if(brk == (char*)-1)
    FAIL("sbrk failed");
  refuse((void*)top, "a stack page only half inside memory");
  sbrk(-(int)(top - (unsigned long)old + PGSIZE/2));

  // Out of the address space.
  top = pgup((unsigned long)sbrk(0));
  refuse((void*)top, "the page at the end of memory");
  refuse((void*)(top + 64*PGSIZE), "an unmapped page");
  refuse((void*)0x80000000UL, "a kernel address");
  refuse((void*)(0UL - PGSIZE), "the last page of the address space");
  refuse((void*)(0UL - 1), "address -1");

  if(join(0) != -1)
    FAIL("a refused clone left a thread to join");
  if(ran != 0)
    FAIL("a refused clone ran its function");

  // A good page still works afterwards.
  int pid = clone(worker, 0, 0, page);
  if(pid <= 0)
    FAIL("clone on a good page failed after the refusals");
  if(join(0) != pid || ran != 1)
    FAIL("the good thread was not joined");
  free(mem);
  printf("tbadstack: PASSED\n");
  exit(0);
}
