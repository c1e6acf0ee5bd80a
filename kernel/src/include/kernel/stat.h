// What fstat reports about a file.
#ifndef KERNEL_STAT_H
#define KERNEL_STAT_H

#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device special file

struct stat {
  int dev;      // disk device
  uint ino;     // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE
  short nlink;  // directory entries pointing here
  uint64 size;  // bytes
};

#endif
