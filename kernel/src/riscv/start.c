// Machine-mode setup, run once per hart on its boot stack: hand every
// trap and interrupt to supervisor mode, open physical memory to it, turn
// on the Sstc timer, and mret into kmain() in supervisor mode.
//
// The only interrupt machine mode keeps is the machine software interrupt
// that other harts send through the CLINT (ipi.c); mtrapvec turns it into
// a supervisor software interrupt, or parks the hart after a panic.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "csr.h"

void kmain(void);
void mtrapvec(void);

// Two registers' worth of room per hart for mtrapvec.
uint64 mscratch_area[NCPU][2];

void
start(void)
{
  // mret goes to supervisor mode, at kmain.
  uint64 ms = csr_read(mstatus);
  ms = (ms & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  csr_write(mstatus, ms);
  csr_write(mepc, (uint64)kmain);

  // Paging stays off until kvminithart().
  csr_write(satp, 0);

  // Every exception and interrupt goes to supervisor mode.
  csr_write(medeleg, 0xffff);
  csr_write(mideleg, 0xffff);
  csr_set(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);

  // One PMP region covering all of physical memory, RWX.
  csr_write(pmpaddr0, 0x3fffffffffffffull);
  csr_write(pmpcfg0, 0xf);

  // Sstc: supervisor mode reads time and programs stimecmp itself.
  csr_set(0x30a, MENVCFG_STCE);   // menvcfg
  csr_set(mcounteren, MCOUNTEREN_TM);
  w_stimecmp(r_time() + TICK_INTERVAL);

  // Other harts interrupt this one with a machine software interrupt.
  uint64 id = csr_read(mhartid);
  csr_write(mscratch, (uint64)mscratch_area[id]);
  csr_write(mtvec, (uint64)mtrapvec);
  csr_set(mie, MIE_MSIE);

  // The kernel finds its hart id in tp.
  asm volatile("mv tp, %0" : : "r"(id));

  asm volatile("mret");
}
