// lib.c: locks, the polled console and printf, the test finisher, the
// M-mode to S-mode switch, and the few string functions gcc may call.
//
// printlock serialises printf so each message reaches the UART whole.

#include "lib.h"

#define LSR_THRE 0x20

static struct lock printlock;

void
acquire(struct lock *l)
{
  while (__sync_lock_test_and_set(&l->held, 1))
    ;
  __sync_synchronize();
}

void
release(struct lock *l)
{
  __sync_synchronize();
  __sync_lock_release(&l->held);
}

void
uart_init(void)
{
  reg8(UART0 + 1) = 0;          // IER: no interrupts
  reg8(UART0 + 3) = 0x80;       // LCR: divisor latch
  reg8(UART0 + 0) = 3;          // 38400 baud
  reg8(UART0 + 1) = 0;
  reg8(UART0 + 3) = 3;          // 8 bits, no parity, latch off
  reg8(UART0 + 2) = 7;          // FCR: FIFOs on and cleared
}

void
uart_putc_polled(int c)
{
  while ((reg8(UART0 + 5) & LSR_THRE) == 0)
    ;
  reg8(UART0) = c;
}

static int
putnum(char *buf, int size, int at, uint64 v, int base, int neg)
{
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg && at < size - 1)
    buf[at++] = '-';
  while (n > 0 && at < size - 1)
    buf[at++] = digits[--n];
  return at;
}

int
vformat(char *buf, int size, const char *fmt, va_list ap)
{
  int at = 0;
  for (; *fmt && at < size - 1; fmt++) {
    if (*fmt != '%') {
      buf[at++] = *fmt;
      continue;
    }
    int wide = 0;
    if (fmt[1] == 'l') {
      wide = 1;
      fmt++;
    }
    char conv = *++fmt;
    if (conv == 0)
      break;
    switch (conv) {
    case 'd': {
      long v = wide ? va_arg(ap, long) : va_arg(ap, int);
      at = putnum(buf, size, at, v < 0 ? -(uint64)v : (uint64)v, 10, v < 0);
      break;
    }
    case 'u':
      at = putnum(buf, size, at, wide ? va_arg(ap, uint64) : va_arg(ap, uint32), 10, 0);
      break;
    case 'x':
      at = putnum(buf, size, at, wide ? va_arg(ap, uint64) : va_arg(ap, uint32), 16, 0);
      break;
    case 'p':
      if (at < size - 2) {
        buf[at++] = '0';
        buf[at++] = 'x';
      }
      at = putnum(buf, size, at, va_arg(ap, uint64), 16, 0);
      break;
    case 'c':
      buf[at++] = va_arg(ap, int);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      while (*s && at < size - 1)
        buf[at++] = *s++;
      break;
    }
    default:
      buf[at++] = '%';
      if (at < size - 1)
        buf[at++] = conv;
    }
  }
  buf[at] = 0;
  return at;
}

static void
vprint(const char *fmt, va_list ap)
{
  char buf[256];
  int n = vformat(buf, sizeof buf, fmt, ap);
  for (int i = 0; i < n; i++)
    uart_putc_polled(buf[i]);
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  acquire(&printlock);
  vprint(fmt, ap);
  release(&printlock);
  va_end(ap);
}

void
park(void)
{
  for (;;)
    wfi();
}

void
pass(void)
{
  reg32(TESTDEV) = 0x5555;
  park();
}

// fail does not take printlock: it may run in a trap handler that
// interrupted a printf, and a failure message that mixes with another
// line is still a failure.
void
fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  const char *p = "FAIL: ";
  while (*p)
    uart_putc_polled(*p++);
  vprint(fmt, ap);
  uart_putc_polled('\n');
  va_end(ap);
  reg32(TESTDEV) = 0x3333 | (1 << 16);
  park();
}

void
delegate(void)
{
  csr_write(satp, 0);
  csr_write(medeleg, 0xffff);
  csr_write(mideleg, 0xffff);
  // One top-of-range PMP entry covering everything, read-write-execute:
  // without it QEMU denies S-mode every access.
  csr_write(pmpaddr0, 0x3fffffffffffffUL);
  csr_write(pmpcfg0, 0xf);
}

void
to_supervisor(void (*fn)(void))
{
  uint64 x = csr_read(mstatus);
  x = (x & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  csr_write(mstatus, x);
  csr_write(mepc, (uint64)fn);
  asm volatile("mret");
  __builtin_unreachable();
}

void *
memset(void *dst, int c, unsigned long n)
{
  char *d = dst;
  while (n--)
    *d++ = c;
  return dst;
}

void *
memcpy(void *dst, const void *src, unsigned long n)
{
  char *d = dst;
  const char *s = src;
  while (n--)
    *d++ = *s++;
  return dst;
}

int
strncmp(const char *a, const char *b, unsigned long n)
{
  for (; n > 0; n--, a++, b++) {
    if (*a != *b || *a == 0)
      return (uint8)*a - (uint8)*b;
  }
  return 0;
}

int
strcmp(const char *a, const char *b)
{
  return strncmp(a, b, (unsigned long)-1);
}

unsigned long
strlen(const char *s)
{
  unsigned long n = 0;
  while (s[n])
    n++;
  return n;
}

uint32
fnv1a(const void *p, unsigned long n)
{
  const uint8 *b = p;
  uint32 h = 2166136261u;
  while (n--) {
    h ^= *b++;
    h *= 16777619u;
  }
  return h;
}
