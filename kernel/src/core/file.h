// Open files, in-memory inodes and the device switch.
#ifndef FILE_H
#define FILE_H

struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;               // protected by ftable.lock
  char readable;
  char writable;
  struct pipe *pipe;     // FD_PIPE
  struct inode *ip;      // FD_INODE and FD_DEVICE
  uint off;              // FD_INODE; protected by ip->lock
  short major;           // FD_DEVICE
};

#define major(dev)  ((dev) >> 16 & 0xFFFF)
#define minor(dev)  ((dev) & 0xFFFF)
#define mkdev(m,n)  ((uint)((m)<<16| (n)))

// In-memory copy of an inode. dev, inum and ref are protected by
// itable.lock; the rest by lock.
struct inode {
  uint dev;
  uint inum;
  int ref;
  struct sleeplock lock;
  int valid;             // the fields below were read from disk

  short type;
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NDIRECT+1];
};

// Read and write entry points of a character device. user_dst/user_src say
// whether the address is a user virtual address.
struct devsw {
  int (*read)(int user_dst, uint64 dst, int n);
  int (*write)(int user_src, uint64 src, int n);
};

extern struct devsw devsw[];

#define CONSOLE 1

#endif
