// ls: list files. For each argument (default "."): a file prints one line,
// a directory one line per entry: name (padded), type, inode number, size.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static void
show(const char *name, struct stat *st)
{
  char padded[DIRSIZ+1];
  int n = strlen(name);
  if(n > DIRSIZ)
    n = DIRSIZ;
  memmove(padded, name, n);
  memset(padded + n, ' ', DIRSIZ - n);
  padded[DIRSIZ] = 0;
  printf("%s %d %d %ld\n", padded, st->type, st->ino, st->size);
}

// basename returns the part of path after its last '/'.
static const char*
basename(const char *path)
{
  const char *p = path + strlen(path);
  while(p > path && p[-1] != '/')
    p--;
  return p;
}

static void
ls(const char *path)
{
  struct stat st;
  int fd = open(path, O_RDONLY);
  if(fd < 0){
    fprintf(2, "ls: cannot open %s\n", path);
    return;
  }
  if(fstat(fd, &st) < 0){
    fprintf(2, "ls: cannot stat %s\n", path);
    close(fd);
    return;
  }
  if(st.type != T_DIR){
    show(basename(path), &st);
    close(fd);
    return;
  }

  char buf[512];
  if(strlen(path) + 1 + DIRSIZ + 1 > sizeof(buf)){
    fprintf(2, "ls: path too long\n");
    close(fd);
    return;
  }
  strcpy(buf, path);
  char *p = buf + strlen(buf);
  *p++ = '/';
  struct dirent de;
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0)
      continue;
    memmove(p, de.name, DIRSIZ);
    p[DIRSIZ] = 0;
    if(stat(buf, &st) < 0){
      fprintf(2, "ls: cannot stat %s\n", buf);
      continue;
    }
    show(p, &st);
  }
  close(fd);
}

int
main(int argc, char *argv[])
{
  if(argc < 2){
    ls(".");
    exit(0);
  }
  for(int i = 1; i < argc; i++)
    ls(argv[i]);
  exit(0);
}
