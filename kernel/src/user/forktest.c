// forktest: fork until the process table is full, check that it fills at a
// sane size, then reap every child and check that none is left.
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"

static void
say(const char *s)
{
  write(1, s, strlen(s));   // no printf: keep the program small, like xv6's
}

int
main(void)
{
  int n;
  say("fork test\n");
  for(n = 0; n < NPROC + 10; n++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0)
      exit(0);
  }
  if(n == NPROC + 10){
    say("fork test: fork never failed, process table unbounded?\n");
    exit(1);
  }
  for(; n > 0; n--){
    if(wait(0) < 0){
      say("fork test: wait stopped early\n");
      exit(1);
    }
  }
  if(wait(0) != -1){
    say("fork test: wait found an extra child\n");
    exit(1);
  }
  say("fork test OK\n");
  exit(0);
}
