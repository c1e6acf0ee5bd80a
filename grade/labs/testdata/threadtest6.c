// A threadtest in the style of the course's older version, written for
// xv6emu's tests: six cases, each printing its own literal line.
// (Comments such as "TEST7 PASSED" or TEST9 do not count.)
#include "kernel/types.h"
#include "user/user.h"

static void
pass(char *what)
{
  printf("%s PASSED\n", what);
}

int
main(void)
{
  if(clone_and_join() == 0) pass("TEST1");
  if(join_twice() == 0) pass("TEST2");
  if(ticket_lock() == 0) pass("TEST3");
  if(many_threads() == 0) pass("TEST4");
  if(thread_exit() == 0) pass("TEST5");
  /* TEST6 checks that a thread's trapframe is its own. */
  if(own_trapframe() == 0) printf("TEST6 PASSED\n");
  else printf("TEST6 FAILED\n");
  exit(0);
}
