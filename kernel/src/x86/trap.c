// Traps: from user mode (system calls, device interrupts, faults) and
// from kernel mode; the way back to user mode; the interrupt dispatch.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

void usertrap(struct trapframe *tf) __attribute__((noreturn));
void kerneltrap(struct trapframe *tf);

// What devintr() found.
enum { INTR_NONE, INTR_DEVICE, INTR_TIMER };

static int
devintr(struct trapframe *tf)
{
  switch(tf->trapno){
  case T_IRQ0 + IRQ_TIMER:
    // One CPU keeps time, so ticks advance at one rate however many
    // CPUs run.
    if(cpuid() == 0)
      clockintr();
    lapiceoi();
    return INTR_TIMER;
  case T_IRQ0 + IRQ_COM1:
    uartintr();
    lapiceoi();
    return INTR_DEVICE;
  case T_IRQ0 + IRQ_IDE:
    ideintr();
    lapiceoi();
    return INTR_DEVICE;
  case T_IPI:
    ipi_intr();
    lapiceoi();
    return INTR_DEVICE;
  case T_IRQ0 + IRQ_SPURIOUS:
    return INTR_DEVICE;   // no EOI for a spurious interrupt
  case T_IRQ0 + 7:
  case T_IRQ0 + IRQ_ERROR:
    lapiceoi();
    return INTR_DEVICE;
  }
  return INTR_NONE;
}

// Entered from alltraps on the thread's kernel stack, with tf its
// trapframe. The user page table is still in cr3: switch to the
// kernel's, which also drops this CPU's user translations (the TLB
// shootdown relies on that).
void
usertrap(struct trapframe *tf)
{
  kvminithart();

  struct proc *p = myproc();
  int which = INTR_NONE;

  if(tf->trapno == T_SYSCALL){
    if(killed(p))
      exit(-1);
    intr_on();
    syscall();
  } else if((which = devintr(tf)) == INTR_NONE){
    printf("pid %d %s: trap %d err %d on cpu %d eip 0x%x addr 0x%x--kill proc\n",
           p->pid, p->name, tf->trapno, tf->err, cpuid(), tf->eip, rcr2());
    setkilled(p);
  }

  if(killed(p))
    exit(-1);
  if(which == INTR_TIMER)
    yield();

  usertrapret();
}

// Back to user mode with the current thread's trapframe and page table.
void
usertrapret(void)
{
  struct proc *p = myproc();

  // Until iret, a trap would find a half-built user state.
  intr_off();
  struct trapframe *tf = p->trapframe;
  tf->kstacktop = p->kstack + PGSIZE;
  tss_set_esp0((uint32)(tf + 1));
  lcr3(KVA2PA(p->vm->pagetable));
  userret(tf);
}

// Interrupts and exceptions in kernel mode, on whatever kernel stack is
// current; tf is on that stack (its esp and ss are not there).
void
kerneltrap(struct trapframe *tf)
{
  int which = devintr(tf);

  if(which == INTR_NONE){
    printf("kernel trap %d err %d on cpu %d eip 0x%x addr 0x%x\n",
           tf->trapno, tf->err, cpuid(), tf->eip, rcr2());
    panic("kerneltrap");
  }
  if(which == INTR_TIMER && myproc() != 0)
    yield();
}
