// ulib.c: the small C library every program links with (strings, memory,
// stat, gets, atoi) and the threads lab library: thread_create/thread_join
// and the two user-level locks. No shared state here needs a lock.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "user/user.h"

char*
strcpy(char *dst, const char *src)
{
  char *d = dst;
  while((*d++ = *src++) != 0)
    ;
  return dst;
}

int
strcmp(const char *a, const char *b)
{
  while(*a && *a == *b){
    a++;
    b++;
  }
  return (uchar)*a - (uchar)*b;
}

uint
strlen(const char *s)
{
  uint n = 0;
  while(s[n])
    n++;
  return n;
}

char*
strchr(const char *s, char c)
{
  for(; *s; s++)
    if(*s == c)
      return (char*)s;
  return 0;
}

void*
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  while(n-- > 0)
    *d++ = c;
  return dst;
}

void*
memmove(void *dst, const void *src, int n)
{
  uchar *d = dst;
  const uchar *s = src;
  if(s < d && s + n > d){
    // Overlap with the destination above: copy from the end.
    while(n-- > 0)
      d[n] = s[n];
  } else {
    while(n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;
  for(; n > 0; n--, p++, q++)
    if(*p != *q)
      return *p - *q;
  return 0;
}

// gets reads one line (including its newline) into buf, at most max-1
// bytes, and NUL-terminates it. An empty buf means end of input.
char*
gets(char *buf, int max)
{
  int i = 0;
  char c;
  while(i + 1 < max && read(0, &c, 1) == 1){
    buf[i++] = c;
    if(c == '\n' || c == '\r')
      break;
  }
  buf[i] = 0;
  return buf;
}

int
stat(const char *path, struct stat *st)
{
  int fd = open(path, O_RDONLY);
  if(fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}

// atoi converts an optional '-' and decimal digits; it stops at the first
// other character.
int
atoi(const char *s)
{
  int neg = 0, n = 0;
  if(*s == '-'){
    neg = 1;
    s++;
  }
  while(*s >= '0' && *s <= '9')
    n = n*10 + (*s++ - '0');
  return neg ? -n : n;
}

// Threads. A thread's stack is one page carved from a malloc block of two
// pages: the page-aligned part is the stack, and the two words just below
// it hold a magic number and the pointer malloc returned, so thread_join
// can free the block from the stack address join reports. The magic keeps
// thread_join from freeing a stack the program gave clone itself.
#define THREAD_STACK_MAGIC 0x7468726561647374ULL   // "threadst"

int
thread_create(void (*fn)(void*, void*), void *arg1, void *arg2)
{
  char *block = malloc(2*PGSIZE);
  if(block == 0)
    return -1;
  uint64 *stack = (uint64*)PGROUNDUP((uint64)block + 2*sizeof(uint64));
  stack[-2] = THREAD_STACK_MAGIC;
  stack[-1] = (uint64)block;
  int pid = clone(fn, arg1, arg2, stack);
  if(pid < 0){
    stack[-2] = 0;
    free(block);
  }
  return pid;
}

// The older lab's one-argument forms (user.h maps 3-argument clone and
// 2-argument thread_create calls here). A one-argument start function
// simply ignores the second argument.
int
clone1(void (*fcn)(void*), void *arg, void *stack)
{
  return (clone)((void (*)(void*, void*))fcn, arg, 0, stack);
}

int
thread_create1(void (*fn)(void*), void *arg)
{
  return (thread_create)((void (*)(void*, void*))fn, arg, 0);
}

int
thread_join(void)
{
  void *stack;
  int pid = join(&stack);
  if(pid < 0)
    return -1;
  uint64 *words = stack;
  if((uint64)stack >= PGSIZE && words[-2] == THREAD_STACK_MAGIC){
    words[-2] = 0;
    free((void*)words[-1]);
  }
  return pid;
}

// Ticket lock: take a ticket with one atomic fetch-and-add, then wait for
// turn to reach it. The acquire/release orderings keep the critical
// section's loads and stores inside.
void
lock_init(lock_t *lk)
{
  lk->ticket = 0;
  lk->turn = 0;
}

// How long lock_acquire spins before it gives up the CPU.
#define LOCK_SPINS 64

// Spin briefly, then yield between looks. A ticket lock hands over in
// strict order, so with more threads than CPUs the next holder is often
// descheduled; pure spinning would then wait out a whole timer tick per
// handover while the holder cannot run.
void
lock_acquire(lock_t *lk)
{
  uint mine = __atomic_fetch_add(&lk->ticket, 1, __ATOMIC_ACQUIRE);
  for(int spins = 0; __atomic_load_n(&lk->turn, __ATOMIC_ACQUIRE) != mine; spins++){
    if(spins >= LOCK_SPINS)
      sleep(0);
  }
}

void
lock_release(lock_t *lk)
{
  __atomic_fetch_add(&lk->turn, 1, __ATOMIC_RELEASE);
}

// Test-and-set spin lock: swap 1 in until the old value was 0.
void
uspin_init(uspinlock_t *lk)
{
  lk->locked = 0;
}

void
uspin_acquire(uspinlock_t *lk)
{
  while(__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
    ;
}

void
uspin_release(uspinlock_t *lk)
{
  __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
}
