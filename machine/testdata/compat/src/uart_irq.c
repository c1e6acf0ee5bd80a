// uart_irq.c: the interrupt-driven console of xv6, in two generations.
// Built plain (uart-irq, as 2024 xv6): output writes one byte to THR and
// sleeps until the THR-empty interrupt, acknowledged by reading ISR, says
// it may write the next. Built with TXRING=1 (uart-ring, as 2020-2023
// xv6): output goes into a ring that is sent whenever LSR says THR is
// empty, from the writer and from the interrupt handler, and ISR is never
// read, so the THR-empty interrupt is never acknowledged and the line
// stays high: each new cause must still reach the PLIC as a new request,
// and the unacknowledged one must not interrupt forever. Input arrives by
// receive interrupts in both. Interrupts come through the PLIC to the
// S-mode context of a hart, which claims the UART's irq and completes it.
//
// The guest runs one phase per hart, in hart order: only that hart's S
// context has the UART enabled, the hart prints a prompt "hart N> ",
// echoes a line typed at it, and prints the line back. A last phase
// enables the UART on every hart's context at once ("all> "): whichever
// hart claims an interrupt serves it, and the printing hart polls instead
// of sleeping, since another hart may take its wakeup.
//
// uartlock protects tx_busy, the tx ring and the UART registers against
// a handler on another hart. rx is a single-producer ring (the handler:
// the PLIC hands the irq to one claimant at a time) with a single
// consumer (the phase's hart). turn is written only by the hart whose
// phase ends.

#include "lib.h"
#include "plic.h"

#define RHR 0
#define THR 0
#define IER 1
#define ISR 2
#define FCR 2
#define LCR 3
#define LSR 5

#define IER_RX 1
#define IER_TX 2
#define LSR_DR 1
#define LSR_THRE 0x20

#define ALL MAXHARTS            // the value of turn in the shared phase
#define LINE 32

#ifndef TXRING
#define TXRING 0
#endif

#if TXRING
#define NAME "uart-ring"
#else
#define NAME "uart-irq"
#endif

static struct lock uartlock;
static volatile int tx_busy;    // uart-irq: a byte is out, its interrupt not yet in
static char txq[32];            // uart-ring: bytes waiting for THR
static uint32 txq_w, txq_r;
static volatile char rx[64];
static volatile uint32 rx_w, rx_r;
static volatile int turn;
static volatile int shared;     // the last phase: no wfi, wakeups go astray
static int ncpu;

extern void svec(void);

static uint8
uart_reg(int r)
{
  return reg8(UART0 + r);
}

static void
uart_set(int r, uint8 v)
{
  reg8(UART0 + r) = v;
}

// uart_start sends queued bytes while THR is empty (uart-ring).
static void
uart_start(void)
{
  while (txq_r != txq_w && (uart_reg(LSR) & LSR_THRE)) {
    uart_set(THR, txq[txq_r % sizeof txq]);
    txq_r++;
  }
}

// uartintr serves whatever the UART wants: received bytes go to rx, and
// an empty THR ends the writer's wait (uart-irq: reading ISR acknowledges
// a THR-empty interrupt) or sends the next queued bytes (uart-ring).
static void
uartintr(void)
{
  acquire(&uartlock);
  if (!TXRING)
    (void)uart_reg(ISR);
  while (uart_reg(LSR) & LSR_DR) {
    char c = uart_reg(RHR);
    if (rx_w - rx_r < sizeof rx) {
      rx[rx_w % sizeof rx] = c;
      fence();
      rx_w++;
    }
  }
  if (TXRING)
    uart_start();
  else if (uart_reg(LSR) & LSR_THRE)
    tx_busy = 0;
  release(&uartlock);
}

void
strap(void)
{
  int h = hartid();
  uint64 cause = csr_read(scause);
  if (cause != (CAUSE_INTR | IRQ_S_EXT))
    fail("hart %d: scause %p sepc %p stval %p", h, cause, csr_read(sepc), csr_read(stval));
  uint32 irq = reg32(PLIC_SCLAIM(h));
  if (irq == UART0_IRQ)
    uartintr();
  else if (irq != 0)
    fail("hart %d: unexpected irq %u", h, irq);
  if (irq)
    reg32(PLIC_SCLAIM(h)) = irq;
}

// sleep waits for an interrupt with interrupts off on entry, and returns
// with them off again after the handler has run. In the shared phase it
// only lets a pending interrupt in, since the one that ends the wait may
// go to another hart.
static void
sleep(void)
{
  if (!shared)
    wfi();
  intr_on();
  intr_off();
}

static void
tx(char c)
{
  intr_off();
  for (;;) {
    acquire(&uartlock);
    if (TXRING ? txq_w - txq_r < sizeof txq : !tx_busy)
      break;
    release(&uartlock);
    sleep();
  }
  if (TXRING) {
    txq[txq_w % sizeof txq] = c;
    txq_w++;
    uart_start();
  } else {
    uart_set(THR, c);
    tx_busy = 1;
  }
  release(&uartlock);
  intr_on();
}

// drain waits until the last byte written has left (uart-ring) or its
// THR-empty interrupt has come (uart-irq), so that nothing is outstanding
// when the phase moves to another hart.
static void
drain(void)
{
  intr_off();
  while (TXRING ? txq_r != txq_w : tx_busy)
    sleep();
  intr_on();
}

static void
cprintf(const char *fmt, ...)
{
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vformat(buf, sizeof buf, fmt, ap);
  va_end(ap);
  for (int i = 0; i < n; i++)
    tx(buf[i]);
}

static char
rxc(void)
{
  intr_off();
  while (rx_r == rx_w)
    sleep();
  intr_on();
  fence();
  char c = rx[rx_r % sizeof rx];
  rx_r++;
  return c;
}

// readline echoes what is typed up to a newline, which it drops.
static int
readline(char *line)
{
  int n = 0;
  for (;;) {
    char c = rxc();
    if (c == '\r' || c == '\n') {
      tx('\n');
      break;
    }
    tx(c);
    if (n < LINE - 1)
      line[n++] = c;
  }
  line[n] = 0;
  return n;
}

static void
phase(const char *who)
{
  char line[LINE];
  cprintf("%s> ", who);
  int n = readline(line);
  cprintf("%s: got \"%s\" (%d bytes)\n", who, line, n);
}

static void
smain(void)
{
  int h = hartid();
  csr_write(stvec, (uint64)svec);
  reg32(PLIC_STHRESHOLD(h)) = 0;
  intr_on();

  while (turn != h)
    ;
  reg32(PLIC_SENABLE(h)) = 1 << UART0_IRQ;
  if (h == 0)
    cprintf(NAME ": %d harts\n", ncpu);
  char who[] = "hart 0";
  who[5] = '0' + h;
  phase(who);
  drain();
  reg32(PLIC_SENABLE(h)) = 0;
  fence();
  turn = h + 1 < ncpu ? h + 1 : ALL;

  while (turn != ALL)
    ;
  reg32(PLIC_SENABLE(h)) = 1 << UART0_IRQ;
  if (h != 0)
    park();
  shared = 1;
  phase("all");
  cprintf(NAME ": pass\n");
  drain();
  pass();
}

void
mstart(uint64 id, uint64 dtb)
{
  if (id == 0) {
    ncpu = fdt_ncpus((const void *)dtb);
    uart_set(IER, 0);
    uart_set(LCR, 0x80);
    uart_set(0, 3);
    uart_set(1, 0);
    uart_set(LCR, 3);
    uart_set(FCR, 7);
    reg32(PLIC_PRIORITY(UART0_IRQ)) = 1;
    uart_set(IER, IER_RX | IER_TX);
    if (ncpu < 1 || ncpu > MAXHARTS) {
      uart_init();
      fail("device tree has %d cpus", ncpu);
    }
  }
  delegate();
  csr_write(sie, SIE_SEIE);
  to_supervisor(smain);
}
