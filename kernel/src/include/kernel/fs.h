// On-disk file system format, shared by the kernel and mkfs.
//
// Disk layout, in 1024-byte blocks:
//   [ boot | super | log (header + data) | inodes | free bitmap | data ]
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#define ROOTINO  1      // inode number of the root directory
#define BSIZE    1024   // block size

#define FSMAGIC  0x10203040

struct superblock {
  uint magic;        // FSMAGIC
  uint size;         // total blocks in the image
  uint nblocks;      // data blocks
  uint ninodes;      // inodes
  uint nlog;         // log blocks, header included
  uint logstart;     // first log block
  uint inodestart;   // first inode block
  uint bmapstart;    // first free-bitmap block
};

#define NDIRECT    12
#define NINDIRECT  (BSIZE / sizeof(uint))
#define MAXFILE    (NDIRECT + NINDIRECT)

// On-disk inode.
struct dinode {
  short type;               // 0 when free, else T_DIR/T_FILE/T_DEVICE
  short major;              // device major (T_DEVICE)
  short minor;              // device minor (T_DEVICE)
  short nlink;              // directory entries pointing here
  uint size;                // bytes
  uint addrs[NDIRECT+1];    // data blocks; the last is the indirect block
};

#define IPB           (BSIZE / sizeof(struct dinode))   // inodes per block
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)     // block holding inode i
#define BPB           (BSIZE * 8)                       // bitmap bits per block
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)      // bitmap block for block b

#define DIRSIZ 14

// A directory is a file of these; inum 0 marks a free slot. name is not
// NUL-terminated when it is DIRSIZ bytes long.
struct dirent {
  ushort inum;
  char name[DIRSIZ];
};

#endif
