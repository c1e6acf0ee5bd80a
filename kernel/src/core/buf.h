// A cached disk block.
#ifndef BUF_H
#define BUF_H

struct buf {
  int valid;             // data holds the block's contents
  int disk;              // the disk driver owns the buffer
  uint dev;
  uint blockno;
  struct sleeplock lock; // held by the one user of data
  uint refcnt;           // protected by bcache.lock
  struct buf *prev;      // LRU list, most recent first
  struct buf *next;
  uchar data[BSIZE];
};

#endif
