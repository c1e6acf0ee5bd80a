// treturn: a thread function that returns instead of calling exit lands
// on the fake return address clone put on its stack and is killed; only
// that thread ends, and it can be joined (threads lab grade test). Prints
// "treturn: PASSED" or "treturn: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define FAIL(...) do { printf("treturn: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile int ran;
static volatile int sum;

static void
returns(void *a, void *b)
{
  ran++;
  sum += *(int*)a + *(int*)b;
}

int
main(int argc, char *argv[])
{
  int x = 3, y = 4;
  for(int i = 0; i < 3; i++){
    int pid = thread_create(returns, &x, &y);
    if(pid <= 0)
      FAIL("thread_create failed");
    if(thread_join() != pid)
      FAIL("the returning thread %d could not be joined", pid);
  }
  if(ran != 3)
    FAIL("the thread ran %d times, want 3", ran);
  if(sum != 21)
    FAIL("the threads saw arguments adding to %d, want 21", sum);

  // The process is alive and can still fork and wait.
  int child = fork();
  if(child < 0)
    FAIL("fork after the returns failed");
  if(child == 0)
    exit(7);
  int st = 0;
  if(wait(&st) != child || st != 7)
    FAIL("wait after the returns did not get the child");
  printf("treturn: PASSED\n");
  exit(0);
}
