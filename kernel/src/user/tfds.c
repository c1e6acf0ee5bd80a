// tfds: file descriptors and threads (threads lab grade test). A thread
// starts with the descriptors of the process, sharing their open files
// (and so their offsets); a file it opens or closes changes only its own
// table. Prints "tfds: PASSED" or "tfds: FAILED: <why>".
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define FAIL(...) do { printf("tfds: FAILED: "); printf(__VA_ARGS__); printf("\n"); exit(1); } while(0)

static volatile int wrote, closed, opened = -2;

static void
writer(void *a, void *b)
{
  int fd = *(int*)a;
  wrote = write(fd, "abc", 3);
  exit(0);
}

static void
closer(void *a, void *b)
{
  closed = close(*(int*)a);
  opened = open("tfds.b", O_CREATE|O_RDWR);
  exit(0);
}

int
main(int argc, char *argv[])
{
  int fd = open("tfds.a", O_CREATE|O_RDWR);
  if(fd < 0)
    FAIL("open tfds.a failed");

  // The thread writes through the descriptor it was handed, then main
  // writes after it: one shared offset gives "abcdef".
  int t = thread_create(writer, &fd, 0);
  if(t <= 0 || thread_join() != t)
    FAIL("thread_create/thread_join failed");
  if(wrote != 3)
    FAIL("the thread's write to an inherited fd returned %d", wrote);
  if(write(fd, "def", 3) != 3)
    FAIL("main's write failed");
  close(fd);
  char buf[8];
  memset(buf, 0, sizeof(buf));
  fd = open("tfds.a", O_RDONLY);
  int n = read(fd, buf, sizeof(buf));
  close(fd);
  if(n != 6 || strcmp(buf, "abcdef") != 0)
    FAIL("file holds \"%s\" (%d bytes), want \"abcdef\": the offset was not shared", buf, n);

  // Closing in the thread leaves main's descriptor open.
  int p[2];
  if(pipe(p) < 0)
    FAIL("pipe failed");
  t = thread_create(closer, &p[1], 0);
  if(t <= 0 || thread_join() != t)
    FAIL("thread_create/thread_join failed");
  if(closed != 0)
    FAIL("close in the thread returned %d", closed);
  if(opened < 0)
    FAIL("open in the thread failed");
  if(write(p[1], "x", 1) != 1)
    FAIL("a descriptor closed in a thread was closed in main too");
  if(read(p[0], buf, 1) != 1 || buf[0] != 'x')
    FAIL("the pipe lost its byte");
  close(p[0]);
  close(p[1]);
  unlink("tfds.a");
  unlink("tfds.b");
  printf("tfds: PASSED\n");
  exit(0);
}
