// timer_clint.c: the timer of 2019-2021 xv6. Each hart programs its CLINT
// comparator from M-mode and takes machine timer interrupts in clintvec,
// which re-arms the comparator using the hart's mscratch area and hands
// the tick to S-mode as a supervisor software interrupt (SSIP). The
// S-mode handler acknowledges SSIP and counts the tick.
//
// scratch[h] belongs to hart h's M-mode handler; epoch[h] is written in
// M-mode before the timer starts and only read afterwards.

#include "ticks.h"

// Layout of a hart's scratch area, shared with clintvec.S.
enum { SAVE0, SAVE1, SAVE2, CMPADDR, STEP, NSCRATCH = 8 };

static uint64 scratch[MAXHARTS][NSCRATCH];
static uint64 epoch[MAXHARTS];  // mtime when the hart armed its timer

extern void clintvec(void);
extern void svec(void);

const char *ticks_name = "timer-clint";
const char *(*ticks_detail)(int hart);

void
strap(void)
{
  int h = hartid();
  uint64 cause = csr_read(scause);
  if (cause != (CAUSE_INTR | IRQ_S_SOFT))
    fail("hart %d: scause %p sepc %p", h, cause, csr_read(sepc));
  csr_clear(sip, SIP_SSIP);
  uint64 n = ticks[h] + 1;
  // The nth tick cannot come before the nth deadline.
  if (reg64(CLINT_MTIME) < epoch[h] + n * INTERVAL)
    early[h]++;
  ticks[h] = n;
}

void
mtrap_unexpected(uint64 cause, uint64 epc)
{
  fail("hart %d: M-mode trap mcause %p mepc %p", (int)csr_read(mhartid), cause, epc);
}

void
mstart(uint64 id, uint64 dtb)
{
  ticks_boot(id, dtb);
  delegate();
  csr_write(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);
  uint64 *s = scratch[id];
  s[CMPADDR] = CLINT_MTIMECMP(id);
  s[STEP] = INTERVAL;
  epoch[id] = reg64(CLINT_MTIME);
  reg64(CLINT_MTIMECMP(id)) = epoch[id] + INTERVAL;
  csr_write(mscratch, (uint64)s);
  csr_write(mtvec, (uint64)clintvec);
  csr_set(mstatus, MSTATUS_MIE);
  csr_set(mie, MIE_MTIE);
  to_supervisor(ticks_main);
}
