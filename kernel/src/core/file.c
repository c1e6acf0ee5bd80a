// Open files: the table of struct file shared by all processes, and
// read/write/stat dispatched to pipes, inodes and devices.
// ftable.lock protects every f->ref (and so which entries are free).

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/stat.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "file.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

struct devsw devsw[NDEV];

static struct {
  struct spinlock lock;
  struct file file[NFILE];
} ftable;

void
fileinit(void)
{
  initlock(&ftable.lock, "ftable");
}

// A free file with one reference, or 0.
struct file*
filealloc(void)
{
  acquire(&ftable.lock);
  for(struct file *f = ftable.file; f < ftable.file + NFILE; f++){
    if(f->ref == 0){
      f->ref = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file*
filedup(struct file *f)
{
  acquire(&ftable.lock);
  if(f->ref < 1)
    panic("filedup");
  f->ref++;
  release(&ftable.lock);
  return f;
}

// Drop a reference; the last one closes the pipe end or inode.
void
fileclose(struct file *f)
{
  acquire(&ftable.lock);
  if(f->ref < 1)
    panic("fileclose");
  if(--f->ref > 0){
    release(&ftable.lock);
    return;
  }
  struct file ff = *f;
  f->ref = 0;
  f->type = FD_NONE;
  release(&ftable.lock);

  if(ff.type == FD_PIPE){
    pipeclose(ff.pipe, ff.writable);
  } else if(ff.type == FD_INODE || ff.type == FD_DEVICE){
    begin_op();
    iput(ff.ip);
    end_op();
  }
}

// Copy f's metadata to the struct stat at user address addr.
int
filestat(struct file *f, uint64 addr)
{
  struct stat st;

  if(f->type != FD_INODE && f->type != FD_DEVICE)
    return -1;
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return user_copyout(addr, &st, sizeof(st));
}

static int
validdev(short major)
{
  return major >= 0 && major < NDEV;
}

// Read up to n bytes into user address addr.
int
fileread(struct file *f, uint64 addr, int n)
{
  int r;

  if(!f->readable)
    return -1;

  switch(f->type){
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE:
    if(!validdev(f->major) || !devsw[f->major].read)
      return -1;
    return devsw[f->major].read(1, addr, n);
  case FD_INODE:
    ilock(f->ip);
    if((r = readi(f->ip, 1, addr, f->off, n)) > 0)
      f->off += r;
    iunlock(f->ip);
    return r;
  default:
    panic("fileread");
  }
}

// Write an inode in transactions of a few blocks each, so that one
// write never overflows the log.
static int
inodewrite(struct file *f, uint64 addr, int n)
{
  // Each transaction may also touch the inode, an indirect block and two
  // bitmap blocks; writei's unaligned start may cost one more block.
  int max = ((MAXOPBLOCKS-1-1-2) / 2) * BSIZE;
  int i = 0;

  while(i < n){
    int n1 = n - i;
    if(n1 > max)
      n1 = max;

    begin_op();
    ilock(f->ip);
    int r = writei(f->ip, 1, addr + i, f->off, n1);
    if(r > 0)
      f->off += r;
    iunlock(f->ip);
    end_op();

    if(r != n1)
      break;   // a writei error
    i += r;
  }
  return i == n ? n : -1;
}

// Write n bytes from user address addr.
int
filewrite(struct file *f, uint64 addr, int n)
{
  if(!f->writable)
    return -1;

  switch(f->type){
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE:
    if(!validdev(f->major) || !devsw[f->major].write)
      return -1;
    return devsw[f->major].write(1, addr, n);
  case FD_INODE:
    return inodewrite(f, addr, n);
  default:
    panic("filewrite");
  }
}
