// Traps: from user mode (system calls, device interrupts, faults) via the
// trampoline, and from supervisor mode via kernelvec; the way back to user
// mode; and the timer and external interrupt dispatch.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

extern char trampoline[], uservec[], userret[];

void kernelvec(void);
void usertrap(void);

// What devintr() found.
enum { INTR_NONE, INTR_DEVICE, INTR_TIMER };

void
trapinithart(void)
{
  csr_write(stvec, (uint64)kernelvec);
}

static int
devintr(void)
{
  uint64 scause = csr_read(scause);

  if(scause == SCAUSE_S_EXTERNAL){
    int irq = plic_claim();
    if(irq == UART0_IRQ)
      uartintr();
    else if(irq == VIRTIO0_IRQ)
      virtio_disk_intr();
    else if(irq)
      printf("unexpected interrupt irq=%d\n", irq);
    if(irq)
      plic_complete(irq);
    return INTR_DEVICE;
  }
  if(scause == SCAUSE_S_SOFTWARE){
    ipi_intr();
    return INTR_DEVICE;
  }
  if(scause == SCAUSE_S_TIMER){
    // One hart keeps time, so ticks advance at one rate however many
    // harts run.
    if(cpuid() == 0)
      clockintr();
    w_stimecmp(r_time() + TICK_INTERVAL);   // also clears the interrupt
    return INTR_TIMER;
  }
  return INTR_NONE;
}

// Entered from uservec with the kernel page table and stack.
void
usertrap(void)
{
  if(csr_read(sstatus) & SSTATUS_SPP)
    panic("usertrap: not from user mode");

  // Traps taken from now on are kernel traps.
  csr_write(stvec, (uint64)kernelvec);

  struct proc *p = myproc();
  p->trapframe->epc = csr_read(sepc);

  int which = INTR_NONE;
  uint64 scause = csr_read(scause);
  if(scause == SCAUSE_ECALL_U){
    if(killed(p))
      exit(-1);
    p->trapframe->epc += 4;   // return after the ecall
    intr_on();
    syscall();
  } else if((which = devintr()) == INTR_NONE){
    printf("usertrap(): unexpected scause %p pid=%d %s\n", scause, p->pid, p->name);
    printf("            sepc=%p stval=%p\n", csr_read(sepc), csr_read(stval));
    setkilled(p);
  }

  if(killed(p))
    exit(-1);
  if(which == INTR_TIMER)
    yield();

  usertrapret();
}

// Return to user mode through the trampoline, with the page table and
// trapframe of the current thread.
void
usertrapret(void)
{
  struct proc *p = myproc();

  // Until sret, a trap would go to uservec with kernel state; keep them off.
  intr_off();
  csr_write(stvec, TRAMPOLINE + (uservec - trampoline));

  // What uservec needs next time.
  struct trapframe *tf = p->trapframe;
  tf->kernel_satp = csr_read(satp);
  tf->kernel_sp = p->kstack + PGSIZE;
  tf->kernel_trap = (uint64)usertrap;
  tf->kernel_hartid = r_tp();

  // sret drops to user mode with interrupts on.
  uint64 x = csr_read(sstatus);
  x &= ~SSTATUS_SPP;
  x |= SSTATUS_SPIE;
  csr_write(sstatus, x);
  csr_write(sepc, tf->epc);

  uint64 satp = MAKE_SATP(p->vm->pagetable);
  void (*ret)(uint64, uint64) = (void (*)(uint64, uint64))(TRAMPOLINE + (userret - trampoline));
  ret(satp, p->tfva);
  __builtin_unreachable();
}

// Interrupts and exceptions in supervisor mode come here via kernelvec,
// on whatever kernel stack is current.
void
kerneltrap(void)
{
  uint64 sepc = csr_read(sepc);
  uint64 sstatus = csr_read(sstatus);
  uint64 scause = csr_read(scause);

  if((sstatus & SSTATUS_SPP) == 0)
    panic("kerneltrap: not from supervisor mode");
  if(intr_get())
    panic("kerneltrap: interrupts enabled");

  int which = devintr();
  if(which == INTR_NONE){
    printf("scause=%p sepc=%p stval=%p\n", scause, sepc, csr_read(stval));
    panic("kerneltrap");
  }

  if(which == INTR_TIMER && myproc() != 0)
    yield();

  // yield() may have let other traps change sepc and sstatus.
  csr_write(sepc, sepc);
  csr_write(sstatus, sstatus);
}
