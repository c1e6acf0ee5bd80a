// tlock: the lab's ticket lock (lock_t) and the test-and-set lock
// (uspinlock_t) under contention, with more threads than CPUs (threads lab
// grade test). Every increment made under the lock must count, and the
// lock must hold across a sleep in the critical section. Prints
// "tlock: PASSED" or "tlock: FAILED: <why>".
#include "kernel/types.h"
#include "user/user.h"

#define NT 8
#define ROUNDS 400
#define FAIL(...) do { printf("tlock: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static lock_t ticket;
static uspinlock_t spin;
static volatile int counter, inside, overlap;

// bump does a read-modify-write slow enough that an unlocked race shows.
static void
bump(void)
{
  if(inside++ != 0)
    overlap = 1;
  int v = counter;
  for(volatile int k = 0; k < 20; k++)
    ;
  counter = v + 1;
  inside--;
}

static void
with_ticket(void *a, void *b)
{
  for(int i = 0; i < ROUNDS; i++){
    lock_acquire(&ticket);
    bump();
    lock_release(&ticket);
  }
  exit(0);
}

static void
with_spin(void *a, void *b)
{
  for(int i = 0; i < ROUNDS; i++){
    uspin_acquire(&spin);
    bump();
    uspin_release(&spin);
  }
  exit(0);
}

// sleeper holds the lock across a sleep: the other must wait it out.
// Kept to two short holds: waiters yield in a loop meanwhile, which is
// costly to emulate for long.
static void
sleeper(void *a, void *b)
{
  for(int i = 0; i < 1; i++){
    lock_acquire(&ticket);
    if(inside++ != 0)
      overlap = 1;
    int v = counter;
    sleep(1);
    counter = v + 1;
    inside--;
    lock_release(&ticket);
  }
  exit(0);
}

static void
run(void (*fn)(void*, void*), int n, char *what, int want)
{
  counter = 0;
  overlap = 0;
  for(int i = 0; i < n; i++)
    if(thread_create(fn, 0, 0) <= 0)
      FAIL("%s: thread_create %d failed", what, i);
  for(int i = 0; i < n; i++)
    if(thread_join() <= 0)
      FAIL("%s: thread_join failed", what);
  if(overlap)
    FAIL("%s: two threads were inside the lock at once", what);
  if(counter != want)
    FAIL("%s: counter is %d, want %d", what, counter, want);
}

int
main(int argc, char *argv[])
{
  lock_init(&ticket);
  uspin_init(&spin);
  run(with_ticket, NT, "lock_t", NT*ROUNDS);
  run(with_spin, NT, "uspinlock_t", NT*ROUNDS);
  run(sleeper, 2, "lock_t held across sleep", 2);
  printf("tlock: PASSED\n");
  exit(0);
}
