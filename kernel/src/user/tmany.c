// tmany: many threads (threads lab grade test). Thirty threads live at
// once, each joined exactly once; two hundred more are created and joined
// one after another, so a leak of process slots or memory shows. Prints
// "tmany: PASSED" or "tmany: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define AT_ONCE 30
#define IN_TURN 200
#define FAIL(...) do { printf("tmany: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile int go, ran[AT_ONCE], total;
static lock_t lk;

static void
waiter(void *a, void *b)
{
  int i = (int)(unsigned long)a;
  while(!go)
    sleep(1);
  ran[i]++;
  exit(0);
}

static void
counter(void *a, void *b)
{
  lock_acquire(&lk);
  total++;
  lock_release(&lk);
  exit(0);
}

int
main(int argc, char *argv[])
{
  int pids[AT_ONCE];
  lock_init(&lk);
  for(int i = 0; i < AT_ONCE; i++){
    pids[i] = thread_create(waiter, (void*)(unsigned long)i, 0);
    if(pids[i] <= 0)
      FAIL("thread_create %d of %d failed", i, AT_ONCE);
    for(int j = 0; j < i; j++)
      if(pids[j] == pids[i])
        FAIL("two live threads have pid %d", pids[i]);
  }
  go = 1;
  int seen[AT_ONCE];
  memset(seen, 0, sizeof(seen));
  for(int n = 0; n < AT_ONCE; n++){
    int pid = thread_join();
    int k;
    for(k = 0; k < AT_ONCE && pids[k] != pid; k++)
      ;
    if(k == AT_ONCE)
      FAIL("thread_join returned %d, not one of our threads", pid);
    if(seen[k]++)
      FAIL("thread %d was joined twice", pid);
  }
  if(thread_join() != -1)
    FAIL("a thread was left to join after all %d", AT_ONCE);
  for(int i = 0; i < AT_ONCE; i++)
    if(ran[i] != 1)
      FAIL("thread %d ran %d times", i, ran[i]);

  for(int i = 0; i < IN_TURN; i++){
    int pid = thread_create(counter, 0, 0);
    if(pid <= 0)
      FAIL("thread_create failed after %d threads came and went", i);
    if(thread_join() != pid)
      FAIL("thread_join did not return thread %d", pid);
  }
  if(total != IN_TURN)
    FAIL("%d of %d threads ran", total, IN_TURN);
  printf("tmany: PASSED\n");
  exit(0);
}
