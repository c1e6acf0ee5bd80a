// tsbrk: the threads of a process share one break (threads lab grade
// test). Memory a thread gets from sbrk is seen by main, and the other
// way round, and concurrent sbrks hand out disjoint ranges. Prints
// "tsbrk: PASSED" or "tsbrk: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define PGSIZE 4096
#define NGROW 4
#define GROW (3*PGSIZE)
#define FAIL(...) do { printf("tsbrk: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static char * volatile got[NGROW];
static char * volatile from_main;
static volatile int main_sum;

static void
grower(void *a, void *b)
{
  int i = (int)(unsigned long)a;
  char *p = sbrk(GROW);
  if(p != (char*)-1)
    for(int k = 0; k < GROW; k++)
      p[k] = 'a' + i;
  got[i] = p;
  exit(0);
}

static void
reader(void *a, void *b)
{
  int s = 0;
  for(int k = 0; k < GROW; k++)
    s += from_main[k];
  main_sum = s;
  exit(0);
}

int
main(int argc, char *argv[])
{
  for(int i = 0; i < NGROW; i++)
    if(thread_create(grower, (void*)(unsigned long)i, 0) <= 0)
      FAIL("thread_create failed");
  for(int i = 0; i < NGROW; i++)
    if(thread_join() <= 0)
      FAIL("thread_join failed");
  for(int i = 0; i < NGROW; i++){
    if(got[i] == (char*)-1 || got[i] == 0)
      FAIL("sbrk in thread %d failed", i);
    for(int k = 0; k < GROW; k++)
      if(got[i][k] != 'a' + i)
        FAIL("thread %d's sbrk memory reads %c at %d in main: threads overlapped or it is not shared", i, got[i][k], k);
  }
  for(int i = 0; i < NGROW; i++)
    for(int j = 0; j < NGROW; j++)
      if(i != j && got[i] < got[j] + GROW && got[j] < got[i] + GROW)
        FAIL("threads %d and %d got overlapping memory", i, j);

  from_main = sbrk(GROW);
  if(from_main == (char*)-1)
    FAIL("sbrk in main failed");
  int want = 0;
  for(int k = 0; k < GROW; k++){
    from_main[k] = k % 7;
    want += k % 7;
  }
  int t = thread_create(reader, 0, 0);
  if(t <= 0 || thread_join() != t)
    FAIL("thread_create/thread_join failed");
  if(main_sum != want)
    FAIL("a thread read %d from memory main got from sbrk, want %d", main_sum, want);
  printf("tsbrk: PASSED\n");
  exit(0);
}
