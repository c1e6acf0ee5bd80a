// stressfs: several processes write and read back their own files at the
// same time, to exercise the log and buffer cache under concurrency.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define NCHILD  4
#define NBLOCKS 20

int
main(void)
{
  static char data[512];
  char name[] = "stressfs0";
  int i;

  printf("stressfs starting\n");
  for(i = 0; i < NCHILD; i++)
    if(fork() == 0)
      break;

  // The parent takes the last slot, so NCHILD+1 writers run at once.
  printf("write %d\n", i);
  name[8] = '0' + i;
  memset(data, 'a' + i, sizeof(data));
  int fd = open(name, O_CREATE|O_RDWR);
  if(fd < 0){
    printf("stressfs: cannot create %s\n", name);
    exit(1);
  }
  for(int b = 0; b < NBLOCKS; b++)
    if(write(fd, data, sizeof(data)) != sizeof(data)){
      printf("stressfs: write %s failed\n", name);
      exit(1);
    }
  close(fd);

  printf("read\n");
  fd = open(name, O_RDONLY);
  for(int b = 0; b < NBLOCKS; b++){
    if(read(fd, data, sizeof(data)) != sizeof(data) || data[0] != 'a' + i
       || data[sizeof(data)-1] != 'a' + i){
      printf("stressfs: %s reads back wrong\n", name);
      exit(1);
    }
  }
  close(fd);
  unlink(name);

  if(i == NCHILD){
    for(int c = 0; c < NCHILD; c++)
      wait(0);
    printf("stressfs done\n");
  }
  exit(0);
}
