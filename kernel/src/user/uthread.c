// uthread.c: a pthread-like layer over clone and join (see user.h).
//
// Each thread has a struct uthread in a registry list, protected by
// registry_lock. Its stack is the page-aligned page inside a two-page
// malloc block; the lowest words of that page hold a magic number and a
// pointer to the struct uthread, so a thread finds itself from its stack
// pointer (uthread_exit). The stack grows down from the top of the page and
// only reaches those words if it overflows.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define UTHREAD_MAGIC 0x7568726561647321ULL   // "uhreads!"

struct uthread {
  struct uthread *next;
  int tid;
  int done;              // joined by the kernel, result waiting
  void *(*fn)(void*);
  void *arg;
  void *ret;
  char *block;           // malloc block holding the stack
};

static struct uthread *registry;
static lock_t registry_lock;

static struct uthread*
find(int tid)
{
  for(struct uthread *t = registry; t; t = t->next)
    if(t->tid == tid)
      return t;
  return 0;
}

static void
unlink_thread(struct uthread *t)
{
  for(struct uthread **p = &registry; *p; p = &(*p)->next){
    if(*p == t){
      *p = t->next;
      return;
    }
  }
}

static void
uthread_start(void *self, void *unused)
{
  struct uthread *t = self;
  t->ret = t->fn(t->arg);
  exit(0);
}

int
uthread_create(uthread_t *tid, void *(*fn)(void*), void *arg)
{
  struct uthread *t = malloc(sizeof(*t));
  char *block = malloc(2*PGSIZE);
  if(t == 0 || block == 0){
    free(t);
    free(block);
    return -1;
  }
  memset(t, 0, sizeof(*t));
  t->fn = fn;
  t->arg = arg;
  t->block = block;
  uint64 *stack = (uint64*)PGROUNDUP((uint64)block);
  stack[0] = UTHREAD_MAGIC;
  stack[1] = (uint64)t;

  lock_acquire(&registry_lock);
  int pid = clone(uthread_start, t, 0, stack);
  if(pid >= 0){
    t->tid = pid;
    t->next = registry;
    registry = t;
  }
  lock_release(&registry_lock);
  if(pid < 0){
    free(block);
    free(t);
    return -1;
  }
  *tid = pid;
  return 0;
}

int
uthread_join(uthread_t tid, void **ret)
{
  for(;;){
    lock_acquire(&registry_lock);
    struct uthread *t = find(tid);
    if(t && t->done)
      unlink_thread(t);
    lock_release(&registry_lock);
    if(t == 0)
      return -1;
    if(t->done){
      if(ret)
        *ret = t->ret;
      free(t->block);
      free(t);
      return 0;
    }
    // Reap whichever thread ends next; it may not be the one wanted.
    void *stack;
    int pid = join(&stack);
    if(pid < 0)
      return -1;
    lock_acquire(&registry_lock);
    struct uthread *u = find(pid);
    if(u)
      u->done = 1;
    lock_release(&registry_lock);
  }
}

void
uthread_exit(void *ret)
{
  uint64 *base = (uint64*)PGROUNDDOWN((uint64)&ret);
  if(base[0] == UTHREAD_MAGIC)
    ((struct uthread*)base[1])->ret = ret;
  exit(0);
}

uthread_t
uthread_self(void)
{
  return getpid();
}

void
umutex_init(umutex_t *m)
{
  uspin_init(&m->lk);
}

void
umutex_lock(umutex_t *m)
{
  uspin_acquire(&m->lk);
}

int
umutex_trylock(umutex_t *m)
{
  return __atomic_exchange_n(&m->lk.locked, 1, __ATOMIC_ACQUIRE) == 0 ? 0 : -1;
}

void
umutex_unlock(umutex_t *m)
{
  uspin_release(&m->lk);
}
