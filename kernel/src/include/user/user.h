// user.h: everything a user program can call: the system calls, the small
// C library (ulib.c, printf.c, umalloc.c) and the threads library.
//
// Include "kernel/types.h" first, as every xv6 program does. The names and
// signatures are those of MIT's xv6-riscv, so its programs compile unchanged.
//
// Programs start at main(argc, argv); returning from main calls exit with
// main's return value (see start.c).
#ifndef USER_USER_H
#define USER_USER_H

struct stat;

// System calls (usys.S). All return -1 on error.
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int*);                 // a null status pointer is allowed
int pipe(int*);
int write(int, const void*, int);
int read(int, void*, int);
int close(int);
int kill(int);
int exec(const char*, char**);
int open(const char*, int);
int mknod(const char*, short, short);
int unlink(const char*);
int fstat(int fd, struct stat*);
int link(const char*, const char*);
int mkdir(const char*);
int chdir(const char*);
int dup(int);
int getpid(void);
char* sbrk(int);                // returns the old break, (char*)-1 on error
int sleep(int);
int uptime(void);

// Kernel threads: clone starts fcn(arg1, arg2) on the given one-page,
// page-aligned stack in a new thread sharing this address space and returns
// its pid; join reaps a finished thread, stores its stack address in *stack
// and returns its pid (-1 if this process has no threads).
int clone(void (*fcn)(void*, void*), void *arg1, void *arg2, void *stack);
int join(void **stack);

// ulib.c
int stat(const char*, struct stat*);
char* strcpy(char*, const char*);
void *memmove(void*, const void*, int);
char* strchr(const char*, char c);
int strcmp(const char*, const char*);
uint strlen(const char*);
void* memset(void*, int, uint);
int memcmp(const void*, const void*, uint);
void *memcpy(void*, const void*, uint);
char* gets(char*, int max);
int atoi(const char*);

// printf.c: %d %u %x %p %s %c %%, and %l (alone: unsigned 64-bit decimal;
// as %ld %lu %lx or %lld...: 64-bit versions). One write per call.
void fprintf(int, const char*, ...);
void printf(const char*, ...);

// umalloc.c: safe to call from several threads at once.
void* malloc(uint);
void free(void*);

// The threads lab library (ulib.c).
//
// thread_create runs fn(arg1, arg2) in a new thread on a fresh one-page
// stack and returns the thread's pid, or -1. fn must end with exit(); if it
// returns, the kernel's fake return address kills the thread. thread_join
// waits for one thread created by the caller, frees its stack and returns
// its pid, or -1 if there is none.
int thread_create(void (*fn)(void*, void*), void *arg1, void *arg2);
int thread_join(void);

// lock_t is the lab's ticket lock, built on atomic fetch-and-add
// (amoadd.w on RISC-V, lock xaddl on x86): waiters are served in arrival
// order.
typedef struct {
  volatile uint ticket;    // next ticket to hand out
  volatile uint turn;      // ticket now holding the lock
} lock_t;
void lock_init(lock_t*);
void lock_acquire(lock_t*);
void lock_release(lock_t*);

// uspinlock_t is the older lab's test-and-set spin lock on atomic swap
// (amoswap.w on RISC-V, xchg on x86). No fairness; kept for programs
// written against that lab.
typedef struct {
  volatile uint locked;
} uspinlock_t;
void uspin_init(uspinlock_t*);
void uspin_acquire(uspinlock_t*);
void uspin_release(uspinlock_t*);

// A pthread-like layer (uthread.c) on top of clone/join.
//
// uthread_create starts fn(arg) in a new thread and stores its id in *tid;
// returns 0 or -1. The thread ends when fn returns or calls uthread_exit;
// its result is collected by uthread_join(tid, &ret) (ret may be null),
// which returns 0, or -1 if tid is not a thread this process can join.
// Join a thread from the thread that created it (the kernel's join reaps
// only the caller's own threads), and do not mix thread_join with
// uthread_join in one process. uthread_exit in the main thread is exit(0).
//
// umutex_t is a mutual-exclusion lock with trylock (0 if taken, -1 if busy).
typedef int uthread_t;
int uthread_create(uthread_t *tid, void *(*fn)(void*), void *arg);
int uthread_join(uthread_t tid, void **ret);
void uthread_exit(void *ret) __attribute__((noreturn));
uthread_t uthread_self(void);

typedef struct {
  uspinlock_t lk;
} umutex_t;
void umutex_init(umutex_t*);
void umutex_lock(umutex_t*);
int umutex_trylock(umutex_t*);
void umutex_unlock(umutex_t*);

// Compatibility with programs written for classic (x86) xv6 and the older
// threads lab, so that they compile unchanged on both arches. Each name
// below is a macro that picks the call by its arguments:
//   exit() and wait()           classic xv6's no-argument forms: exit(0),
//                               wait(0)
//   printf(fd, fmt, ...)        classic xv6's printf to a descriptor: an
//                               integer first argument makes it fprintf
//   clone(fcn, arg, stack)      the older lab's one-argument clone: clone1
//   thread_create(fn, arg)      likewise: thread_create1
// clone1(fcn, arg, stack) starts fcn(arg) like clone(fcn, arg, 0, stack);
// thread_create1(fn, arg) is thread_create(fn, arg, 0).
int clone1(void (*fcn)(void*), void *arg, void *stack);
int thread_create1(void (*fn)(void*), void *arg);

#define XV6_SECOND_(a, b, ...) b
#define XV6_IF_EMPTY_(x, ...) XV6_SECOND_(__VA_OPT__(,), x, )
#define XV6_FIRST_(a, ...) a
#define XV6_FIFTH_(a, b, c, d, e, ...) e
#define XV6_FOURTH_(a, b, c, d, ...) d

#define exit(...) exit(__VA_ARGS__ XV6_IF_EMPTY_(0, __VA_ARGS__))
#define wait(...) wait(__VA_ARGS__ XV6_IF_EMPTY_(0, __VA_ARGS__))
#define printf(...) _Generic((XV6_FIRST_(__VA_ARGS__, 0)), \
    int: fprintf, unsigned int: fprintf, long: fprintf, unsigned long: fprintf, \
    short: fprintf, char: fprintf, \
    default: printf)(__VA_ARGS__)
#define clone(...) XV6_FIFTH_(__VA_ARGS__, clone, clone1, , )(__VA_ARGS__)
#define thread_create(...) XV6_FOURTH_(__VA_ARGS__, thread_create, thread_create1, )(__VA_ARGS__)

#endif
