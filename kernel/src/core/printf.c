// Formatted output to the console, and panic.
// pr.lock keeps lines from different CPUs from interleaving.

#include <stdarg.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

volatile int panicked = 0;

static struct {
  struct spinlock lock;
  int locking;          // off once panicking, so panic always prints
} pr;

static const char digits[] = "0123456789abcdef";

static void
printnum(uint64 x, int base, int negative)
{
  char buf[24];
  int i = 0;

  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while(x != 0);
  if(negative)
    buf[i++] = '-';
  while(--i >= 0)
    consputc(buf[i]);
}

static void
printsigned(long long x)
{
  if(x < 0)
    printnum(-(uint64)x, 10, 1);
  else
    printnum(x, 10, 0);
}

static void
printptr(uint64 x)
{
  consputc('0');
  consputc('x');
  for(int i = 60; i >= 0; i -= 4)
    consputc(digits[(x >> i) & 0xF]);
}

static void
printstr(const char *s)
{
  if(s == 0)
    s = "(null)";
  for(; *s; s++)
    consputc(*s);
}

// Supports %d %u %x %p %s %c %% with optional l or ll on the integers.
int
printf(char *fmt, ...)
{
  va_list ap;
  int locking = pr.locking;

  if(locking)
    acquire(&pr.lock);

  va_start(ap, fmt);
  for(int i = 0; fmt[i]; i++){
    char c = fmt[i];
    if(c != '%'){
      consputc(c);
      continue;
    }
    int longs = 0;
    while(fmt[i+1] == 'l'){
      longs++;
      i++;
    }
    c = fmt[++i];
    if(c == 0)
      break;
    switch(c){
    case 'd':
      printsigned(longs ? va_arg(ap, long long) : va_arg(ap, int));
      break;
    case 'u':
      printnum(longs ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0);
      break;
    case 'x':
      printnum(longs ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0);
      break;
    case 'p':
      printptr(va_arg(ap, uintptr));
      break;
    case 's':
      printstr(va_arg(ap, char*));
      break;
    case 'c':
      consputc(va_arg(ap, int));
      break;
    case '%':
      consputc('%');
      break;
    default:
      consputc('%');
      consputc(c);
      break;
    }
  }
  va_end(ap);

  if(locking)
    release(&pr.lock);
  return 0;
}

// Stop every other hart, then print "panic: s" and stop this one. The
// others go first so that their console output cannot run into ours.
void
panic(char *s)
{
  halt_others();
  pr.locking = 0;
  printf("panic: %s\n", s);
  panicked = 1;        // freezes any later console output
  for(;;)
    ;
}

void
printfinit(void)
{
  initlock(&pr.lock, "pr");
  pr.locking = 1;
}
