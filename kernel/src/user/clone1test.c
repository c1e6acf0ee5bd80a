// clone1test: programs written for classic x86 xv6 and the older threads
// lab compile and run unchanged against our user.h: one-argument clone
// and thread_create, an xchg/amoswap spin lock, printf(fd, ...), exit()
// and wait() without arguments. Prints "TEST<n> PASSED" or
// "TEST<n> FAILED: <why>" per test, then "ALL CLONE1 TESTS PASSED".
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define NTHREADS 4
#define ROUNDS 500

static int curtest, failed;
static uspinlock_t spin;
static lock_t ticket;
static volatile int counter;
static volatile int seen_arg;

#define EXPECT(cond, msg) do { \
    if(!(cond)){ \
      printf(1, "TEST%d FAILED: %s\n", curtest, msg); \
      failed = 1; \
      return; \
    } \
  } while(0)

// One argument, as the older lab's clone passes it.
static void
add_spin(void *arg)
{
  seen_arg = *(int*)arg;
  for(int i = 0; i < ROUNDS; i++){
    uspin_acquire(&spin);
    counter++;
    uspin_release(&spin);
  }
  exit();
}

static void
add_ticket(void *arg)
{
  for(int i = 0; i < ROUNDS; i++){
    lock_acquire(&ticket);
    counter += (int)(uint64)arg;
    lock_release(&ticket);
  }
  exit();
}

static void
just_return(void *arg)
{
  counter = (int)(uint64)arg;
}

// clone(fcn, arg, stack) on a page we provide; join hands the page back.
static void
test1(void)
{
  curtest = 1;
  char *block = malloc(2*PGSIZE);
  void *stack = (void*)PGROUNDUP((uint64)block);
  int arg = 42;
  counter = 0;
  uspin_init(&spin);
  int pid = clone(add_spin, &arg, stack);
  EXPECT(pid > 0, "clone(fcn, arg, stack) failed");
  void *got = 0;
  EXPECT(join(&got) == pid, "join did not return the thread's pid");
  EXPECT(got == stack, "join did not report the thread's stack");
  EXPECT(seen_arg == 42, "the thread did not get its argument");
  EXPECT(counter == ROUNDS, "lost updates under the spin lock");
  EXPECT(clone(add_spin, &arg, (char*)stack + 1) == -1, "an unaligned stack was accepted");
  free(block);
  printf(1, "TEST1 PASSED\n");
}

// thread_create(fn, arg) and thread_join, with the ticket lock.
static void
test2(void)
{
  curtest = 2;
  counter = 0;
  lock_init(&ticket);
  for(int i = 0; i < NTHREADS; i++)
    EXPECT(thread_create(add_ticket, (void*)(uint64)(i + 1)) > 0, "thread_create(fn, arg) failed");
  for(int i = 0; i < NTHREADS; i++)
    EXPECT(thread_join() > 0, "thread_join failed");
  EXPECT(thread_join() == -1, "thread_join found a thread too many");
  EXPECT(counter == ROUNDS * (1 + 2 + 3 + 4), "lost updates under the ticket lock");
  printf(1, "TEST2 PASSED\n");
}

// A one-argument thread that returns runs into the fake return address and
// is killed; the process goes on, and wait() without arguments works.
static void
test3(void)
{
  curtest = 3;
  int pid = fork();
  if(pid == 0){
    counter = 0;
    if(thread_create(just_return, (void*)7) < 0 || thread_join() < 0 || counter != 7)
      exit(1);
    exit();
  }
  EXPECT(pid > 0, "fork failed");
  int status = -1;
  EXPECT(wait(&status) == pid, "wait did not return the child");
  EXPECT(status == 0, "the returning thread was not killed alone");
  printf(1, "TEST3 PASSED\n");
}

// exit() and wait() without arguments are exit(0) and wait(0).
static void
test4(void)
{
  curtest = 4;
  int pid = fork();
  if(pid == 0)
    exit();
  EXPECT(pid > 0, "fork failed");
  EXPECT(wait() == pid, "wait() did not return the child");
  pid = fork();
  if(pid == 0)
    exit();
  int status = -1;
  EXPECT(wait(&status) == pid && status == 0, "exit() is not exit(0)");
  printf(1, "TEST4 PASSED\n");
}

int
main(int argc, char *argv[])
{
  test1();
  test2();
  test3();
  test4();
  if(!failed)
    printf("ALL CLONE1 TESTS PASSED\n");
  exit();
}
