// The few C string and memory routines the kernel uses.
// gcc may also emit calls to memset, memmove and memcpy on its own.

#include "kernel/types.h"

// Word-aligned runs go eight bytes at a time: page clearing dominates.
void*
memset(void *dst, int c, uint n)
{
  uchar *d = dst, *end = d + n;

  if(((uint64)d & 7) == 0){
    uint64 pattern = (uchar)c * 0x0101010101010101ULL;
    for(; d + 8 <= end; d += 8)
      *(uint64*)d = pattern;
  }
  for(; d < end; d++)
    *d = c;
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
    return dst;
  }
  uchar *end = d + n;
  if((((uint64)s | (uint64)d) & 7) == 0)
    for(; d + 8 <= end; d += 8, s += 8)
      *(uint64*)d = *(const uint64*)s;
  for(; d < end; d++, s++)
    *d = *s;
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
