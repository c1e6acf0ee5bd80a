// System call dispatch and argument fetching. Every user pointer is
// checked by the copy routines, so a bad one makes the call fail with -1.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/syscall.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

// Fetch the user pointer at user address addr.
int
fetchaddr(uint64 addr, uint64 *ip)
{
  uintptr v;

  if(user_copyin(&v, addr, sizeof(v)) < 0)
    return -1;
  *ip = v;
  return 0;
}

// Fetch the NUL-terminated string at user address addr into buf.
// Returns its length, or -1 if it is unreadable or longer than max-1.
int
fetchstr(uint64 addr, char *buf, int max)
{
  if(user_copyinstr(buf, addr, max) < 0)
    return -1;
  return strlen(buf);
}

static uint64
argraw(int n)
{
  return tf_arg(myproc()->trapframe, n);
}

// The n'th argument as an int.
int
argint(int n, int *ip)
{
  *ip = argraw(n);
  return 0;
}

// The n'th argument as a user address; the copy routines check it.
int
argaddr(int n, uint64 *ip)
{
  *ip = argraw(n);
  return 0;
}

// The n'th argument as a string copied into buf; -1 if it is bad.
int
argstr(int n, char *buf, int max)
{
  uint64 addr;

  argaddr(n, &addr);
  return fetchstr(addr, buf, max);
}

uint64 sys_fork(void);
uint64 sys_exit(void);
uint64 sys_wait(void);
uint64 sys_pipe(void);
uint64 sys_read(void);
uint64 sys_kill(void);
uint64 sys_exec(void);
uint64 sys_fstat(void);
uint64 sys_chdir(void);
uint64 sys_dup(void);
uint64 sys_getpid(void);
uint64 sys_sbrk(void);
uint64 sys_sleep(void);
uint64 sys_uptime(void);
uint64 sys_open(void);
uint64 sys_write(void);
uint64 sys_mknod(void);
uint64 sys_unlink(void);
uint64 sys_link(void);
uint64 sys_mkdir(void);
uint64 sys_close(void);
uint64 sys_clone(void);
uint64 sys_join(void);

static uint64 (*syscalls[])(void) = {
  [SYS_fork]    sys_fork,
  [SYS_exit]    sys_exit,
  [SYS_wait]    sys_wait,
  [SYS_pipe]    sys_pipe,
  [SYS_read]    sys_read,
  [SYS_kill]    sys_kill,
  [SYS_exec]    sys_exec,
  [SYS_fstat]   sys_fstat,
  [SYS_chdir]   sys_chdir,
  [SYS_dup]     sys_dup,
  [SYS_getpid]  sys_getpid,
  [SYS_sbrk]    sys_sbrk,
  [SYS_sleep]   sys_sleep,
  [SYS_uptime]  sys_uptime,
  [SYS_open]    sys_open,
  [SYS_write]   sys_write,
  [SYS_mknod]   sys_mknod,
  [SYS_unlink]  sys_unlink,
  [SYS_link]    sys_link,
  [SYS_mkdir]   sys_mkdir,
  [SYS_close]   sys_close,
  [SYS_clone]   sys_clone,
  [SYS_join]    sys_join,
};

void
syscall(void)
{
  struct proc *p = myproc();
  uint64 num = tf_syscall_num(p->trapframe);

  if(num > 0 && num < NELEM(syscalls) && syscalls[num]){
    tf_set_return(p->trapframe, syscalls[num]());
  } else {
    printf("%d %s: unknown sys call %d\n", p->pid, p->name, (int)num);
    tf_set_return(p->trapframe, -1);
  }
}
