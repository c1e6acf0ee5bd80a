// tstack: a thread's stack is the page it was given and it may use nearly
// all of it; stacks of threads running at once stay apart; and the main
// thread's stack keeps working while threads run (threads lab grade
// test). Prints "tstack: PASSED" or "tstack: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define PGSIZE 4096
#define NT 4
#define FAIL(...) do { printf("tstack: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile unsigned long lowest[NT];
static volatile int result[NT];

// deep recurses with a frame of about 100 bytes, remembering the lowest
// stack address it reached.
static int
deep(int i, int n)
{
  volatile char pad[64];
  pad[0] = n;
  pad[63] = n;
  if((unsigned long)pad < lowest[i])
    lowest[i] = (unsigned long)pad;
  if(n == 0)
    return pad[0] + pad[63];
  return deep(i, n - 1) + 1 + pad[0] - n;
}

static void
worker(void *a, void *b)
{
  int i = (int)(unsigned long)a;
  int depth = (int)(unsigned long)b;
  lowest[i] = ~0UL;
  result[i] = deep(i, depth);
  exit(0);
}

int
main(int argc, char *argv[])
{
  char *mem = malloc((NT+1)*PGSIZE);
  if(mem == 0)
    FAIL("malloc failed");
  char *base = (char*)(((unsigned long)mem + PGSIZE - 1) & ~(unsigned long)(PGSIZE - 1));
  // Fill the pages so that a thread writing outside its own shows.
  memset(base, 0x5a, NT*PGSIZE);

  int depth = 20;
  for(int i = 0; i < NT; i++)
    if(clone(worker, (void*)(unsigned long)i, (void*)(unsigned long)depth, base + i*PGSIZE) <= 0)
      FAIL("clone %d failed", i);
  for(int i = 0; i < NT; i++)
    if(join(0) <= 0)
      FAIL("join failed");
  for(int i = 0; i < NT; i++){
    char *page = base + i*PGSIZE;
    if(result[i] != depth)
      FAIL("thread %d computed %d, want %d", i, result[i], depth);
    if(lowest[i] < (unsigned long)page || lowest[i] >= (unsigned long)page + PGSIZE)
      FAIL("thread %d's stack was at %p, outside its page %p", i, (void*)lowest[i], page);
  }

  // One thread uses most of its page: measure one level's frame from the
  // run above, then recurse to within about 600 bytes of the page's end.
  unsigned long used = (unsigned long)base + PGSIZE - lowest[0];
  int per = used / (depth + 1) + 1;
  int big = (PGSIZE - 600) / per;
  if(big <= depth)
    FAIL("frames of %d bytes leave no room to grow", per);
  if(clone(worker, (void*)0, (void*)(unsigned long)big, base) <= 0)
    FAIL("clone failed");
  if(join(0) <= 0)
    FAIL("join failed");
  if(result[0] != big)
    FAIL("a thread using %d levels of its stack computed %d", big, result[0]);
  if(lowest[0] >= (unsigned long)base + PGSIZE/2)
    FAIL("the deep thread used only %d bytes of its stack", (int)((unsigned long)base + PGSIZE - lowest[0]));
  if(lowest[0] < (unsigned long)base)
    FAIL("the deep thread ran off its page");
  free(mem);
  printf("tstack: PASSED\n");
  exit(0);
}
