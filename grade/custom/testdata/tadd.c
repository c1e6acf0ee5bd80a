// tadd: a tiny instructor-style test: two threads add under a lock.
#include "kernel/types.h"
#include "user/user.h"

static lock_t lk;
static volatile int n;

static void
add(void *a, void *b)
{
  for(int i = 0; i < 100; i++){
    lock_acquire(&lk);
    n += (int)(unsigned long)a;
    lock_release(&lk);
  }
  exit(0);
}

int
main(int argc, char *argv[])
{
  lock_init(&lk);
  thread_create(add, (void*)1, 0);
  thread_create(add, (void*)2, 0);
  thread_join();
  thread_join();
  printf("tadd: n=%d\n", n);
  printf("tadd: %s\n", n == 300 ? "PASSED" : "FAILED");
  exit(0);
}
