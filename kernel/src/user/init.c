// init: the first user process. It makes sure the console device exists,
// opens it as fds 0, 1 and 2, and keeps a shell running: it reaps every
// process that ends (orphans are handed to init) and starts a new shell
// when the current one exits.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CONSOLE_MAJOR 1

static char *sh_argv[] = { "sh", 0 };

static void
open_console(void)
{
  if(open("console", O_RDWR) < 0){
    mknod("console", CONSOLE_MAJOR, 0);
    if(open("console", O_RDWR) < 0)
      exit(1);   // nowhere even to complain
  }
  dup(0);   // stdout
  dup(0);   // stderr
}

int
main(void)
{
  open_console();
  for(;;){
    printf("init: starting sh\n");
    int sh = fork();
    if(sh < 0){
      printf("init: fork failed\n");
      exit(1);
    }
    if(sh == 0){
      exec("sh", sh_argv);
      printf("init: exec sh failed\n");
      exit(1);
    }
    // Reap orphans until the shell itself ends, then start another.
    int pid;
    while((pid = wait(0)) != sh){
      if(pid < 0){
        printf("init: wait returned an error\n");
        exit(1);
      }
    }
  }
}
