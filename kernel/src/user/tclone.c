// tclone: clone and join basics (threads lab grade test). A thread started
// by clone runs fcn(arg1, arg2) on the page it was given, in this address
// space, under its own pid; join returns that pid and hands the page back;
// join never reaps a child process, nor wait a thread. Prints
// "tclone: PASSED" or "tclone: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define PGSIZE 4096
#define FAIL(...) do { printf("tclone: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile int shared;
static volatile int got1, got2, thread_pid;
static volatile unsigned long stack_local;

static void
worker(void *a, void *b)
{
  int here;
  got1 = *(int*)a;
  got2 = *(int*)b;
  thread_pid = getpid();
  stack_local = (unsigned long)&here;
  shared = shared + 1;
  exit(0);
}

int
main(int argc, char *argv[])
{
  int one = 11, two = 22;
  char *mem = malloc(2*PGSIZE);
  if(mem == 0)
    FAIL("malloc failed");
  char *stack = (char*)(((unsigned long)mem + PGSIZE - 1) & ~(unsigned long)(PGSIZE - 1));

  if(join(0) != -1)
    FAIL("join without threads did not return -1");

  shared = 41;
  int pid = clone(worker, &one, &two, stack);
  if(pid <= 0)
    FAIL("clone returned %d", pid);
  if(pid == getpid())
    FAIL("clone returned the caller's own pid");
  void *back = 0;
  int j = join(&back);
  if(j != pid)
    FAIL("join returned %d, clone returned %d", j, pid);
  if(back != stack)
    FAIL("join gave back stack %p, clone was given %p", back, stack);
  if(got1 != 11 || got2 != 22)
    FAIL("thread saw arguments %d, %d; want 11, 22", got1, got2);
  if(thread_pid != pid)
    FAIL("getpid in the thread was %d, clone returned %d", thread_pid, pid);
  if(shared != 42)
    FAIL("the thread's write to a global was not seen (%d)", shared);
  if(stack_local < (unsigned long)stack || stack_local >= (unsigned long)stack + PGSIZE)
    FAIL("the thread ran on %p, not on its stack page %p", (void*)stack_local, stack);
  if(join(&back) != -1)
    FAIL("a second join found another thread");

  // The thread library does the same.
  int t = thread_create(worker, &two, &one);
  if(t <= 0)
    FAIL("thread_create returned %d", t);
  if(thread_join() != t)
    FAIL("thread_join did not return the thread's pid");
  if(got1 != 22 || got2 != 11 || shared != 43)
    FAIL("thread_create's thread did not run with its arguments");

  // join is for threads, wait for child processes.
  int child = fork();
  if(child < 0)
    FAIL("fork failed");
  if(child == 0)
    exit(5);
  sleep(2);  // the child is a zombie now
  if((j = join(&back)) != -1)
    FAIL("join with no threads returned %d (the child process is %d)", j, child);
  t = thread_create(worker, &one, &two);
  if(t <= 0)
    FAIL("thread_create failed");
  sleep(2);
  int st = -1;
  if((j = wait(&st)) != child || st != 5)
    FAIL("wait returned %d status %d, want the child %d status 5", j, st, child);
  if((j = wait(0)) != -1)
    FAIL("wait returned %d: a thread, not a child process", j);
  if(thread_join() != t)
    FAIL("thread_join did not return the thread after a wait");
  free(mem);
  printf("tclone: PASSED\n");
  exit(0);
}
