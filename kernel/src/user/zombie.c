// zombie: leave a child as a zombie for a while: the child exits at once,
// the parent sleeps without waiting for it, then exits (init reaps both).
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  if(fork() > 0)
    sleep(5);
  exit(0);
}
