// Functions the core files offer each other, grouped by the file that
// defines them. Architecture hooks are declared in arch.h.
#ifndef DEFS_H
#define DEFS_H

struct buf;
struct context;
struct file;
struct inode;
struct pipe;
struct proc;
struct spinlock;
struct sleeplock;
struct stat;
struct superblock;
struct vmspace;

// bio.c
void            binit(void);
struct buf*     bread(uint dev, uint blockno);
void            brelse(struct buf *b);
void            bwrite(struct buf *b);
void            bpin(struct buf *b);
void            bunpin(struct buf *b);

// console.c
void            consoleinit(void);
void            consoleintr(int c);
void            consputc(int c);

// exec.c
int             exec(char *path, char **argv);

// file.c
struct file*    filealloc(void);
void            fileclose(struct file *f);
struct file*    filedup(struct file *f);
void            fileinit(void);
int             fileread(struct file *f, uint64 addr, int n);
int             filestat(struct file *f, uint64 addr);
int             filewrite(struct file *f, uint64 addr, int n);

// fs.c
void            fsinit(int dev);
int             dirlink(struct inode *dp, char *name, uint inum);
struct inode*   dirlookup(struct inode *dp, char *name, uint *poff);
struct inode*   ialloc(uint dev, short type);
struct inode*   idup(struct inode *ip);
void            iinit(void);
void            ilock(struct inode *ip);
void            iput(struct inode *ip);
void            iunlock(struct inode *ip);
void            iunlockput(struct inode *ip);
void            iupdate(struct inode *ip);
int             namecmp(const char *s, const char *t);
struct inode*   namei(char *path);
struct inode*   nameiparent(char *path, char *name);
int             readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n);
void            stati(struct inode *ip, struct stat *st);
int             writei(struct inode *ip, int user_src, uint64 src, uint off, uint n);
void            itrunc(struct inode *ip);

// kalloc.c
void*           kalloc(void);
void            kfree(void *pa);
void            kinit(void *start, void *stop);
int             kfreepages(void);

// log.c
void            initlog(int dev, struct superblock *sb);
void            log_write(struct buf *b);
void            begin_op(void);
void            end_op(void);

// pipe.c
int             pipealloc(struct file **f0, struct file **f1);
void            pipeclose(struct pipe *pi, int writable);
int             piperead(struct pipe *pi, uint64 addr, int n);
int             pipewrite(struct pipe *pi, uint64 addr, int n);

// printf.c
int             printf(char *fmt, ...);
void            panic(char *s) __attribute__((noreturn));
void            printfinit(void);
extern volatile int panicked;

// proc.c
struct cpu*     mycpu(void);
struct proc*    myproc(void);
void            procinit(void);
void            userinit(void);
struct proc*    allocproc(void);
int             fork(void);
void            exit(int status) __attribute__((noreturn));
int             wait(uint64 addr);
int             kill(int pid);
int             killed(struct proc *p);
void            setkilled(struct proc *p);
void            scheduler(void) __attribute__((noreturn));
void            sched(void);
void            yield(void);
void            sleep(void *chan, struct spinlock *lk);
void            wakeup(void *chan);
int             either_copyout(int user_dst, uint64 dst, void *src, uint64 len);
int             either_copyin(void *dst, int user_src, uint64 src, uint64 len);
void            procdump(void);
void            forkret(void);
void            freeproc(struct proc *p);
int             reap(struct proc *q, uint64 addr, void *val, int n);
void            reparent(struct proc *p, struct proc *heir);
extern struct spinlock wait_lock;

// thread.c
int             clone(uint64 fcn, uint64 arg1, uint64 arg2, uint64 stack);
int             join(uint64 stackaddr);
int             end_other_threads(struct proc *p);

// vmspace.c
void            vmspaceinit(void);
struct vmspace* vmspace_alloc(pagetable_t pagetable, uint64 sz);
void            vmspace_put(struct vmspace *vm, struct proc *p);
int             vmspace_grow(struct vmspace *vm, int n, uint64 *oldsz);
int             user_copyout(uint64 dstva, void *src, uint64 len);
int             user_copyin(void *dst, uint64 srcva, uint64 len);
int             user_copyinstr(char *dst, uint64 srcva, uint64 max);

// sleeplock.c
void            acquiresleep(struct sleeplock *lk);
void            releasesleep(struct sleeplock *lk);
int             holdingsleep(struct sleeplock *lk);
void            initsleeplock(struct sleeplock *lk, char *name);

// spinlock.c
void            acquire(struct spinlock *lk);
int             holding(struct spinlock *lk);
void            initlock(struct spinlock *lk, char *name);
void            release(struct spinlock *lk);
void            push_off(void);
void            pop_off(void);

// string.c
int             memcmp(const void *a, const void *b, uint n);
void*           memmove(void *dst, const void *src, uint n);
void*           memset(void *dst, int c, uint n);
char*           safestrcpy(char *dst, const char *src, int n);
int             strlen(const char *s);
int             strncmp(const char *p, const char *q, uint n);
char*           strncpy(char *dst, const char *src, int n);

// syscall.c
int             argint(int n, int *ip);
int             argaddr(int n, uint64 *ip);
int             argstr(int n, char *buf, int max);
int             fetchaddr(uint64 addr, uint64 *ip);
int             fetchstr(uint64 addr, char *buf, int max);
void            syscall(void);

// trap (clock, shared by ports)
extern uint     ticks;
extern struct spinlock tickslock;
void            clockinit(void);
void            clockintr(void);

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

#endif
