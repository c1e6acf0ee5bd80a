// threadtest: tests of the kernel threads lab (clone, join and the thread
// library in ulib.c).
//
//   threadtest       every test
//   threadtest N     test N only
//
// Prints "TEST<n> PASSED" or "TEST<n> FAILED: <why>" per test, then
// "ALL THREAD TESTS PASSED" if all passed. TEST1-TEST8 follow the course
// grader's numbering; TEST9 on are ours. Tests run one after another in this
// process (TEST6 needs every free process slot); those whose threads must
// end a process run it in a forked child.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "user/user.h"

static int curtest;

// EXPECT fails the current test with a message when cond is false.
#define EXPECT(cond, ...) do { \
    if(!(cond)){ \
      printf("TEST%d FAILED: ", curtest); \
      printf(__VA_ARGS__); \
      printf("\n"); \
      return 1; \
    } \
  } while(0)

// ---- shared workers ----

static void
just_exit(void *a, void *b)
{
  exit(0);
}

// write_pid_and_spin reports its pid on the pipe whose write end is a.
static void
write_pid_and_spin(void *a, void *b)
{
  int pid = getpid();
  write((int)(uint64)a, &pid, sizeof(pid));
  for(;;)
    ;
}

// ---- TEST1: pids ----

static int
test_pids(void)
{
  int me = getpid(), pids[3];
  for(int i = 0; i < 3; i++){
    pids[i] = thread_create(just_exit, 0, 0);
    EXPECT(pids[i] > me, "thread_create returned %d, parent pid is %d", pids[i], me);
  }
  int seen = 0;
  for(int i = 0; i < 3; i++){
    int pid = thread_join();
    int found = 0;
    for(int j = 0; j < 3; j++)
      if(pid == pids[j] && !(seen & (1 << j))){
        seen |= 1 << j;
        found = 1;
      }
    EXPECT(found, "thread_join returned %d, not one of %d %d %d", pid, pids[0], pids[1], pids[2]);
  }
  EXPECT(thread_join() == -1, "thread_join without threads did not return -1");
  return 0;
}

// ---- TEST2: arguments and globals ----

static volatile int arg_sum;
static void * volatile arg_seen[2];

static void
take_args(void *a, void *b)
{
  arg_seen[0] = a;
  arg_seen[1] = b;
  arg_sum = *(int*)a + *(int*)b;
  exit(0);
}

static int
test_args(void)
{
  int x = 1000, y = 234;
  arg_sum = 0;
  int pid = thread_create(take_args, &x, &y);
  EXPECT(pid > 0, "thread_create failed");
  EXPECT(thread_join() == pid, "thread_join did not return the thread's pid");
  EXPECT(arg_seen[0] == &x && arg_seen[1] == &y, "arguments arrived as %p %p, want %p %p",
         arg_seen[0], arg_seen[1], &x, &y);
  EXPECT(arg_sum == 1234, "main sees the global as %d, want 1234", arg_sum);
  return 0;
}

// ---- TEST3: threads in a forked child ----

static volatile int child_global;

static void
set_child_global(void *a, void *b)
{
  child_global = 42;
  exit(0);
}

static int
test_fork_threads(void)
{
  child_global = 7;
  int pid = fork();
  EXPECT(pid >= 0, "fork failed");
  if(pid == 0){
    int t = thread_create(set_child_global, 0, 0);
    if(t < 0 || thread_join() != t)
      exit(2);
    exit(child_global == 42 ? 17 : 3);
  }
  int status = 0;
  EXPECT(wait(&status) == pid, "wait did not return the child");
  EXPECT(status != 2, "child could not create and join a thread");
  EXPECT(status != 3, "child's thread did not update the child's global");
  EXPECT(status == 17, "wait saw exit status %d, want 17", status);
  EXPECT(child_global == 7, "parent's copy of the global changed to %d", child_global);
  return 0;
}

// ---- TEST4: concurrent sbrk ----

#define SBRK_PAGES 10
static char * volatile sbrk_pages[2][SBRK_PAGES];

static void
grow_and_fill(void *a, void *b)
{
  int id = (int)(uint64)a;
  for(int i = 0; i < SBRK_PAGES; i++){
    char *p = sbrk(PGSIZE);
    if(p == (char*)-1)
      exit(1);
    memset(p, 'A' + id, PGSIZE);
    sbrk_pages[id][i] = p;
  }
  exit(0);
}

static int
test_sbrk(void)
{
  memset((void*)sbrk_pages, 0, sizeof(sbrk_pages));
  int t0 = thread_create(grow_and_fill, (void*)0, 0);
  int t1 = thread_create(grow_and_fill, (void*)1, 0);
  EXPECT(t0 > 0 && t1 > 0, "thread_create failed");
  EXPECT(thread_join() > 0 && thread_join() > 0, "thread_join failed");
  for(int id = 0; id < 2; id++){
    for(int i = 0; i < SBRK_PAGES; i++){
      char *p = sbrk_pages[id][i];
      EXPECT(p != 0, "thread %d's sbrk %d failed", id, i);
      for(int k = 0; k < PGSIZE; k++)
        EXPECT(p[k] == 'A' + id, "page %p byte %d is %c, want %c: threads got overlapping memory",
               p, k, p[k], 'A' + id);
    }
  }
  return 0;
}

// ---- TEST5 and TEST7: the main thread exits under running threads ----

static void
spawn_nested_and_spin(void *a, void *b)
{
  if(thread_create(write_pid_and_spin, a, 0) < 0)
    exit(1);
  write_pid_and_spin(a, b);
}

// exit_under_threads forks a child whose main thread exits while a thread
// and a nested thread spin; the parent's wait must return the child's
// status and both threads must be gone. Returns 0 or why it failed.
static char*
exit_under_threads(void)
{
  int fromthreads[2], toparent[2];
  if(pipe(fromthreads) < 0)
    return "pipe failed";
  if(pipe(toparent) < 0){
    close(fromthreads[0]);
    close(fromthreads[1]);
    return "pipe failed";
  }
  int pid = fork();
  if(pid == 0){
    close(toparent[0]);
    if(thread_create(spawn_nested_and_spin, (void*)(uint64)fromthreads[1], 0) < 0)
      exit(1);
    // Both threads run once both pids have arrived.
    int tids[2];
    if(read(fromthreads[0], &tids[0], sizeof(int)) != sizeof(int) ||
       read(fromthreads[0], &tids[1], sizeof(int)) != sizeof(int))
      exit(1);
    write(toparent[1], tids, sizeof(tids));
    exit(5);
  }
  close(fromthreads[0]);
  close(fromthreads[1]);
  close(toparent[1]);
  if(pid < 0){
    close(toparent[0]);
    return "fork failed";
  }
  int tids[2] = { 0, 0 };
  int n = read(toparent[0], tids, sizeof(tids));
  close(toparent[0]);
  int status = 0;
  if(wait(&status) != pid)
    return "wait did not return the child";
  if(n != sizeof(tids))
    return "the threads did not start";
  if(status != 5)
    return "wrong exit status from the exiting main thread";
  if(kill(tids[0]) != -1 || kill(tids[1]) != -1)
    return "a thread outlived its process";
  return 0;
}

static int
test_exit_cleanup(void)
{
  char *why = exit_under_threads();
  EXPECT(why == 0, "%s", why);
  return 0;
}

// ---- TEST6: NPROC-3 threads at once ----

static volatile int started, go;

static void
wait_for_go(void *a, void *b)
{
  __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
  while(!go)
    sleep(1);
  exit(0);
}

static int
test_many_threads(void)
{
  int want = NPROC - 3, made = 0;
  started = 0;
  go = 0;
  while(made < want && thread_create(wait_for_go, 0, 0) > 0)
    made++;
  while(started < made)
    sleep(1);
  go = 1;
  int joined = 0;
  while(thread_join() > 0)
    joined++;
  EXPECT(made == want, "only %d of %d threads could be created", made, want);
  EXPECT(joined == made, "joined %d of %d threads", joined, made);
  return 0;
}

// ---- TEST7: TEST5 many times without leaks ----

// free_slots counts how many more processes can exist right now.
static int
free_slots(void)
{
  int p[2];
  if(pipe(p) < 0)
    return -1;
  int n = 0;
  for(;;){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0){
      char c;
      close(p[1]);
      read(p[0], &c, 1);   // until the parent closes the pipe
      exit(0);
    }
    n++;
  }
  close(p[0]);
  close(p[1]);
  for(int i = 0; i < n; i++)
    wait(0);
  return n;
}

// free_pages counts the free pages, as seen by a child that takes them all.
static int
free_pages(void)
{
  int p[2];
  if(pipe(p) < 0)
    return -1;
  int pid = fork();
  if(pid == 0){
    int n = 0;
    while(sbrk(1024*1024) != (char*)-1)
      n += 256;
    while(sbrk(PGSIZE) != (char*)-1)
      n++;
    write(p[1], &n, sizeof(n));
    exit(0);
  }
  int n = -1;
  if(pid > 0){
    read(p[0], &n, sizeof(n));
    wait(0);
  }
  close(p[0]);
  close(p[1]);
  return n;
}

static int
test_exit_cleanup_repeated(void)
{
  int slots = free_slots(), pages = free_pages();
  for(int i = 0; i < 100; i++){
    char *why = exit_under_threads();
    EXPECT(why == 0, "round %d: %s", i, why);
  }
  int slots2 = free_slots(), pages2 = free_pages();
  EXPECT(slots2 == slots, "%d free process slots before, %d after", slots, slots2);
  EXPECT(pages2 == pages, "%d free pages before, %d after", pages, pages2);
  return 0;
}

// ---- TEST8: the ticket lock ----

#define LOCK_THREADS 4
#define LOCK_ROUNDS 3000
static lock_t counter_lock;
static volatile int counter;

// A read-modify-write with a gap, so that an unlocked race would lose counts.
static void
bump(void)
{
  int v = counter;
  for(volatile int i = 0; i < 10; i++)
    ;
  counter = v + 1;
}

static void
count_with_lock(void *a, void *b)
{
  for(int i = 0; i < LOCK_ROUNDS; i++){
    lock_acquire(&counter_lock);
    bump();
    lock_release(&counter_lock);
  }
  exit(0);
}

static int
test_lock(void)
{
  lock_init(&counter_lock);
  counter = 0;
  for(int i = 0; i < LOCK_THREADS; i++)
    EXPECT(thread_create(count_with_lock, 0, 0) > 0, "thread_create failed");
  for(int i = 0; i < LOCK_THREADS; i++)
    EXPECT(thread_join() > 0, "thread_join failed");
  EXPECT(counter == LOCK_THREADS * LOCK_ROUNDS, "counter is %d, want %d",
         counter, LOCK_THREADS * LOCK_ROUNDS);
  return 0;
}

// ---- TEST9: bad stacks ----

static int
test_bad_stacks(void)
{
  char *block = malloc(3*PGSIZE);
  EXPECT(block != 0, "malloc failed");
  char *page = (char*)PGROUNDUP((uint64)block);
  EXPECT(clone(just_exit, 0, 0, page + 8) == -1, "clone accepted an unaligned stack");
  EXPECT(clone(just_exit, 0, 0, page + PGSIZE/2) == -1, "clone accepted a half-page-aligned stack");
  uint64 top = PGROUNDUP((uint64)sbrk(0));
  EXPECT(clone(just_exit, 0, 0, (void*)top) == -1, "clone accepted a stack past the end of memory");
  EXPECT(clone(just_exit, 0, 0, (void*)(top + 16*PGSIZE)) == -1, "clone accepted an unmapped stack");
  EXPECT(clone(just_exit, 0, 0, (void*)KERNBASE) == -1, "clone accepted a kernel address as stack");
  EXPECT(clone(just_exit, 0, 0, (void*)TRAPFRAME) == -1, "clone accepted the trapframe as stack");
  EXPECT(clone(just_exit, 0, 0, (void*)0xfffffffffffff000ULL) == -1, "clone accepted a stack at -4096");
  // A page that straddles the end of memory.
  char *end = sbrk(PGSIZE/2);
  EXPECT(end != (char*)-1, "sbrk failed");
  EXPECT(clone(just_exit, 0, 0, (void*)PGROUNDDOWN((uint64)end + PGSIZE/2)) == -1,
         "clone accepted a stack running past the end of memory");
  sbrk(-(PGSIZE/2));
  EXPECT(thread_join() == -1, "a failed clone left a thread to join");
  free(block);
  return 0;
}

// ---- TEST10: bad join pointer ----

static int
test_bad_join(void)
{
  int pid = thread_create(just_exit, 0, 0);
  EXPECT(pid > 0, "thread_create failed");
  EXPECT(join((void**)KERNBASE) == -1, "join into a kernel address did not fail");
  EXPECT(join((void**)0xfffffffffffffff0ULL) == -1, "join into an unmapped address did not fail");
  EXPECT(join((void**)(PGROUNDUP((uint64)sbrk(0)) + PGSIZE)) == -1,
         "join past the end of memory did not fail");
  EXPECT(thread_join() == pid, "the thread was lost after failed joins");
  return 0;
}

// ---- TEST11: wait and join see different things ----

static int
test_wait_vs_join(void)
{
  int child = fork();
  EXPECT(child >= 0, "fork failed");
  if(child == 0){
    sleep(2);
    exit(9);
  }
  void *stack;
  EXPECT(join(&stack) == -1, "join returned a child process");
  int status;
  EXPECT(wait(&status) == child && status == 9, "wait did not return the child");

  int t = thread_create(just_exit, 0, 0);
  EXPECT(t > 0, "thread_create failed");
  sleep(1);
  EXPECT(wait(0) == -1, "wait returned a thread");
  child = fork();
  EXPECT(child >= 0, "fork failed");
  if(child == 0)
    exit(4);
  EXPECT(thread_join() == t, "thread_join did not return the thread");
  EXPECT(wait(&status) == child && status == 4, "wait did not return the child");
  return 0;
}

// ---- TEST12: a thread that returns ----

static volatile int returned_ran;

static void
just_return(void *a, void *b)
{
  returned_ran = 1;
}

static int
test_fake_return(void)
{
  returned_ran = 0;
  int pid = thread_create(just_return, 0, 0);
  EXPECT(pid > 0, "thread_create failed");
  EXPECT(thread_join() == pid, "the returning thread could not be joined");
  EXPECT(returned_ran, "the thread never ran");
  return 0;
}

// ---- TEST13: a thread's file descriptors are its own ----

static volatile int thread_fd = -2;

static void
close_and_open(void *a, void *b)
{
  close((int)(uint64)a);
  thread_fd = open("tt-fd", O_CREATE|O_RDWR);
  exit(0);
}

static int
test_fds(void)
{
  int p[2];
  EXPECT(pipe(p) == 0, "pipe failed");
  int pid = thread_create(close_and_open, (void*)(uint64)p[1], 0);
  EXPECT(pid > 0, "thread_create failed");
  EXPECT(thread_join() == pid, "thread_join failed");
  EXPECT(write(p[1], "ok", 2) == 2, "closing the fd in a thread closed it in main");
  char buf[2];
  EXPECT(read(p[0], buf, 2) == 2 && buf[0] == 'o', "pipe broken");
  EXPECT(thread_fd >= 0, "thread could not open a file");
  EXPECT(write(thread_fd, "x", 1) == -1 || thread_fd == p[1],
         "a file opened by a thread appeared in main");
  close(p[0]);
  close(p[1]);
  unlink("tt-fd");
  return 0;
}

// ---- TEST14: exec from a thread ----

static void
exec_echo(void *a, void *b)
{
  char *argv[] = { "echo", "exec", "from", "thread", 0 };
  exec("echo", argv);
  exit(3);
}

static int
test_exec(void)
{
  int pid = fork();
  EXPECT(pid >= 0, "fork failed");
  if(pid == 0){
    close(1);
    if(open("tt-exec", O_CREATE|O_TRUNC|O_WRONLY) != 1)
      exit(2);
    if(thread_create(exec_echo, 0, 0) < 0)
      exit(2);
    for(;;)
      sleep(10);   // the exec ends this thread
  }
  int status = -5;
  EXPECT(wait(&status) == pid, "wait did not return the child");
  EXPECT(status == 0, "process exited with %d, want echo's 0", status);
  char buf[32];
  int fd = open("tt-exec", O_RDONLY);
  int n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
  close(fd);
  unlink("tt-exec");
  EXPECT(n == 17 && memcmp(buf, "exec from thread\n", 17) == 0, "echo's output is missing (%d bytes)", n);
  return 0;
}

// ---- TEST15: killing a thread kills its process ----

static int
test_kill_thread(void)
{
  int p[2];
  EXPECT(pipe(p) == 0, "pipe failed");
  int pid = fork();
  EXPECT(pid >= 0, "fork failed");
  if(pid == 0){
    close(p[0]);
    if(thread_create(write_pid_and_spin, (void*)(uint64)p[1], 0) < 0)
      exit(2);
    for(;;)
      sleep(10);
  }
  close(p[1]);
  int tid = 0;
  int n = read(p[0], &tid, sizeof(tid));
  close(p[0]);
  EXPECT(n == sizeof(tid) && tid > 0, "the thread did not start");
  EXPECT(kill(tid) == 0, "kill of the thread's pid failed");
  int status = 0;
  EXPECT(wait(&status) == pid, "wait did not return the process");
  EXPECT(status == -1, "process exited with %d, want -1 (killed)", status);
  EXPECT(kill(tid) == -1, "the thread outlived its process");
  return 0;
}

// ---- TEST16: the pthread-like layer ----

static umutex_t umutex;
static volatile int ucounter;

static void*
double_it(void *arg)
{
  for(int i = 0; i < 1000; i++){
    umutex_lock(&umutex);
    ucounter++;
    umutex_unlock(&umutex);
  }
  if((uint64)arg == 3)
    uthread_exit((void*)(uint64)300);
  return (void*)((uint64)arg * 2);
}

static int
test_uthread(void)
{
  umutex_init(&umutex);
  ucounter = 0;
  uthread_t tids[4];
  for(int i = 0; i < 4; i++)
    EXPECT(uthread_create(&tids[i], double_it, (void*)(uint64)i) == 0, "uthread_create failed");
  for(int i = 3; i >= 0; i--){
    void *ret = 0;
    EXPECT(uthread_join(tids[i], &ret) == 0, "uthread_join(%d) failed", tids[i]);
    uint64 want = i == 3 ? 300 : i * 2;
    EXPECT((uint64)ret == want, "thread %d returned %d, want %d", i, (int)(uint64)ret, (int)want);
  }
  EXPECT(uthread_join(tids[0], 0) == -1, "joined a thread twice");
  EXPECT(ucounter == 4000, "counter under umutex is %d, want 4000", ucounter);
  EXPECT(umutex_trylock(&umutex) == 0, "trylock of a free mutex failed");
  EXPECT(umutex_trylock(&umutex) == -1, "trylock of a held mutex succeeded");
  umutex_unlock(&umutex);
  EXPECT(uthread_self() == getpid(), "uthread_self is not the pid");
  return 0;
}

// ---- TEST17: the test-and-set spin lock ----

static uspinlock_t spin;

static void
count_with_spin(void *a, void *b)
{
  for(int i = 0; i < LOCK_ROUNDS; i++){
    uspin_acquire(&spin);
    bump();
    uspin_release(&spin);
  }
  exit(0);
}

static int
test_spinlock(void)
{
  uspin_init(&spin);
  counter = 0;
  for(int i = 0; i < LOCK_THREADS; i++)
    EXPECT(thread_create(count_with_spin, 0, 0) > 0, "thread_create failed");
  for(int i = 0; i < LOCK_THREADS; i++)
    EXPECT(thread_join() > 0, "thread_join failed");
  EXPECT(counter == LOCK_THREADS * LOCK_ROUNDS, "counter is %d, want %d",
         counter, LOCK_THREADS * LOCK_ROUNDS);
  return 0;
}

// ---- TEST18: malloc from several threads ----

static volatile int malloc_errors;

static void
malloc_churn(void *a, void *b)
{
  int id = (int)(uint64)a;
  char *blocks[16];
  for(int round = 0; round < 200; round++){
    for(int i = 0; i < 16; i++){
      int n = 16 + (round * 7 + i * 13 + id) % 700;
      blocks[i] = malloc(n);
      if(blocks[i] == 0){
        __atomic_fetch_add(&malloc_errors, 1, __ATOMIC_SEQ_CST);
        exit(0);
      }
      memset(blocks[i], id + i, n);
      blocks[i][n-1] = id + i;
    }
    for(int i = 0; i < 16; i++){
      if(blocks[i][0] != (char)(id + i))
        __atomic_fetch_add(&malloc_errors, 1, __ATOMIC_SEQ_CST);
      free(blocks[i]);
    }
  }
  exit(0);
}

static int
test_malloc(void)
{
  malloc_errors = 0;
  for(int i = 0; i < 4; i++)
    EXPECT(thread_create(malloc_churn, (void*)(uint64)(i * 16), 0) > 0, "thread_create failed");
  for(int i = 0; i < 4; i++)
    EXPECT(thread_join() > 0, "thread_join failed");
  EXPECT(malloc_errors == 0, "%d blocks were corrupted or lost", malloc_errors);
  return 0;
}

// ---- TEST19: memory grown by a thread is seen by all ----

static char * volatile grown;

static void
grow_one_page(void *a, void *b)
{
  char *p = sbrk(PGSIZE);
  if(p != (char*)-1)
    p[100] = 'g';
  grown = p;
  exit(0);
}

static int
test_shared_sbrk(void)
{
  grown = 0;
  int pid = thread_create(grow_one_page, 0, 0);
  EXPECT(pid > 0 && thread_join() == pid, "thread failed");
  EXPECT(grown != 0 && grown != (char*)-1, "sbrk in a thread failed");
  EXPECT(grown[100] == 'g', "main does not see the thread's new memory");
  EXPECT((char*)sbrk(0) >= grown + PGSIZE, "main's break does not include the thread's sbrk");
  return 0;
}

// ---- TEST20: join reports the stack given to clone ----

static int
test_join_stack(void)
{
  char *stack = sbrk(2*PGSIZE);
  EXPECT(stack != (char*)-1, "sbrk failed");
  stack = (char*)PGROUNDUP((uint64)stack);
  int pid = clone(just_exit, 0, 0, stack);
  EXPECT(pid > 0, "clone failed");
  void *got = 0;
  EXPECT(join(&got) == pid, "join did not return the thread's pid");
  EXPECT(got == stack, "join reported stack %p, clone was given %p", got, stack);
  // thread_join must not free a stack that thread_create did not allocate.
  pid = clone(just_exit, 0, 0, stack);
  EXPECT(pid > 0, "clone failed");
  EXPECT(thread_join() == pid, "thread_join of a clone'd thread failed");
  char *m = malloc(100);
  EXPECT(m != 0 && (m < stack || m >= stack + PGSIZE), "the heap took over the clone stack");
  free(m);
  return 0;
}

// ---- TEST21: memory one thread gives back is gone for all ----

static char * volatile shrink_page;
static volatile int reading, stop_reading, survived;

// read_until_stopped keeps reading a page that main then frees; the read
// after the free must fault and end this thread (on another hart too,
// which needs the kernel to flush that hart's TLB).
static void
read_until_stopped(void *a, void *b)
{
  while(shrink_page == 0)
    ;
  int sum = 0;
  reading = 1;
  while(!stop_reading)
    sum += shrink_page[0];
  survived = 1;
  exit(sum & 1);
}

static int
test_shrink_under_reader(void)
{
  shrink_page = 0;
  reading = stop_reading = survived = 0;
  int tid = thread_create(read_until_stopped, 0, 0);
  EXPECT(tid > 0, "thread_create failed");
  // Start p on a page boundary, so that giving it back unmaps its page.
  uint64 sz = (uint64)sbrk(0);
  sbrk(PGROUNDUP(sz) - sz);
  char *p = sbrk(PGSIZE);
  EXPECT(p != (char*)-1 && (uint64)p % PGSIZE == 0, "sbrk failed");
  p[0] = 1;
  shrink_page = p;
  while(!reading)
    sleep(1);
  EXPECT(sbrk(-PGSIZE) == p + PGSIZE, "negative sbrk failed");
  sleep(2);
  stop_reading = 1;
  EXPECT(thread_join() == tid, "thread_join failed");
  EXPECT(!survived, "a thread kept reading memory after sbrk gave it back");
  return 0;
}

// ---- the table ----

static int (*tests[])(void) = {
  0,
  test_pids,                  // 1
  test_args,                  // 2
  test_fork_threads,          // 3
  test_sbrk,                  // 4
  test_exit_cleanup,          // 5
  test_many_threads,          // 6
  test_exit_cleanup_repeated, // 7
  test_lock,                  // 8
  test_bad_stacks,            // 9
  test_bad_join,              // 10
  test_wait_vs_join,          // 11
  test_fake_return,           // 12
  test_fds,                   // 13
  test_exec,                  // 14
  test_kill_thread,           // 15
  test_uthread,               // 16
  test_spinlock,              // 17
  test_malloc,                // 18
  test_shared_sbrk,           // 19
  test_join_stack,            // 20
  test_shrink_under_reader,   // 21
};

#define NTESTS ((int)(sizeof(tests)/sizeof(tests[0])) - 1)

static int
run(int n)
{
  curtest = n;
  if(tests[n]() == 0){
    printf("TEST%d PASSED\n", n);
    return 1;
  }
  // Reap what the failed test left behind, so the next one starts clean.
  while(thread_join() > 0)
    ;
  while(wait(0) > 0)
    ;
  return 0;
}

int
main(int argc, char *argv[])
{
  if(argc > 1){
    int n = atoi(argv[1]);
    if(argc > 2 || n < 1 || n > NTESTS){
      fprintf(2, "usage: threadtest [1-%d]\n", NTESTS);
      exit(1);
    }
    exit(run(n) ? 0 : 1);
  }
  int failed = 0;
  for(int n = 1; n <= NTESTS; n++)
    failed += !run(n);
  if(failed){
    printf("%d THREAD TESTS FAILED\n", failed);
    exit(1);
  }
  printf("ALL THREAD TESTS PASSED\n");
  exit(0);
}
