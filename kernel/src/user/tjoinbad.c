// tjoinbad: join with a bad pointer fails with -1 and does not reap the
// thread, which a later join with a good pointer still gets (threads lab
// grade test). Prints "tjoinbad: PASSED" or "tjoinbad: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define PGSIZE 4096
#define FAIL(...) do { printf("tjoinbad: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static void
worker(void *a, void *b)
{
  exit(0);
}

static unsigned long
pgup(unsigned long a)
{
  return (a + PGSIZE - 1) & ~(unsigned long)(PGSIZE - 1);
}

static void
refuse(void *p, char *what)
{
  int r = join((void**)p);
  if(r != -1)
    FAIL("join into %s (%p) returned %d", what, p, r);
}

int
main(int argc, char *argv[])
{
  char *mem = malloc(2*PGSIZE);
  if(mem == 0)
    FAIL("malloc failed");
  char *stack = (char*)pgup((unsigned long)mem);

  int pid = clone(worker, 0, 0, stack);
  if(pid <= 0)
    FAIL("clone failed");
  sleep(1);  // let it finish, so a join that ignores the pointer would reap it

  unsigned long top = pgup((unsigned long)sbrk(0));
  refuse((void*)0x80000000UL, "a kernel address");
  refuse((void*)(top + 16*PGSIZE), "an unmapped page past the end of memory");
  refuse((void*)(0UL - 16), "the top of the address space");
  refuse((void*)(top - 2), "a pointer straddling the end of memory");

  void *back = 0;
  int j = join(&back);
  if(j != pid)
    FAIL("after the bad joins, join returned %d, want the thread %d", j, pid);
  if(back != stack)
    FAIL("join gave back %p, want %p", back, stack);
  refuse(&back, "a good pointer with no thread left");
  free(mem);
  printf("tjoinbad: PASSED\n");
  exit(0);
}
