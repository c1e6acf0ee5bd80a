// usertests: our test suite for the kernel, run from the shell.
//
//   usertests         every test, then a check that no memory leaked
//   usertests -q      the quick subset
//   usertests -s K/N  shard K of N (0 <= K < N): a share of the tests of
//                     about equal length (by the table's costs), in table
//                     order, with the same leak check and last line, so N
//                     machines can run the suite at once (`xv6emu compare`
//                     does; a grader runs it whole)
//   usertests NAME    one test
//
// Each test runs in its own child process and prints "test NAME: OK" or
// "test NAME: FAILED" (after a line saying why). The last line is
// "ALL TESTS PASSED" only if every test passed. Tests create their files in
// the current directory under names starting with their own name.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/syscall.h"
#include "user/user.h"

static char *testname;
static char buf[8192];

// CHECK stops the test with a message when cond is false.
#define CHECK(cond, ...) do { \
    if(!(cond)){ \
      printf("\n%s (line %d): ", testname, __LINE__); \
      printf(__VA_ARGS__); \
      printf("\n"); \
      exit(1); \
    } \
  } while(0)

// ---- helpers ----

static int
xfork(void)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  return pid;
}

static int
xwait(int pid)
{
  int status;
  int got = wait(&status);
  CHECK(got == pid, "wait returned %d, want %d", got, pid);
  return status;
}

static void
writefile(const char *name, const void *data, int n)
{
  int fd = open(name, O_CREATE|O_TRUNC|O_WRONLY);
  CHECK(fd >= 0, "cannot create %s", name);
  CHECK(write(fd, data, n) == n, "write %s failed", name);
  close(fd);
}

// readfile reads up to max bytes of name into dst and returns the count.
static int
readfile(const char *name, void *dst, int max)
{
  int fd = open(name, O_RDONLY);
  CHECK(fd >= 0, "cannot open %s", name);
  int total = 0, n;
  while(total < max && (n = read(fd, (char*)dst + total, max - total)) > 0)
    total += n;
  close(fd);
  return total;
}

#ifdef __i386__
static uint64
stack_pointer(void)
{
  uint sp;
  asm volatile("movl %%esp, %0" : "=r"(sp));
  return sp;
}

// syscall6 makes system call num directly, for numbers usys.S lacks:
// number in eax, arguments on the stack above a return address slot.
static long
syscall6(long num, long a0, long a1)
{
  long r;
  asm volatile("pushl %3; pushl %2; pushl $0; int $64; addl $12, %%esp"
               : "=a"(r) : "0"(num), "r"(a0), "r"(a1) : "memory");
  return r;
}
#else
static uint64
stack_pointer(void)
{
  uint64 sp;
  asm volatile("mv %0, sp" : "=r"(sp));
  return sp;
}

// syscall6 makes system call num directly, for numbers usys.S lacks.
static long
syscall6(long num, long a0, long a1)
{
  register long r_a0 asm("a0") = a0;
  register long r_a1 asm("a1") = a1;
  register long r_a7 asm("a7") = num;
  asm volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
  return r_a0;
}
#endif

// expect_killed forks a child that loads from (write == 0) or stores to
// addr; the kernel must kill it (exit status -1).
static void
expect_killed(uint64 addr, int write)
{
  int pid = xfork();
  if(pid == 0){
    volatile char *p = (volatile char*)addr;
    if(write)
      *p = 42;
    else
      buf[0] = *p;
    exit(0);
  }
  int status = xwait(pid);
  CHECK(status == -1, "%s %p from user mode: exit status %d, want -1 (killed)",
        write ? "store to" : "load from", (void*)addr, status);
}

// Addresses a user program may neither read nor write.
static uint64
unmapped_addrs(uint64 *a)
{
  int n = 0;
  a[n++] = KERNBASE;
  a[n++] = KERNBASE + 0x10000;
  a[n++] = PHYSTOP - 1;
  a[n++] = TRAMPOLINE;
  a[n++] = TRAPFRAME;
  if(sizeof(void*) == 8){      // with 32-bit pointers the top is covered below
    a[n++] = MAXVA - 1;
    a[n++] = MAXVA;
  }
  a[n++] = 0xffffffffffffffffULL;
  a[n++] = PGROUNDUP((uint64)sbrk(0)) + PGSIZE;     // past the heap
  a[n++] = PGROUNDDOWN(stack_pointer()) - PGSIZE;   // the stack guard page
  return n;
}

// ---- processes ----

static void
exitwait(void)
{
  for(int i = 0; i < 100; i++){
    int pid = xfork();
    if(pid == 0)
      exit(i);
    int status = xwait(pid);
    CHECK(status == i, "exit(%d) gave status %d", i, status);
  }
  int pid = xfork();
  if(pid == 0)
    exit(-7);
  CHECK(xwait(pid) == -7, "negative exit status lost");
  pid = xfork();
  if(pid == 0)
    exit(0);
  CHECK(wait(0) == pid, "wait(0) with a null status pointer failed");
}

static void
waitnochild(void)
{
  CHECK(wait(0) == -1, "wait without children did not return -1");
}

static void
getpidtest(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  int me = getpid();
  int pid = xfork();
  if(pid == 0){
    int mine = getpid();
    write(p[1], &mine, sizeof(mine));
    exit(0);
  }
  int child = 0;
  CHECK(read(p[0], &child, sizeof(child)) == sizeof(child), "pipe read failed");
  xwait(pid);
  CHECK(child == pid, "fork returned %d but the child's getpid is %d", pid, child);
  CHECK(child != me && getpid() == me, "pids are not distinct");
}

// forkmany: several processes fork and wait at the same time.
static void
forkmany(void)
{
  for(int i = 0; i < 4; i++){
    if(xfork() == 0){
      for(int j = 0; j < 50; j++){
        int pid = xfork();
        if(pid == 0)
          exit(j);
        CHECK(xwait(pid) == j, "child status lost");
      }
      exit(0);
    }
  }
  for(int i = 0; i < 4; i++){
    int status;
    CHECK(wait(&status) > 0 && status == 0, "a forking child failed");
  }
}

// forkfull: fork until the process table is full; fork must fail before
// NPROC children and work again once they are reaped.
static void
forkfull(void)
{
  int n;
  for(n = 0; n < NPROC; n++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0)
      exit(0);
  }
  CHECK(n < NPROC, "%d forks all succeeded", n);
  CHECK(n > NPROC / 2, "only %d forks succeeded", n);
  for(int i = 0; i < n; i++)
    CHECK(wait(0) > 0, "wait %d of %d failed", i, n);
  CHECK(wait(0) == -1, "an extra child appeared");
  int pid = xfork();
  if(pid == 0)
    exit(0);
  xwait(pid);
}

// forkbomb: every process forks two children until fork fails, then
// waits for them; the tree is bounded by NPROC and must wind down.
static void
forkbomb(void)
{
  int depth = 0;
  for(;;){
    int a = fork();
    if(a == 0){
      if(++depth < 12)
        continue;
      exit(0);
    }
    int b = a > 0 ? fork() : -1;
    if(b == 0){
      if(++depth < 12)
        continue;
      exit(0);
    }
    if(a > 0)
      wait(0);
    if(b > 0)
      wait(0);
    if(depth > 0)
      exit(0);
    break;
  }
  CHECK(wait(0) == -1, "children left after the fork bomb");
  int pid = xfork();
  if(pid == 0)
    exit(0);
  xwait(pid);
}

// reparent: orphans go to init; the parent's wait sees only its child.
static void
reparent(void)
{
  for(int i = 0; i < 100; i++){
    int pid = xfork();
    if(pid == 0){
      if(fork() < 0)
        exit(1);
      exit(0);
    }
    CHECK(xwait(pid) == 0, "child could not fork");
  }
  CHECK(wait(0) == -1, "a grandchild was reaped by its grandparent");
}

static int
spawn_spinner(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  int pid = xfork();
  if(pid == 0){
    close(p[0]);
    write(p[1], "x", 1);
    for(;;)
      ;
  }
  close(p[1]);
  char c;
  CHECK(read(p[0], &c, 1) == 1, "spinner did not start");
  close(p[0]);
  return pid;
}

static void
killspin(void)
{
  int pid = spawn_spinner();
  CHECK(kill(pid) == 0, "kill failed");
  CHECK(xwait(pid) == -1, "killed process did not exit with -1");
  CHECK(kill(pid) == -1, "kill of a reaped pid succeeded");
  CHECK(kill(123456) == -1, "kill of a nonexistent pid succeeded");
}

static void
killsleep(void)
{
  int pid = xfork();
  if(pid == 0){
    sleep(1000000);
    exit(0);
  }
  sleep(1);
  int t0 = uptime();
  CHECK(kill(pid) == 0, "kill failed");
  int status = xwait(pid);
  CHECK(status == -1, "sleeping process killed, status %d", status);
  CHECK(uptime() - t0 < 100, "killed sleeper took %d ticks to die", uptime() - t0);
}

static void
killpipe(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  int pid = xfork();
  if(pid == 0){
    char c;
    read(p[0], &c, 1);   // blocks: the parent never writes
    exit(0);
  }
  sleep(1);
  CHECK(kill(pid) == 0, "kill failed");
  CHECK(xwait(pid) == -1, "process blocked on a pipe was not killed");
  close(p[0]);
  close(p[1]);
}

// preempt: spinning children must not starve the parent (timer preemption).
static void
preempt(void)
{
  int pids[3];
  for(int i = 0; i < 3; i++)
    pids[i] = spawn_spinner();
  for(int i = 0; i < 3; i++)
    CHECK(kill(pids[i]) == 0, "kill failed");
  for(int i = 0; i < 3; i++)
    CHECK(wait(0) > 0, "wait failed");
}

static void
sleeptest(void)
{
  int t0 = uptime();
  CHECK(sleep(3) == 0, "sleep failed");
  int t1 = uptime();
  CHECK(t1 - t0 >= 3, "sleep(3) returned after %d ticks", t1 - t0);
  CHECK(sleep(0) == 0, "sleep(0) failed");
}

static void
badsyscall(void)
{
  CHECK(syscall6(1000, 0, 0) == -1, "system call 1000 did not return -1");
  CHECK(syscall6(-1, 0, 0) == -1, "system call -1 did not return -1");
  CHECK(syscall6(0, 0, 0) == -1, "system call 0 did not return -1");
  CHECK(syscall6(SYS_getpid, 0, 0) == getpid(), "getpid by number failed");
}

// ---- memory ----

static void
sbrkbasic(void)
{
  char *a = sbrk(0);
  for(int i = 0; i < 1000; i++){
    char *b = sbrk(1);
    CHECK(b == a, "sbrk(1) returned %p, want %p", b, a);
    *b = i;
    a = b + 1;
  }
  CHECK(sbrk(0) == a, "break moved");
  int pid = xfork();
  if(pid == 0){
    CHECK(sbrk(0) == a, "child's break differs");
    CHECK(a[-1] == (char)999, "child lost heap contents");
    exit(0);
  }
  xwait(pid);
  CHECK(sbrk(-1000) == a, "negative sbrk returned the wrong old break");
  CHECK(sbrk(0) == a - 1000, "negative sbrk did not move the break");
}

// sbrkmuch: grow by megabytes, touch every page, check that fresh memory
// is zeroed, shrink back.
static void
sbrkmuch(void)
{
  const int big = 16*1024*1024;
  char *a = sbrk(0);
  char *p = sbrk(big);
  CHECK(p == a, "sbrk(%d) failed", big);
  for(char *q = p; q < p + big; q += PGSIZE){
    CHECK(*q == 0, "fresh memory at %p is not zeroed", q);
    *q = 1;
  }
  p[big - 1] = 1;
  CHECK(sbrk(-big) == a + big, "shrink failed");
  CHECK(sbrk(0) == a, "break did not return");
  p = sbrk(PGSIZE);
  CHECK(p == a && p[0] == 0, "memory given again is not zeroed");
}

// sbrkneg: memory given back with a negative sbrk must be unmapped.
static void
sbrkneg(void)
{
  char *a = sbrk(4*PGSIZE);
  CHECK(a != (char*)-1, "sbrk failed");
  a = (char*)PGROUNDUP((uint64)a);
  a[0] = 1;
  char *top = sbrk(0);
  CHECK(sbrk(-(top - a)) == top, "negative sbrk failed");
  expect_killed((uint64)a, 0);
  expect_killed((uint64)a, 1);
  // Shrinking below address 0 must fail and change nothing.
  top = sbrk(0);
  CHECK(sbrk(-((int)(uint64)top + PGSIZE)) == (char*)-1, "sbrk below 0 succeeded");
  CHECK(sbrk(0) == top, "failed sbrk moved the break");
}

// sbrktop: a request bigger than memory fails and changes nothing.
static void
sbrktop(void)
{
  char *top = sbrk(0);
  CHECK(sbrk(0x7fffffff) == (char*)-1, "sbrk(2 GB) succeeded on a 128 MB machine");
  CHECK(sbrk(0) == top, "failed sbrk moved the break");
  CHECK(sbrk(1 << 30) == (char*)-1, "sbrk(1 GB) succeeded");
  CHECK(sbrk(0) == top, "failed sbrk moved the break");
  char *p = sbrk(PGSIZE);
  CHECK(p == top, "sbrk after failures broken");
  p[0] = 1;
}

static void
sbrkfork(void)
{
  char *a = sbrk(3*PGSIZE);
  CHECK(a != (char*)-1, "sbrk failed");
  memset(a, 'p', 3*PGSIZE);
  int pid = xfork();
  if(pid == 0){
    for(int i = 0; i < 3*PGSIZE; i++)
      CHECK(a[i] == 'p', "child sees a[%d] = %d", i, a[i]);
    memset(a, 'c', 3*PGSIZE);
    exit(0);
  }
  xwait(pid);
  for(int i = 0; i < 3*PGSIZE; i++)
    CHECK(a[i] == 'p', "child's write reached the parent at a[%d]", i);
}

// sbrkarg: the kernel reads and writes heap memory given to system calls.
static void
sbrkarg(void)
{
  char *a = sbrk(2*PGSIZE);
  CHECK(a != (char*)-1, "sbrk failed");
  memset(a, 'z', 2*PGSIZE);
  writefile("sbrkarg", a, 2*PGSIZE);
  memset(a, 0, 2*PGSIZE);
  CHECK(readfile("sbrkarg", a, 2*PGSIZE) == 2*PGSIZE, "short read");
  CHECK(a[0] == 'z' && a[2*PGSIZE-1] == 'z', "data lost");
  CHECK(pipe((int*)(a + PGSIZE - 4)) == 0, "pipe() into a page-straddling heap address failed");
  unlink("sbrkarg");
}

// outofmemory: take every page, then check that the kernel refuses
// gracefully and that malloc reports failure.
static void
outofmemory(void)
{
  int pid = xfork();
  if(pid == 0){
    while(sbrk(1024*1024) != (char*)-1)
      ;
    while(sbrk(PGSIZE) != (char*)-1)
      ;
    int c = fork();   // may fail for lack of memory; must not crash
    if(c == 0)
      exit(0);
    if(c > 0)
      wait(0);
    int p[2];
    if(pipe(p) == 0){
      close(p[0]);
      close(p[1]);
    }
    exit(0);
  }
  CHECK(xwait(pid) == 0, "process that exhausted memory failed");

  pid = xfork();
  if(pid == 0){
    void **list = 0;
    int n = 0;
    void **m;
    while((m = malloc(4096)) != 0){
      *m = list;
      list = m;
      n++;
    }
    CHECK(n > 1000, "malloc failed after %d blocks", n);
    while(list){
      m = *list;
      free(list);
      list = m;
    }
    CHECK(malloc(100000) != 0, "malloc after free failed");
    exit(0);
  }
  CHECK(xwait(pid) == 0, "malloc exhaustion failed");
}

// badaccess: loads and stores to addresses the user may not touch kill.
static void
badaccess(void)
{
  uint64 addrs[16];
  int n = unmapped_addrs(addrs);
  for(int i = 0; i < n; i++){
    expect_killed(addrs[i], 0);
    expect_killed(addrs[i], 1);
  }
}

// textwrite: program text is mapped read-only.
static void
textwrite(void)
{
  expect_killed((uint64)&textwrite, 1);
  expect_killed(0, 1);
}

// badptr: every system call that takes a pointer returns -1 for one the
// process may not use, and the process carries on.
static void
badptr(void)
{
  uint64 bad[16];
  int nbad = unmapped_addrs(bad);
  // The kernel may read but not write program text.
  uint64 text = (uint64)&badptr;

  writefile("badptr", "0123456789", 10);
  int fd = open("badptr", O_RDWR);
  CHECK(fd >= 0, "open failed");
  char *argv[] = { "echo", 0, 0 };

  for(int i = 0; i <= nbad; i++){
    int kernel_may_read = i == nbad;
    uint64 a = kernel_may_read ? text : bad[i];
    void *p = (void*)a;

    CHECK(read(fd, p, 10) == -1, "read into %p did not fail", p);
    CHECK(pipe(p) == -1, "pipe(%p) did not fail", p);
    CHECK(fstat(fd, p) == -1, "fstat(fd, %p) did not fail", p);
    int pid = xfork();
    if(pid == 0)
      exit(3);
    CHECK(wait(p) == -1, "wait(%p) did not fail", p);
    CHECK(xwait(pid) == 3, "child lost after a failed wait");
    CHECK(join(p) == -1, "join(%p) did not fail", p);
    if(kernel_may_read)
      break;

    CHECK(write(fd, p, 10) == -1, "write from %p did not fail", p);
    CHECK(open(p, O_RDONLY) == -1, "open(%p) did not fail", p);
    CHECK(open(p, O_CREATE|O_RDWR) == -1, "open(%p, O_CREATE) did not fail", p);
    CHECK(mknod(p, 1, 0) == -1, "mknod(%p) did not fail", p);
    CHECK(unlink(p) == -1, "unlink(%p) did not fail", p);
    CHECK(link(p, "badptr2") == -1, "link(%p, ...) did not fail", p);
    CHECK(link("badptr", p) == -1, "link(..., %p) did not fail", p);
    CHECK(mkdir(p) == -1, "mkdir(%p) did not fail", p);
    CHECK(chdir(p) == -1, "chdir(%p) did not fail", p);
    CHECK(exec(p, argv) == -1, "exec(%p) did not fail", p);
    CHECK(exec("echo", p) == -1, "exec with argv %p did not fail", p);
    argv[1] = p;
    CHECK(exec("echo", argv) == -1, "exec with argv[1] = %p did not fail", p);
    argv[1] = 0;
    CHECK(clone((void(*)(void*, void*))p, 0, 0, (void*)PGROUNDDOWN(a)) == -1,
          "clone with stack %p did not fail", PGROUNDDOWN(a));
  }
  close(fd);
  CHECK(readfile("badptr", buf, 100) == 10 && memcmp(buf, "0123456789", 10) == 0,
        "file changed by failed calls");
  unlink("badptr");
}

// badargs: nonsense counts, pids, paths and device numbers are refused
// without harm.
static void
badargs(void)
{
  writefile("badargs", "0123456789", 10);
  int fd = open("badargs", O_RDWR);
  CHECK(fd >= 0, "open failed");
  CHECK(read(fd, buf, -1) <= 0, "read of -1 bytes returned data");
  CHECK(write(fd, buf, -1) <= 0, "write of -1 bytes wrote");
  CHECK(read(fd, buf, 0) == 0 && write(fd, buf, 0) == 0, "zero-length transfers failed");
  close(fd);
  CHECK(readfile("badargs", buf, 100) == 10, "file changed");
  unlink("badargs");

  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  CHECK(write(p[1], buf, -1) <= 0, "pipe write of -1 bytes");
  close(p[1]);
  CHECK(read(p[0], buf, -1) <= 0, "pipe read of -1 bytes returned data");
  close(p[0]);

  CHECK(kill(0) == -1 && kill(-1) == -1, "kill of pid 0 or -1 worked");
  CHECK(sleep(-5) >= -1, "sleep(-5) did not return");

  static char longpath[MAXPATH + 50];
  memset(longpath, 'a', sizeof(longpath) - 1);
  CHECK(open(longpath, O_CREATE|O_RDWR) == -1, "opened a path longer than MAXPATH");
  CHECK(mkdir(longpath) == -1, "made a directory with a path longer than MAXPATH");
  char *argv[] = { "echo", 0 };
  CHECK(exec(longpath, argv) == -1 && exec("", argv) == -1, "exec of a bad path worked");

  // A device node whose major has no driver, or is out of range.
  CHECK(mknod("badargs-dev", 5, 0) == 0, "mknod failed");
  fd = open("badargs-dev", O_RDWR);
  if(fd >= 0){
    CHECK(read(fd, buf, 1) == -1 && write(fd, "x", 1) == -1, "driverless device did I/O");
    close(fd);
  }
  unlink("badargs-dev");
  CHECK(mknod("badargs-dev", NDEV + 5, 0) == 0, "mknod failed");
  CHECK(open("badargs-dev", O_RDWR) == -1, "opened a device with major %d >= NDEV", NDEV + 5);
  unlink("badargs-dev");
  CHECK(mknod("badargs-dev", -3, 0) == 0, "mknod failed");
  CHECK(open("badargs-dev", O_RDWR) == -1, "opened a device with a negative major");
  unlink("badargs-dev");
}

// ---- files ----

static void
createdelete(void)
{
  char name[] = "cd00";
  for(int i = 0; i < 20; i++){
    name[2] = '0' + i / 10;
    name[3] = '0' + i % 10;
    writefile(name, name, 4);
  }
  for(int i = 0; i < 20; i++){
    name[2] = '0' + i / 10;
    name[3] = '0' + i % 10;
    char got[8];
    CHECK(readfile(name, got, 8) == 4 && memcmp(got, name, 4) == 0, "%s has wrong content", name);
    CHECK(unlink(name) == 0, "unlink %s failed", name);
    CHECK(open(name, O_RDONLY) == -1, "%s still there after unlink", name);
  }
}

static void
openmodes(void)
{
  writefile("om", "hello", 5);
  int fd = open("om", O_RDONLY);
  CHECK(fd >= 0, "open failed");
  CHECK(write(fd, "x", 1) == -1, "write to an O_RDONLY fd worked");
  close(fd);
  fd = open("om", O_WRONLY);
  CHECK(read(fd, buf, 1) == -1, "read from an O_WRONLY fd worked");
  close(fd);
  fd = open("om", O_CREATE|O_RDWR);
  CHECK(fd >= 0 && read(fd, buf, 10) == 5, "O_CREATE of an existing file lost its data");
  close(fd);
  fd = open("om", O_TRUNC|O_RDWR);
  struct stat st;
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.size == 0, "O_TRUNC did not truncate");
  close(fd);
  CHECK(open("om-nonexistent", O_RDONLY) == -1, "opened a nonexistent file");
  // Stricter than classic xv6, which opens the current directory for "".
  CHECK(open("", O_RDONLY) == -1, "opened an empty path");
  unlink("om");
}

static void
truncate(void)
{
  writefile("tr", "1234567890", 10);
  int fd1 = open("tr", O_RDONLY);
  CHECK(read(fd1, buf, 10) == 10, "read failed");
  int fd2 = open("tr", O_WRONLY|O_TRUNC);
  CHECK(fd2 >= 0, "open O_TRUNC failed");
  CHECK(read(fd1, buf, 10) == 0, "read past the truncated end returned data");
  CHECK(write(fd2, "ab", 2) == 2, "write failed");
  CHECK(readfile("tr", buf, 100) == 2 && buf[0] == 'a' && buf[1] == 'b', "content after truncation wrong");
  close(fd1);
  close(fd2);
  unlink("tr");
}

// bigwrite: writes and reads of awkward sizes that straddle blocks.
static void
bigwrite(void)
{
  static char data[8192];
  int sizes[] = { 1, 499, 1023, 1024, 1025, 3*1024+1, 8000, 8192 };
  for(int i = 0; i < sizeof(sizes)/sizeof(sizes[0]); i++){
    int n = sizes[i];
    for(int j = 0; j < n; j++)
      data[j] = j * 7 + i;
    int fd = open("bw", O_CREATE|O_TRUNC|O_RDWR);
    CHECK(fd >= 0, "create failed");
    CHECK(write(fd, data, n) == n && write(fd, data, n) == n, "write of %d bytes failed", n);
    close(fd);
    fd = open("bw", O_RDONLY);
    for(int k = 0; k < 2; k++){
      int got = 0, r;
      while(got < n && (r = read(fd, buf + got, n - got)) > 0)
        got += r;
      CHECK(got == n && memcmp(buf, data, n) == 0, "size %d copy %d reads back wrong", n, k);
    }
    CHECK(read(fd, buf, 1) == 0, "data past the end");
    close(fd);
  }
  unlink("bw");
}

// bigfile: a file of MAXFILE blocks, using every direct and indirect slot;
// one more byte must not fit.
static void
bigfile(void)
{
  int fd = open("bigfile", O_CREATE|O_TRUNC|O_RDWR);
  CHECK(fd >= 0, "create failed");
  for(int b = 0; b < MAXFILE; b++){
    memset(buf, 0, BSIZE);
    ((int*)buf)[0] = b;
    ((int*)buf)[BSIZE/4 - 1] = ~b;
    CHECK(write(fd, buf, BSIZE) == BSIZE, "write of block %d failed", b);
  }
  CHECK(write(fd, "x", 1) != 1, "wrote past MAXFILE blocks");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == MAXFILE*BSIZE, "size %ld, want %d", st.size, MAXFILE*BSIZE);
  close(fd);
  fd = open("bigfile", O_RDONLY);
  for(int b = 0; b < MAXFILE; b++){
    CHECK(read(fd, buf, BSIZE) == BSIZE, "read of block %d failed", b);
    CHECK(((int*)buf)[0] == b && ((int*)buf)[BSIZE/4 - 1] == ~b, "block %d reads back wrong", b);
  }
  CHECK(read(fd, buf, BSIZE) == 0, "data past the end");
  close(fd);
  CHECK(unlink("bigfile") == 0, "unlink failed");
}

// diskreuse: writing and deleting more data than the disk holds only works
// if unlink frees the blocks.
static void
diskreuse(void)
{
  memset(buf, 'd', BSIZE);
  for(int round = 0; round < 12; round++){
    int fd = open("diskreuse", O_CREATE|O_TRUNC|O_WRONLY);
    CHECK(fd >= 0, "create failed in round %d", round);
    for(int b = 0; b < 100; b++)
      CHECK(write(fd, buf, BSIZE) == BSIZE, "disk full in round %d: blocks leak", round);
    close(fd);
    CHECK(unlink("diskreuse") == 0, "unlink failed");
  }
}

// manyfiles: 100 files in one directory, twice (more than the free inodes,
// so inodes must be freed).
static void
manyfiles(void)
{
  CHECK(mkdir("mfdir") == 0 && chdir("mfdir") == 0, "mkdir failed");
  char name[] = "f00";
  for(int round = 0; round < 2; round++){
    for(int i = 0; i < 100; i++){
      name[1] = '0' + i / 10;
      name[2] = '0' + i % 10;
      writefile(name, name, 3);
    }
    int fd = open(".", O_RDONLY);
    struct dirent de;
    int n = 0;
    while(read(fd, &de, sizeof(de)) == sizeof(de))
      if(de.inum != 0)
        n++;
    close(fd);
    CHECK(n == 102, "directory has %d entries, want 102", n);
    for(int i = 0; i < 100; i++){
      name[1] = '0' + i / 10;
      name[2] = '0' + i % 10;
      char got[4];
      CHECK(readfile(name, got, 4) == 3 && memcmp(got, name, 3) == 0, "%s wrong", name);
      CHECK(unlink(name) == 0, "unlink %s failed", name);
    }
  }
  CHECK(chdir("..") == 0 && unlink("mfdir") == 0, "cleanup failed");
}

// concreate: four processes create, open and delete files in one directory
// at once: 30 names of their own each and 10 shared ones.
static void
concreate(void)
{
  char name[8];
  for(int p = 0; p < 4; p++){
    if(xfork() == 0){
      for(int i = 0; i < 40; i++){
        int shared = i >= 30;
        name[0] = 'C';
        name[1] = shared ? 's' : '0' + p;
        name[2] = '0' + (i % 30) / 10;
        name[3] = '0' + i % 10;
        name[4] = 0;
        int fd = open(name, O_CREATE|O_RDWR);
        CHECK(fd >= 0, "create %s failed", name);
        close(fd);
      }
      exit(0);
    }
  }
  for(int p = 0; p < 4; p++){
    int status;
    CHECK(wait(&status) > 0 && status == 0, "a creator failed");
  }
  int fd = open(".", O_RDONLY);
  struct dirent de;
  int n = 0;
  while(read(fd, &de, sizeof(de)) == sizeof(de))
    if(de.inum != 0 && de.name[0] == 'C' && strlen(de.name) == 4)
      n++;
  close(fd);
  CHECK(n == 4*30 + 10, "%d entries, want %d", n, 4*30 + 10);

  for(int p = 0; p < 2; p++){
    if(xfork() == 0){
      // Both delete every name; each unlink succeeds in exactly one.
      int ok = 0;
      for(int q = 0; q < 5; q++){
        for(int i = 0; i < 30; i++){
          if(q == 4 && i >= 10)
            break;
          name[0] = 'C';
          name[1] = q == 4 ? 's' : '0' + q;
          name[2] = '0' + i / 10;
          name[3] = '0' + i % 10;
          name[4] = 0;
          if(unlink(name) == 0)
            ok++;
        }
      }
      exit(ok);
    }
  }
  int s1 = 0, s2 = 0;
  wait(&s1);
  wait(&s2);
  CHECK(s1 + s2 == 4*30 + 10, "%d + %d unlinks succeeded, want %d", s1, s2, 4*30 + 10);
}

// unlinkopen: an unlinked file lives on while open, and its inode is freed
// on the last close (200 rounds exceed the free inodes otherwise).
static void
unlinkopen(void)
{
  for(int i = 0; i < 200; i++){
    int fd = open("uo", O_CREATE|O_RDWR);
    CHECK(fd >= 0, "create failed in round %d: inodes leak?", i);
    int fd2 = open("uo", O_RDONLY);
    CHECK(write(fd, "hello", 5) == 5, "write failed");
    CHECK(unlink("uo") == 0, "unlink failed");
    CHECK(open("uo", O_RDONLY) == -1, "file still visible");
    CHECK(write(fd, " world", 6) == 6, "write after unlink failed");
    CHECK(read(fd2, buf, 20) == 11 && memcmp(buf, "hello world", 11) == 0, "read after unlink failed");
    close(fd);
    close(fd2);
  }
}

static void
dirtest(void)
{
  CHECK(mkdir("dd") == 0, "mkdir failed");
  CHECK(mkdir("dd") == -1, "mkdir of an existing name worked");
  writefile("dd/ff", "ff", 2);
  CHECK(chdir("dd") == 0, "chdir failed");
  CHECK(readfile("ff", buf, 10) == 2, "file not found via cwd");
  CHECK(chdir("..") == 0, "chdir .. failed");
  CHECK(unlink("dd") == -1, "unlinked a non-empty directory");
  CHECK(open("dd", O_RDWR) == -1 && open("dd", O_WRONLY) == -1, "opened a directory for writing");
  int fd = open("dd", O_RDONLY);
  struct stat st;
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.type == T_DIR, "directory stat wrong");
  CHECK(write(fd, "x", 1) == -1, "wrote to a directory");
  close(fd);
  CHECK(open("dd/ff/x", O_CREATE|O_RDWR) == -1, "created a file under a file");
  CHECK(mkdir("dd/ff/x") == -1, "made a directory under a file");
  CHECK(chdir("dd/ff") == -1, "chdir into a file");
  CHECK(link("dd", "dd2") == -1, "hard-linked a directory");
  CHECK(unlink("dd/.") == -1 && unlink("dd/..") == -1, "unlinked . or ..");
  CHECK(open("dd//ff", O_RDONLY) >= 0, "double slash in a path failed");
  CHECK(unlink("dd/ff") == 0 && unlink("dd") == 0, "cleanup failed");
  CHECK(chdir("dd") == -1, "chdir into a removed directory");

  CHECK(mkdir("da") == 0 && mkdir("da/b") == 0 && mkdir("da/b/c") == 0, "nested mkdir failed");
  CHECK(chdir("da/b/c") == 0, "chdir failed");
  writefile("deep", "x", 1);
  CHECK(chdir("../../..") == 0, "chdir ../../.. failed");
  CHECK(readfile("/da/b/c/deep", buf, 10) == 1, "absolute path failed");
  CHECK(unlink("da/b/c/deep") == 0 && unlink("da/b/c") == 0 && unlink("da/b") == 0
        && unlink("da") == 0, "nested cleanup failed");
}

// cwdunlink: a process's current directory may be removed under it.
static void
cwdunlink(void)
{
  for(int i = 0; i < 5; i++){
    CHECK(mkdir("cu") == 0, "mkdir round %d failed", i);
    int pid = xfork();
    if(pid == 0){
      CHECK(chdir("cu") == 0, "chdir failed");
      CHECK(unlink("../cu") == 0, "unlink of the cwd failed");
      struct stat st;
      CHECK(stat("../cu", &st) == -1, "the removed directory is still listed");
      // Classic xv6 allows this and leaks the new inode when cu is freed.
      CHECK(open("x", O_CREATE|O_RDWR) == -1, "created a file in a removed directory");
      CHECK(mkdir("y") == -1, "made a directory in a removed directory");
      exit(0);
    }
    CHECK(xwait(pid) == 0, "child failed");
  }
}

static void
linktest(void)
{
  writefile("lf1", "hello", 5);
  CHECK(link("lf1", "lf2") == 0, "link failed");
  struct stat st;
  CHECK(stat("lf2", &st) == 0 && st.nlink == 2, "nlink %d, want 2", st.nlink);
  CHECK(unlink("lf1") == 0, "unlink failed");
  CHECK(readfile("lf2", buf, 10) == 5 && memcmp(buf, "hello", 5) == 0, "link lost the data");
  CHECK(stat("lf2", &st) == 0 && st.nlink == 1, "nlink %d, want 1", st.nlink);
  CHECK(link("lf2", "lf2") == -1, "linked onto an existing name");
  CHECK(link("lf-nonexistent", "lf3") == -1, "linked a nonexistent file");
  CHECK(link("lf2", "lf-nodir/x") == -1, "linked into a nonexistent directory");
  unlink("lf2");
}

// bigdir: a directory grows past several blocks.
static void
bigdir(void)
{
  writefile("bd", "", 0);
  char name[] = "x000";
  for(int i = 0; i < 300; i++){
    name[1] = '0' + i / 100;
    name[2] = '0' + (i / 10) % 10;
    name[3] = '0' + i % 10;
    CHECK(link("bd", name) == 0, "link %s failed", name);
  }
  struct stat st;
  CHECK(stat("bd", &st) == 0 && st.nlink == 301, "nlink %d, want 301", st.nlink);
  for(int i = 0; i < 300; i++){
    name[1] = '0' + i / 100;
    name[2] = '0' + (i / 10) % 10;
    name[3] = '0' + i % 10;
    CHECK(unlink(name) == 0, "unlink %s failed", name);
  }
  unlink("bd");
}

// iref: more nested directories than the in-memory inode table holds, to
// check that references are dropped.
static void
iref(void)
{
  for(int i = 0; i < NINODE + 1; i++){
    CHECK(mkdir("ir") == 0, "mkdir %d failed", i);
    CHECK(chdir("ir") == 0, "chdir %d failed: inode table full?", i);
    int fd = open("f", O_CREATE|O_RDWR);
    CHECK(fd >= 0, "create %d failed", i);
    close(fd);
    unlink("f");
  }
  for(int i = 0; i < NINODE + 1; i++){
    CHECK(chdir("..") == 0, "chdir .. failed");
    CHECK(unlink("ir") == 0, "unlink %d failed", i);
  }
}

static void
statdev(void)
{
  struct stat st;
  CHECK(fstat(0, &st) == 0 && st.type == T_DEVICE, "fd 0 is not a device");
  CHECK(stat("/console", &st) == 0 && st.type == T_DEVICE, "/console is not a device");
  CHECK(stat("/", &st) == 0 && st.type == T_DIR && st.ino == ROOTINO, "/ is not the root directory");
  CHECK(stat("/usertests", &st) == 0 && st.type == T_FILE && st.size > 0, "/usertests stat wrong");
  int fd = open("/", O_RDONLY);
  struct dirent de;
  CHECK(read(fd, &de, sizeof(de)) == sizeof(de) && strcmp(de.name, ".") == 0, "first entry is not .");
  CHECK(read(fd, &de, sizeof(de)) == sizeof(de) && strcmp(de.name, "..") == 0, "second entry is not ..");
  close(fd);
}

// fdlimit: NOFILE per process; bad descriptors are refused.
static void
fdlimit(void)
{
  int n = 0, fd;
  while((fd = dup(0)) >= 0)
    n++;
  CHECK(n == NOFILE - 3, "dup gave %d descriptors, want %d", n, NOFILE - 3);
  CHECK(open("/console", O_RDONLY) == -1, "open past NOFILE worked");
  CHECK(close(NOFILE - 1) == 0 && dup(0) == NOFILE - 1, "lowest free fd not reused");
  CHECK(close(-1) == -1 && close(NOFILE) == -1 && close(1000) == -1, "close of a bad fd worked");
  CHECK(close(NOFILE - 1) == 0 && close(NOFILE - 1) == -1, "double close worked");
  CHECK(read(-1, buf, 1) == -1 && write(NOFILE, buf, 1) == -1 && dup(99) == -1, "bad fd accepted");
  struct stat st;
  CHECK(fstat(NOFILE - 1, &st) == -1, "fstat of a closed fd worked");
}

// filetable: processes together open more than NFILE files; opens fail
// cleanly and everything is usable afterwards.
static void
filetable(void)
{
  for(int p = 0; p < 8; p++){
    if(xfork() == 0){
      for(int i = 0; i < NOFILE; i++)
        open("/console", O_RDONLY);
      sleep(5);
      exit(0);
    }
  }
  for(int p = 0; p < 8; p++)
    CHECK(wait(0) > 0, "wait failed");
  int fd = open("/console", O_RDONLY);
  CHECK(fd >= 0, "file table still full");
  close(fd);
}

// forkfd: a forked child shares its parent's file offset.
static void
forkfd(void)
{
  int fd = open("ff", O_CREATE|O_TRUNC|O_RDWR);
  CHECK(fd >= 0, "create failed");
  write(fd, "a", 1);
  int pid = xfork();
  if(pid == 0){
    write(fd, "b", 1);
    exit(0);
  }
  xwait(pid);
  write(fd, "c", 1);
  close(fd);
  CHECK(readfile("ff", buf, 10) == 3 && memcmp(buf, "abc", 3) == 0, "offset not shared");
  unlink("ff");
}

static void
sharedfd(void)
{
  int fd = open("sf", O_CREATE|O_TRUNC|O_RDWR);
  CHECK(fd >= 0, "create failed");
  int pid = xfork();
  char c = pid == 0 ? 'c' : 'p';
  char chunk[10];
  memset(chunk, c, sizeof(chunk));
  for(int i = 0; i < 300; i++)
    CHECK(write(fd, chunk, sizeof(chunk)) == sizeof(chunk), "write failed");
  if(pid == 0)
    exit(0);
  xwait(pid);
  close(fd);
  int nc = 0, np = 0, n;
  fd = open("sf", O_RDONLY);
  while((n = read(fd, buf, sizeof(buf))) > 0)
    for(int i = 0; i < n; i++){
      nc += buf[i] == 'c';
      np += buf[i] == 'p';
    }
  close(fd);
  CHECK(nc == 3000 && np == 3000, "%d c's and %d p's, want 3000 each", nc, np);
  unlink("sf");
}

static void
fourfiles(void)
{
  char name[] = "4f0";
  for(int p = 0; p < 4; p++){
    if(xfork() == 0){
      name[2] = '0' + p;
      char chunk[500];
      memset(chunk, 'a' + p, sizeof(chunk));
      int fd = open(name, O_CREATE|O_TRUNC|O_WRONLY);
      CHECK(fd >= 0, "create failed");
      for(int i = 0; i < 12; i++)
        CHECK(write(fd, chunk, sizeof(chunk)) == sizeof(chunk), "write failed");
      exit(0);
    }
  }
  for(int p = 0; p < 4; p++){
    int status;
    CHECK(wait(&status) > 0 && status == 0, "a writer failed");
  }
  for(int p = 0; p < 4; p++){
    name[2] = '0' + p;
    int n = readfile(name, buf, sizeof(buf));
    CHECK(n == 6000, "%s has %d bytes, want 6000", name, n);
    for(int i = 0; i < n; i++)
      CHECK(buf[i] == 'a' + p, "%s byte %d wrong", name, i);
    unlink(name);
  }
}

// ---- pipes ----

static void
pipe1(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  int pid = xfork();
  if(pid == 0){
    close(p[0]);
    int seq = 0;
    for(int n = 0; n < 5; n++){
      for(int i = 0; i < 1033; i++)
        buf[i] = seq++;
      CHECK(write(p[1], buf, 1033) == 1033, "pipe write failed");
    }
    exit(0);
  }
  close(p[1]);
  int total = 0, seq = 0, want = 1, n;
  while((n = read(p[0], buf, want)) > 0){
    for(int i = 0; i < n; i++)
      CHECK((buf[i] & 0xff) == (seq++ & 0xff), "byte %d out of order", total + i);
    total += n;
    want = want * 2 > 3000 ? 3000 : want * 2;
  }
  CHECK(n == 0 && total == 5 * 1033, "read %d bytes, want %d", total, 5 * 1033);
  close(p[0]);
  xwait(pid);

  // Writing with no reader left fails.
  CHECK(pipe(p) == 0, "pipe failed");
  close(p[0]);
  CHECK(write(p[1], "x", 1) == -1, "write to a pipe without readers worked");
  close(p[1]);
}

static void
pipebig(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  const int total = 200*1024;
  int pid = xfork();
  if(pid == 0){
    close(p[0]);
    uint sum = 0;
    for(int sent = 0; sent < total; sent += 4096){
      for(int i = 0; i < 4096; i++){
        buf[i] = (sent + i) * 31;
        sum += (uchar)buf[i];
      }
      CHECK(write(p[1], buf, 4096) == 4096, "write failed");
    }
    CHECK(write(p[1], &sum, sizeof(sum)) == sizeof(sum), "write failed");
    exit(0);
  }
  close(p[1]);
  uint sum = 0;
  int got = 0, n;
  while(got < total && (n = read(p[0], buf, total - got > 1000 ? 1000 : total - got)) > 0){
    for(int i = 0; i < n; i++)
      sum += (uchar)buf[i];
    got += n;
  }
  uint theirs = 0;
  CHECK(read(p[0], &theirs, sizeof(theirs)) == sizeof(theirs), "checksum missing");
  CHECK(got == total && sum == theirs, "pipe corrupted data (%d bytes)", got);
  xwait(pid);
}

// ---- exec ----

static void
exectest(void)
{
  int pid = xfork();
  if(pid == 0){
    close(1);
    CHECK(open("exec.out", O_CREATE|O_TRUNC|O_WRONLY) == 1, "cannot redirect");
    char *argv[] = { "echo", "OK", "there", 0 };
    exec("echo", argv);
    exit(7);
  }
  CHECK(xwait(pid) == 0, "exec echo failed");
  int n = readfile("exec.out", buf, 100);
  CHECK(n == 9 && memcmp(buf, "OK there\n", 9) == 0, "echo wrote %d bytes", n);
  unlink("exec.out");

  char *argv[] = { "nothing", 0 };
  CHECK(exec("exec-nonexistent", argv) == -1, "exec of a missing file");
  writefile("exec.txt", "this is not an ELF file, just text\n", 35);
  CHECK(exec("exec.txt", argv) == -1, "exec of a text file");
  unlink("exec.txt");
  CHECK(exec("/", argv) == -1, "exec of a directory");
}

// execargs: MAXARG-1 long arguments work (classic xv6 takes at most that
// many; the null that ends argv used the last slot), MAXARG+1 fail.
static void
execargs(void)
{
  static char args[MAXARG + 1][64];
  char *argv[MAXARG + 2];
  argv[0] = "echo";
  for(int i = 1; i < MAXARG; i++){
    memset(args[i], 'a' + i % 26, 60);
    args[i][60] = 0;
    argv[i] = args[i];
  }
  argv[MAXARG - 1] = 0;
  int pid = xfork();
  if(pid == 0){
    close(1);
    open("execargs.out", O_CREATE|O_TRUNC|O_WRONLY);
    exec("echo", argv);
    exit(7);
  }
  CHECK(xwait(pid) == 0, "exec with %d arguments failed", MAXARG - 1);
  int n = readfile("execargs.out", buf, sizeof(buf));
  CHECK(n == (MAXARG - 2) * 61, "echo printed %d bytes, want %d", n, (MAXARG - 2) * 61);
  unlink("execargs.out");

  for(int i = MAXARG - 1; i <= MAXARG; i++){
    strcpy(args[i], "x");
    argv[i] = args[i];
  }
  argv[MAXARG + 1] = 0;
  CHECK(exec("echo", argv) == -1, "exec with %d arguments worked", MAXARG + 1);
}

// ---- the library ----

// expect_printed checks what fprintf wrote through a pipe.
static void
expect_printed(int fd, const char *want)
{
  int n = read(fd, buf, sizeof(buf) - 1);
  CHECK(n >= 0, "pipe read failed");
  buf[n] = 0;
  CHECK(strcmp(buf, want) == 0, "printed [%s], want [%s]", buf, want);
}

static void
printftest(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  fprintf(p[1], "%d %d %d %u %x %x", 0, -42, 2147483647, 4000000000U, 255, -1);
  expect_printed(p[0], "0 -42 2147483647 4000000000 ff ffffffff");
  fprintf(p[1], "%ld %lu %lx %lld %l|", -5000000000LL, 18446744073709551615ULL,
          0x123456789abcdefULL, 9000000000LL, 12345678901ULL);
  expect_printed(p[0], "-5000000000 18446744073709551615 123456789abcdef 9000000000 12345678901|");
  fprintf(p[1], "%p %s %s %c%c %% %q", (void*)0x1234, "str", (char*)0, 'o', 'k');
  expect_printed(p[0], "0x0000000000001234 str (null) ok % %q");
  fprintf(p[1], "trailing %");
  expect_printed(p[0], "trailing %");
  // One call is one write, even when longer than printf's buffer.
  static char longstr[301];
  memset(longstr, 'L', 300);
  fprintf(p[1], "<%s>", longstr);
  CHECK(read(p[0], buf, sizeof(buf)) == 302, "long output lost bytes");
  close(p[0]);
  close(p[1]);
}

static void
ulibtest(void)
{
  char s[32] = {0};   // the memset check reads s[10]: not stack garbage
  CHECK(strlen("") == 0 && strlen("hello") == 5, "strlen");
  CHECK(strcmp("abc", "abc") == 0 && strcmp("abc", "abd") < 0 && strcmp("b", "abc") > 0
        && strcmp("ab", "abc") < 0 && strcmp("\xff", "a") > 0, "strcmp");
  CHECK(strcpy(s, "copy") == s && strcmp(s, "copy") == 0, "strcpy");
  CHECK(strchr(s, 'p') == s + 2 && strchr(s, 'z') == 0, "strchr");
  CHECK(atoi("1234") == 1234 && atoi("-56") == -56 && atoi("7x") == 7 && atoi("") == 0, "atoi");
  CHECK(memset(s, 'm', 10) == s && s[0] == 'm' && s[9] == 'm' && s[10] == 0, "memset");
  strcpy(s, "0123456789");
  memmove(s + 2, s, 5);
  CHECK(memcmp(s, "0101234789", 10) == 0, "memmove forward overlap gave %s", s);
  strcpy(s, "0123456789");
  memmove(s, s + 2, 5);
  CHECK(memcmp(s, "2345656789", 10) == 0, "memmove backward overlap gave %s", s);
  CHECK(memcmp("abc", "abd", 2) == 0 && memcmp("abc", "abd", 3) < 0, "memcmp");
  CHECK(memcpy(s, "xyz", 3) == s && s[2] == 'z', "memcpy");

  int p[2];
  CHECK(pipe(p) == 0, "pipe failed");
  write(p[1], "line one\nrest", 13);
  close(p[1]);
  int pid = xfork();
  if(pid == 0){
    close(0);
    dup(p[0]);
    gets(s, sizeof(s));
    CHECK(strcmp(s, "line one\n") == 0, "gets read [%s]", s);
    gets(s, 3);
    CHECK(strcmp(s, "re") == 0, "gets with a small buffer read [%s]", s);
    gets(s, sizeof(s));
    CHECK(strcmp(s, "st") == 0, "gets at end of input read [%s]", s);
    gets(s, sizeof(s));
    CHECK(s[0] == 0, "gets after end of input read [%s]", s);
    exit(0);
  }
  close(p[0]);
  CHECK(xwait(pid) == 0, "gets failed");

  struct stat st;
  CHECK(stat("/usertests", &st) == 0 && st.type == T_FILE, "stat failed");
  CHECK(stat("/no-such-file", &st) == -1, "stat of a missing file worked");
}

static void
malloctest(void)
{
  char *blocks[64];
  for(int i = 0; i < 64; i++){
    blocks[i] = malloc(i * 37 + 1);
    CHECK(blocks[i] != 0, "malloc failed");
    CHECK((uint64)blocks[i] % 16 == 0, "malloc returned %p, not 16-byte aligned", blocks[i]);
    memset(blocks[i], i, i * 37 + 1);
  }
  for(int i = 0; i < 64; i++)
    for(int j = 0; j < i * 37 + 1; j++)
      CHECK(blocks[i][j] == (char)i, "block %d overwritten", i);
  for(int i = 0; i < 64; i += 2)
    free(blocks[i]);
  for(int i = 1; i < 64; i += 2)
    free(blocks[i]);
  free(0);
  // Everything merged back: a big block fits without growing the heap.
  char *top = sbrk(0);
  char *big = malloc(64 * 37 * 32);
  CHECK(big != 0 && (char*)sbrk(0) == top, "freed blocks were not merged");
  free(big);
  CHECK(malloc(0x7fffffff) == 0, "malloc(2 GB) succeeded");
  // An odd break must not misalign later blocks.
  sbrk(3);
  char *a = malloc(100000);
  CHECK(a != 0 && (uint64)a % 16 == 0, "malloc after an odd sbrk returned %p", a);
}

// ---- the table ----

struct test {
  void (*fn)(void);
  char *name;
  int slow;     // left out by -q
  int cost;     // how long it runs, for balancing shards (10 ms units of
                // emulated x86, which is the slowest place it runs)
};

static struct test tests[] = {
  { exitwait, "exitwait", 0, 7 },
  { waitnochild, "waitnochild", 0, 2 },
  { getpidtest, "getpid", 0, 2 },
  { forkmany, "forkmany", 0, 13 },
  { forkfull, "forkfull", 0, 5 },
  { forkbomb, "forkbomb", 1, 6 },
  { reparent, "reparent", 0, 11 },
  { killspin, "killspin", 0, 2 },
  { killsleep, "killsleep", 0, 1 },
  { killpipe, "killpipe", 0, 2 },
  { preempt, "preempt", 0, 1 },
  { sleeptest, "sleep", 0, 1 },
  { badsyscall, "badsyscall", 0, 2 },
  { sbrkbasic, "sbrkbasic", 0, 2 },
  { sbrkmuch, "sbrkmuch", 1, 4 },
  { sbrkneg, "sbrkneg", 0, 2 },
  { sbrktop, "sbrktop", 0, 17 },
  { sbrkfork, "sbrkfork", 0, 2 },
  { sbrkarg, "sbrkarg", 0, 1 },
  { outofmemory, "outofmemory", 1, 49 },
  { badaccess, "badaccess", 0, 1 },
  { textwrite, "textwrite", 0, 2 },
  { badptr, "badptr", 0, 2 },
  { badargs, "badargs", 0, 4 },
  { createdelete, "createdelete", 0, 13 },
  { openmodes, "openmodes", 0, 1 },
  { truncate, "truncate", 0, 1 },
  { bigwrite, "bigwrite", 0, 5 },
  { bigfile, "bigfile", 1, 30 },
  { diskreuse, "diskreuse", 1, 114 },
  { manyfiles, "manyfiles", 1, 111 },
  { concreate, "concreate", 1, 71 },
  { unlinkopen, "unlinkopen", 1, 93 },
  { dirtest, "dirtest", 0, 4 },
  { cwdunlink, "cwdunlink", 0, 5 },
  { linktest, "linktest", 0, 4 },
  { bigdir, "bigdir", 1, 170 },
  { iref, "iref", 1, 19 },
  { statdev, "statdev", 0, 2 },
  { fdlimit, "fdlimit", 0, 1 },
  { filetable, "filetable", 0, 6 },
  { forkfd, "forkfd", 0, 3 },
  { sharedfd, "sharedfd", 0, 18 },
  { fourfiles, "fourfiles", 0, 4 },
  { pipe1, "pipe1", 0, 1 },
  { pipebig, "pipebig", 1, 6 },
  { exectest, "exec", 0, 2 },
  { printftest, "printf", 0, 3 },
  { ulibtest, "ulib", 0, 1 },
  { malloctest, "malloc", 0, 2 },
  { execargs, "execargs", 0, 4 },
};

#define NTESTS (sizeof(tests)/sizeof(tests[0]))

// run runs one test in a child process and reports whether it passed.
static int
run(struct test *t)
{
  printf("test %s: ", t->name);
  int pid = fork();
  if(pid < 0){
    printf("fork failed\n");
    return 0;
  }
  if(pid == 0){
    testname = t->name;
    t->fn();
    exit(0);
  }
  int status = -1;
  wait(&status);
  printf(status == 0 ? "OK\n" : "FAILED\n");
  return status == 0;
}

// countfree returns the number of free pages, measured by a child that
// takes them all with sbrk: in steps of many pages, halving the step when
// one fails (a failed sbrk gives back what it took), so the count costs a
// few hundred system calls rather than one per page.
static int
countfree(void)
{
  int p[2];
  if(pipe(p) < 0)
    return -1;
  int pid = fork();
  if(pid < 0)
    return -1;
  if(pid == 0){
    close(p[0]);
    int n = 0;
    for(int step = 256; step > 0; step /= 2)
      while(sbrk(step * PGSIZE) != (char*)-1)
        n += step;
    write(p[1], &n, sizeof(n));
    exit(0);
  }
  close(p[1]);
  int n = -1;
  read(p[0], &n, sizeof(n));
  close(p[0]);
  wait(0);
  return n;
}

// assign puts each test that runs (all, or the quick ones) in one of
// shards shards, so that the shards take about as long: longest first,
// each to the shard with the least so far (the lowest on a tie). A test
// left out gets -1.
static void
assign(int quick, int shards, int *shardof)
{
  int *load = malloc(shards * sizeof(int));
  int done[NTESTS];
  for(int k = 0; k < shards; k++)
    load[k] = 0;
  for(int i = 0; i < NTESTS; i++){
    done[i] = quick && tests[i].slow;
    shardof[i] = -1;
  }
  for(;;){
    int next = -1;
    for(int i = 0; i < NTESTS; i++)
      if(!done[i] && (next < 0 || tests[i].cost > tests[next].cost))
        next = i;
    if(next < 0)
      break;
    int least = 0;
    for(int k = 1; k < shards; k++)
      if(load[k] < load[least])
        least = k;
    shardof[next] = least;
    load[least] += tests[next].cost;
    done[next] = 1;
  }
  free(load);
}

// shardarg parses "K/N" with 0 <= K < N into *k and *n.
static int
shardarg(const char *s, int *k, int *n)
{
  int v[2] = {0, 0}, i = 0;
  for(; *s; s++){
    if(*s == '/' && i == 0)
      i = 1;
    else if(*s >= '0' && *s <= '9' && v[i] < 1000)
      v[i] = v[i]*10 + (*s - '0');
    else
      return 0;
  }
  *k = v[0];
  *n = v[1];
  return i == 1 && *n > 0 && *k < *n;
}

int
main(int argc, char *argv[])
{
  int quick = 0, shard = 0, shards = 1;
  char *only = 0;
  for(int i = 1; i < argc; i++){
    if(strcmp(argv[i], "-q") == 0)
      quick = 1;
    else if(strcmp(argv[i], "-s") == 0 && i+1 < argc && shardarg(argv[i+1], &shard, &shards))
      i++;
    else if(argv[i][0] != '-' && only == 0)
      only = argv[i];
    else {
      fprintf(2, "usage: usertests [-q] [-s K/N] [testname]\n");
      exit(1);
    }
  }
  if(only){
    for(int i = 0; i < NTESTS; i++)
      if(strcmp(tests[i].name, only) == 0)
        exit(run(&tests[i]) ? 0 : 1);
    fprintf(2, "usertests: no test named %s\n", only);
    exit(1);
  }

  if(shards > 1)
    printf("usertests starting: shard %d/%d\n", shard, shards);
  else
    printf("usertests starting\n");
  int shardof[NTESTS];
  assign(quick, shards, shardof);
  int before = countfree();
  int failed = 0;
  for(int i = 0; i < NTESTS; i++)
    if(shardof[i] == shard)
      failed += !run(&tests[i]);
  int after = countfree();
  if(after < before){
    printf("FAILED: %d free pages at the start, %d at the end: memory leaks\n", before, after);
    failed++;
  }
  if(failed){
    printf("SOME TESTS FAILED (%d)\n", failed);
    exit(1);
  }
  printf("ALL TESTS PASSED\n");
  exit(0);
}
