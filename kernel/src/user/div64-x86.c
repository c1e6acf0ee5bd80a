// div64-x86.c: 64-bit unsigned division for the x86 user library. gcc
// -m32 turns a uint64 / or % by a variable into a call to
// __udivmoddi4; this one, by shift and subtract, keeps the programs free
// of libgcc (and of whatever that was built with).
#include "kernel/types.h"

uint64 __udivmoddi4(uint64 n, uint64 d, uint64 *rem);

uint64
__udivmoddi4(uint64 n, uint64 d, uint64 *rem)
{
  uint64 q = 0, r = 0;

  if(d == 0){
    // Hardware would trap; give the largest quotient instead.
    if(rem)
      *rem = n;
    return ~0ULL;
  }
  for(int i = 63; i >= 0; i--){
    r = (r << 1) | ((n >> i) & 1);
    if(r >= d){
      r -= d;
      q |= 1ULL << i;
    }
  }
  if(rem)
    *rem = r;
  return q;
}
