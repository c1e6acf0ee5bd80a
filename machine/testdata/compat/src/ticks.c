// ticks.c: the shared S-mode half of the timer guests.
//
// ncpu and started are written by hart 0 before other harts read them
// (they wait for started); reported counts harts done, under atomics.

#include "ticks.h"

volatile uint64 ticks[MAXHARTS];
volatile uint32 early[MAXHARTS];

static int ncpu;
static volatile int started;
static volatile uint32 reported;

extern void svec(void);

void
ticks_boot(uint64 id, uint64 dtb)
{
  if (id != 0)
    return;
  uart_init();
  if (!fdt_valid((const void *)dtb))
    fail("no device tree at %p", dtb);
  ncpu = fdt_ncpus((const void *)dtb);
  if (ncpu < 1 || ncpu > MAXHARTS)
    fail("device tree has %d cpus", ncpu);
}

// await_tick sleeps until this hart's tick count passes seen. Interrupts
// are off between the check and wfi so a tick cannot slip in between;
// wfi wakes on the pending interrupt regardless.
static void
await_tick(int h, uint64 seen)
{
  intr_off();
  if (ticks[h] == seen)
    wfi();
  intr_on();
}

void
ticks_main(void)
{
  int h = hartid();
  csr_write(stvec, (uint64)svec);
  if (h == 0) {
    printf("%s: %d harts, %d ticks each\n", ticks_name, ncpu, NTICKS);
    fence();
    started = 1;
  } else {
    while (!started)
      ;
    fence();
  }
  intr_on();
  uint64 seen = 0;
  while (seen < NTICKS) {
    await_tick(h, seen);
    while (seen < ticks[h] && seen < NTICKS)
      printf("hart %d: tick %lu\n", h, ++seen);
  }
  const char *detail = ticks_detail ? ticks_detail(h) : "";
  printf("hart %d: %d ticks, %u early%s\n", h, NTICKS, early[h], detail);
  __sync_fetch_and_add(&reported, 1);
  if (h != 0)
    park();
  while (reported < (uint32)ncpu)
    ;
  printf("%s: pass\n", ticks_name);
  pass();
}
