// The 16550 UART at COM1 (port 0x3F8, irq 4): console output through a
// small buffer drained by the transmit interrupt, and input handed to the
// console.
//
// tx.lock protects the output buffer; writers sleep on it when full.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

// Registers, as port offsets from COM1.
#define RHR 0                 // receive holding
#define THR 0                 // transmit holding
#define IER 1                 // interrupt enable
#define IER_RX  (1 << 0)
#define IER_TX  (1 << 1)
#define FCR 2                 // FIFO control
#define FCR_FIFO_ENABLE (1 << 0)
#define FCR_FIFO_CLEAR  (3 << 1)
#define ISR 2                 // interrupt status
#define LCR 3                 // line control
#define LCR_EIGHT_BITS  (3 << 0)
#define LCR_BAUD_LATCH  (1 << 7)
#define LSR 5                 // line status
#define LSR_RX_READY    (1 << 0)
#define LSR_TX_IDLE     (1 << 5)

#define MCR 4                 // modem control
#define MCR_DTR_RTS     (3 << 0)
#define MCR_OUT2        (1 << 3)   // gates the interrupt line on a PC

#define rd(r)     inb(COM1 + (r))
#define wr(r, v)  outb(COM1 + (r), (v))

#define TX_BUF_SIZE 32

static struct {
  struct spinlock lock;
  char buf[TX_BUF_SIZE];
  uint64 w;   // next slot to fill
  uint64 r;   // next byte to send
} tx;

static void uartstart(void);

void
uartinit(void)
{
  wr(IER, 0);

  // 38.4K baud: divisor 3, set through the baud latch.
  wr(LCR, LCR_BAUD_LATCH);
  wr(0, 0x03);
  wr(1, 0x00);

  wr(LCR, LCR_EIGHT_BITS);   // 8N1, latch off
  wr(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
  wr(MCR, MCR_DTR_RTS | MCR_OUT2);
  wr(IER, IER_TX | IER_RX);

  initlock(&tx.lock, "uart");
}

// Queue c for output, sleeping while the buffer is full. For write().
void
uartputc(int c)
{
  acquire(&tx.lock);
  if(panicked){
    for(;;)
      ;
  }
  while(tx.w == tx.r + TX_BUF_SIZE)
    sleep(&tx.r, &tx.lock);
  tx.buf[tx.w++ % TX_BUF_SIZE] = c;
  uartstart();
  release(&tx.lock);
}

// Send c now, spinning until the UART takes it. For printf and echo;
// works with interrupts off.
void
uartputc_sync(int c)
{
  push_off();
  if(panicked){
    for(;;)
      ;
  }
  while((rd(LSR) & LSR_TX_IDLE) == 0)
    ;
  wr(THR, c);
  pop_off();
}

// Feed the UART from the buffer while it can take more. tx.lock held.
static void
uartstart(void)
{
  while(tx.w != tx.r){
    if((rd(LSR) & LSR_TX_IDLE) == 0)
      return;   // the transmit interrupt calls again
    int c = tx.buf[tx.r++ % TX_BUF_SIZE];
    wakeup(&tx.r);
    wr(THR, c);
  }
}

// The UART interrupted: input arrived, output drained, or both.
void
uartintr(void)
{
  (void)rd(ISR);   // acknowledges the transmit interrupt

  while(rd(LSR) & LSR_RX_READY)
    consoleintr(rd(RHR));

  acquire(&tx.lock);
  uartstart();
  release(&tx.lock);
}
