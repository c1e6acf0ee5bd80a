// printf.c: formatted output to a file descriptor. Output is gathered in a
// buffer on the caller's stack and written once per call (or per full
// buffer), so lines from concurrent processes do not interleave by byte.
#include <stdarg.h>

#include "kernel/types.h"
#include "user/user.h"

// user.h makes printf a macro choosing between the two below.
#undef printf

struct out {
  int fd;
  int n;
  char buf[128];
};

static void
flush(struct out *o)
{
  if(o->n > 0)
    write(o->fd, o->buf, o->n);
  o->n = 0;
}

static void
putc(struct out *o, char c)
{
  if(o->n == sizeof(o->buf))
    flush(o);
  o->buf[o->n++] = c;
}

static void
puts(struct out *o, const char *s)
{
  if(s == 0)
    s = "(null)";
  while(*s)
    putc(o, *s++);
}

static const char digits[] = "0123456789abcdef";

// putnum prints x in base; if sign is set, x holds a signed value.
static void
putnum(struct out *o, uint64 x, int base, int sign)
{
  char tmp[24];
  int i = 0, neg = 0;
  if(sign && (long long)x < 0){
    neg = 1;
    x = -x;
  }
  do {
    tmp[i++] = digits[x % base];
    x /= base;
  } while(x != 0);
  if(neg)
    tmp[i++] = '-';
  while(--i >= 0)
    putc(o, tmp[i]);
}

static void
putptr(struct out *o, uint64 x)
{
  putc(o, '0');
  putc(o, 'x');
  for(int i = 60; i >= 0; i -= 4)
    putc(o, digits[(x >> i) & 0xf]);
}

static void
vprintf(int fd, const char *fmt, va_list ap)
{
  struct out o;
  o.fd = fd;
  o.n = 0;
  for(const char *p = fmt; *p; p++){
    if(*p != '%'){
      putc(&o, *p);
      continue;
    }
    char c = *++p;
    int wide = 0;
    while(c == 'l'){
      wide = 1;
      c = *++p;
    }
    switch(c){
    case 'd':
      putnum(&o, wide ? va_arg(ap, uint64) : (uint64)va_arg(ap, int), 10, 1);
      break;
    case 'u':
      putnum(&o, wide ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0);
      break;
    case 'x':
      putnum(&o, wide ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0);
      break;
    case 'p':
      putptr(&o, (unsigned long)va_arg(ap, void*));
      break;
    case 's':
      puts(&o, va_arg(ap, const char*));
      break;
    case 'c':
      putc(&o, va_arg(ap, int));
      break;
    case '%':
      putc(&o, '%');
      break;
    default:
      if(wide){
        // A bare %l, as old xv6 printed a uint64.
        putnum(&o, va_arg(ap, uint64), 10, 0);
        p--;
        break;
      }
      // Unknown conversion: print it as written.
      putc(&o, '%');
      if(c == 0)
        p--;
      else
        putc(&o, c);
    }
  }
  flush(&o);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintf(fd, fmt, ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintf(1, fmt, ap);
  va_end(ap);
}
