// The contract between the portable core and an architecture port.
//
// archdefs.h (from the port's directory) supplies struct context, struct
// trapframe and the inline cpuid()/intr_on()/intr_off()/intr_get().
// Everything else a port provides is declared here.
#ifndef ARCH_H
#define ARCH_H

#include "archdefs.h"

struct proc;
struct buf;

// Context switch (swtch.S): save callee-saved registers in old, load new.
void            swtch(struct context *old, struct context *new);
// Prepare a context that starts fn on the stack ending at stacktop.
void            context_init(struct context *c, uint64 stacktop, void (*fn)(void));

// Kernel stack of proc slot i (mapped at boot).
uint64          kstack_addr(int i);

// Leave the kernel for the current process's user code.
void            usertrapret(void) __attribute__((noreturn));

// User registers, as seen through a trapframe.
uint64          tf_syscall_num(struct trapframe *tf);
uint64          tf_arg(struct trapframe *tf, int n);
void            tf_set_return(struct trapframe *tf, uint64 v);
void            tf_exec(struct trapframe *tf, uint64 entry, uint64 sp, uint64 argc, uint64 argv);
void            tf_thread_start(struct trapframe *tf, uint64 fcn, uint64 arg1, uint64 arg2, uint64 stacktop);

// Page tables: a new user page table with the trampoline and p's
// trapframe at TRAPFRAME; freeing one; mapping and unmapping a thread's
// trapframe in a shared one (caller holds vm->lock).
pagetable_t     proc_pagetable(struct proc *p);
void            proc_freepagetable(pagetable_t pagetable, uint64 sz, uint64 tfva);
int             thread_map_trapframe(pagetable_t pagetable, struct proc *p);
void            thread_unmap_trapframe(pagetable_t pagetable, struct proc *p);

// User memory.
pagetable_t     uvmcreate(void);
uint64          uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int xperm);
uint64          uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
void            uvmrevoke(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
void            uvmreclaim(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
int             uvmcopy(pagetable_t old, pagetable_t new, uint64 sz);
void            uvmfree(pagetable_t pagetable, uint64 sz);
void            uvmclear(pagetable_t pagetable, uint64 va);
int             copyout(pagetable_t pagetable, uint64 dstva, char *src, uint64 len);
int             copyin(pagetable_t pagetable, char *dst, uint64 srcva, uint64 len);
int             copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max);
int             flags2perm(int elfflags);
uint64          kwalkaddr(pagetable_t pagetable, uint64 va);

// Devices.
void            uartputc(int c);
void            uartputc_sync(int c);
void            disk_rw(struct buf *b, int write);

// Interrupt other harts: park them all after a panic; or wait until the
// harts in a bit mask have each been into the kernel, dropping any stale
// user translations (interrupts on, no locks held).
void            halt_others(void);
void            tlb_shootdown(uint64 harts);

#endif
