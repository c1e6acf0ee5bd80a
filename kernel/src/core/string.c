// The few C string and memory routines the kernel uses.
// gcc may also emit calls to memset, memmove and memcpy on its own.

#include "kernel/types.h"

void*
memset(void *dst, int c, uint n)
{
  uchar *d = dst;

  for(uint i = 0; i < n; i++)
    d[i] = c;
  return dst;
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;

  for(uint i = 0; i < n; i++)
    if(p[i] != q[i])
      return p[i] - q[i];
  return 0;
}

// Copies correctly even when the ranges overlap.
void*
memmove(void *dst, const void *src, uint n)
{
  const uchar *s = src;
  uchar *d = dst;

  if(n == 0)
    return dst;
  if(s < d && s + n > d){
    while(n-- > 0)
      d[n] = s[n];
  } else {
    for(uint i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
strncmp(const char *p, const char *q, uint n)
{
  for(; n > 0; n--, p++, q++){
    if(*p != *q)
      return (uchar)*p - (uchar)*q;
    if(*p == 0)
      return 0;
  }
  return 0;
}

// Copies at most n bytes and pads with NULs, like the standard one.
char*
strncpy(char *dst, const char *src, int n)
{
  int i = 0;

  for(; i < n && src[i]; i++)
    dst[i] = src[i];
  for(; i < n; i++)
    dst[i] = 0;
  return dst;
}

// Like strncpy, but always NUL-terminates (when n > 0).
char*
safestrcpy(char *dst, const char *src, int n)
{
  int i;

  if(n <= 0)
    return dst;
  for(i = 0; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}

int
strlen(const char *s)
{
  int n = 0;

  while(s[n])
    n++;
  return n;
}
