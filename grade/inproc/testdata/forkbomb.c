// A user test program that fork-bombs: every process forks for ever, so
// the process table fills and every CPU stays busy failing forks. Built
// against our user library by the hostile-kernel test.
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  printf("forkbomb: starting\n");
  for(;;)
    fork();
}
