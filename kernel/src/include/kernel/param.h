// System-wide limits. Table sizes are static: xv6 allocates nothing at boot
// beyond physical pages.
#ifndef KERNEL_PARAM_H
#define KERNEL_PARAM_H

#define NPROC        64                 // processes and threads together
#define NCPU          8                 // harts supported
#define NOFILE       16                 // open files per process
#define NFILE       100                 // open files in the whole system
#define NINODE       50                 // in-memory inodes
#define NDEV         10                 // device major numbers
#define ROOTDEV       1                 // disk holding the root file system
#define MAXARG       32                 // exec arguments
#define MAXOPBLOCKS  10                 // blocks one FS operation may write
#define LOGSIZE      (MAXOPBLOCKS*3)    // data blocks in the on-disk log
#define NBUF         (MAXOPBLOCKS*3)    // buffer cache entries
#define FSSIZE       2000               // file system size in blocks
#define MAXPATH      128                // longest path name

#endif
