// tnested: threads that create threads (threads lab grade test). A chain
// of threads, each starting the next and joining it, passes a value back
// up; and a thread's threads share the one address space. Prints
// "tnested: PASSED" or "tnested: FAILED: <why>".
//
// Labs differ on whether join reaps only the caller's own threads or any
// thread of the process; each join here is made when only the thread it
// means can be a zombie, so the test holds under both.
#include "kernel/types.h"
#include "user/user.h"

#define DEPTH 5
#define FAIL(...) do { printf("tnested: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile int level_pid[DEPTH + 1];
static volatile int result[DEPTH + 1];
static volatile int done[DEPTH + 2];
static volatile int bad;

static void
chain(void *a, void *b)
{
  int level = (int)(unsigned long)a;
  level_pid[level] = getpid();
  if(level == DEPTH){
    result[level] = 1;
    done[level] = 1;
    exit(0);
  }
  int pid = thread_create(chain, (void*)(unsigned long)(level + 1), 0);
  if(pid <= 0){
    bad = level;
    done[level] = 1;
    exit(0);
  }
  while(!done[level + 1])
    sleep(1);
  if(thread_join() != pid)
    bad = level;
  result[level] = result[level + 1] * 2;
  done[level] = 1;
  exit(0);
}

static volatile int leaves, fans_done, gate;
static lock_t lk;

static void
leaf(void *a, void *b)
{
  lock_acquire(&lk);
  leaves++;
  lock_release(&lk);
  exit(0);
}

static void
fan(void *a, void *b)
{
  int n = (int)(unsigned long)a;
  for(int i = 0; i < n; i++)
    if(thread_create(leaf, 0, 0) <= 0)
      bad = 100;
  for(int i = 0; i < n; i++)
    if(thread_join() <= 0)
      bad = 101;
  // Stay until both fans have joined their leaves, so that neither can
  // be reaped by the other.
  lock_acquire(&lk);
  fans_done++;
  lock_release(&lk);
  while(!gate)
    sleep(1);
  exit(0);
}

int
main(int argc, char *argv[])
{
  level_pid[0] = getpid();
  bad = -1;
  int pid = thread_create(chain, (void*)1, 0);
  if(pid <= 0)
    FAIL("thread_create failed");
  while(!done[1])
    sleep(1);
  if(thread_join() != pid)
    FAIL("thread_join did not return the first thread");
  if(bad >= 0)
    FAIL("the thread at level %d could not start or join its own thread", bad);
  for(int i = 1; i <= DEPTH; i++)
    for(int j = 0; j < i; j++)
      if(level_pid[i] == level_pid[j] || level_pid[i] <= 0)
        FAIL("levels %d and %d ran as pid %d", i, j, level_pid[i]);
  if(result[1] != 1 << (DEPTH - 1))
    FAIL("the chain returned %d, want %d", result[1], 1 << (DEPTH - 1));

  // Two threads each start four: eight leaves, one counter.
  lock_init(&lk);
  bad = -1;
  for(int i = 0; i < 2; i++)
    if(thread_create(fan, (void*)4, 0) <= 0)
      FAIL("thread_create failed");
  while(fans_done < 2)
    sleep(1);
  gate = 1;
  for(int i = 0; i < 2; i++)
    if(thread_join() <= 0)
      FAIL("thread_join failed");
  if(bad >= 0)
    FAIL("a thread could not start or join its own threads");
  if(leaves != 8)
    FAIL("%d of 8 grandchild threads ran", leaves);
  if(thread_join() != -1)
    FAIL("a thread was left over");
  printf("tnested: PASSED\n");
  exit(0);
}
