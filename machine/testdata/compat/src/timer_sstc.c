// timer_sstc.c: the timer of 2022+ xv6. M-mode enables the Sstc extension
// (menvcfg.STCE) and S-mode access to time (mcounteren.TM), sets the first
// deadline in stimecmp and leaves everything else to S-mode, whose timer
// interrupt handler sets the next deadline itself.
//
// deadline[h], stip_stuck[h] and stip_missing[h] belong to hart h's trap
// handler.

#include "ticks.h"

static uint64 deadline[MAXHARTS];
static uint32 stip_missing[MAXHARTS]; // STIP clear while taking the interrupt
static uint32 stip_stuck[MAXHARTS];   // STIP still set after a future stimecmp

const char *ticks_name = "timer-sstc";

static uint64
rdtime(void)
{
  return csr_read(time);
}

static void
set_stimecmp(uint64 v)
{
  asm volatile("csrw 0x14d, %0" : : "r"(v));
}

static const char *
detail(int h)
{
  return stip_missing[h] == 0 && stip_stuck[h] == 0 ? ", stip ok" : ", stip wrong";
}

const char *(*ticks_detail)(int hart) = detail;

void
strap(void)
{
  int h = hartid();
  uint64 cause = csr_read(scause);
  if (cause != (CAUSE_INTR | IRQ_S_TIMER))
    fail("hart %d: scause %p sepc %p", h, cause, csr_read(sepc));
  if ((csr_read(sip) & SIP_STIP) == 0)
    stip_missing[h]++;
  uint64 now = rdtime();
  if (now < deadline[h])
    early[h]++;
  deadline[h] = now + INTERVAL;
  set_stimecmp(deadline[h]);
  // Moving stimecmp past time drops STIP at once: no acknowledgement.
  // (Unless time has caught up with it already, as it may on QEMU when
  // the host deschedules this hart's thread: time is read after sip.)
  if ((csr_read(sip) & SIP_STIP) && rdtime() < deadline[h])
    stip_stuck[h]++;
  ticks[h]++;
}

void
mstart(uint64 id, uint64 dtb)
{
  ticks_boot(id, dtb);
  delegate();
  csr_write(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);
  csr_set(mie, MIE_STIE);
  asm volatile("csrs 0x30a, %0" : : "r"(MENVCFG_STCE));
  csr_set(mcounteren, MCOUNTEREN_TM);
  deadline[id] = rdtime() + INTERVAL;
  set_stimecmp(deadline[id]);
  to_supervisor(ticks_main);
}
