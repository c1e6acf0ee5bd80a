// The file system below the file descriptor layer, bottom up:
//   blocks       allocate and free data blocks (bitmap)
//   inodes       allocate, read, write and cache inodes; map file offsets
//                to blocks
//   directories  inodes holding struct dirent entries
//   names        resolve paths like /usr/rtm/xv6/fs.c
//
// Locks: itable.lock protects each cached inode's dev, inum and ref (and
// so which slot caches which inode); ip->lock (a sleeplock) protects the
// rest of the inode and its contents. Writes to the disk go through the
// log, inside begin_op()/end_op().

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "buf.h"
#include "file.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

#define min(a, b) ((a) < (b) ? (a) : (b))

// One superblock per disk, and there is only one disk.
static struct superblock sb;

static void
readsb(int dev, struct superblock *sb)
{
  struct buf *bp = bread(dev, 1);
  memmove(sb, bp->data, sizeof(*sb));
  brelse(bp);
}

void
fsinit(int dev)
{
  readsb(dev, &sb);
  if(sb.magic != FSMAGIC)
    panic("fsinit: bad file system magic");
  initlog(dev, &sb);
}

// ---- blocks ----

static void
bzero(int dev, int bno)
{
  struct buf *bp = bread(dev, bno);
  memset(bp->data, 0, BSIZE);
  log_write(bp);
  brelse(bp);
}

// A zeroed data block, or 0 if the disk is full.
static uint
balloc(uint dev)
{
  for(uint base = 0; base < sb.size; base += BPB){
    struct buf *bp = bread(dev, BBLOCK(base, sb));
    for(uint bi = 0; bi < BPB && base + bi < sb.size; bi++){
      int mask = 1 << (bi % 8);
      if((bp->data[bi/8] & mask) == 0){
        bp->data[bi/8] |= mask;
        log_write(bp);
        brelse(bp);
        bzero(dev, base + bi);
        return base + bi;
      }
    }
    brelse(bp);
  }
  printf("balloc: out of blocks\n");
  return 0;
}

static void
bfree(int dev, uint b)
{
  struct buf *bp = bread(dev, BBLOCK(b, sb));
  int bi = b % BPB;
  int mask = 1 << (bi % 8);

  if((bp->data[bi/8] & mask) == 0)
    panic("bfree: block already free");
  bp->data[bi/8] &= ~mask;
  log_write(bp);
  brelse(bp);
}

// ---- inodes ----
//
// A cached inode is referenced (ref > 0) by open files, working
// directories and code in the middle of using it; iget/iput count the
// references. ilock reads it from disk the first time and locks it.

static struct {
  struct spinlock lock;
  struct inode inode[NINODE];
} itable;

void
iinit(void)
{
  initlock(&itable.lock, "itable");
  for(int i = 0; i < NINODE; i++)
    initsleeplock(&itable.inode[i].lock, "inode");
}

// The cached inode for (dev, inum), unlocked, with a new reference, or
// 0 if every slot is in use. Reads nothing from disk.
static struct inode*
iget(uint dev, uint inum)
{
  struct inode *ip, *empty = 0;

  acquire(&itable.lock);
  for(ip = itable.inode; ip < &itable.inode[NINODE]; ip++){
    if(ip->ref > 0 && ip->dev == dev && ip->inum == inum){
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if(empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if(empty == 0){
    release(&itable.lock);
    printf("iget: no inodes\n");
    return 0;
  }

  ip = empty;
  ip->dev = dev;
  ip->inum = inum;
  ip->ref = 1;
  ip->valid = 0;
  release(&itable.lock);
  return ip;
}

// Allocate a free on-disk inode of the given type. Returns it unlocked
// and referenced, or 0 if none is free.
struct inode*
ialloc(uint dev, short type)
{
  for(uint inum = 1; inum < sb.ninodes; inum++){
    struct buf *bp = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = (struct dinode*)bp->data + inum % IPB;
    if(dip->type == 0){
      // Take the cache slot first, so that running out of slots leaves
      // the disk untouched.
      struct inode *ip = iget(dev, inum);
      if(ip){
        memset(dip, 0, sizeof(*dip));
        dip->type = type;
        log_write(bp);
      }
      brelse(bp);
      return ip;
    }
    brelse(bp);
  }
  printf("ialloc: no inodes\n");
  return 0;
}

// Write ip's fields to its disk inode. ip must be locked.
void
iupdate(struct inode *ip)
{
  struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode*)bp->data + ip->inum % IPB;

  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(bp);
  brelse(bp);
}

struct inode*
idup(struct inode *ip)
{
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

// Lock ip, reading it from disk if needed.
void
ilock(struct inode *ip)
{
  if(ip == 0 || ip->ref < 1)
    panic("ilock");

  acquiresleep(&ip->lock);
  if(!ip->valid){
    struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
    struct dinode *dip = (struct dinode*)bp->data + ip->inum % IPB;
    ip->type = dip->type;
    ip->major = dip->major;
    ip->minor = dip->minor;
    ip->nlink = dip->nlink;
    ip->size = dip->size;
    memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
    brelse(bp);
    ip->valid = 1;
    if(ip->type == 0)
      panic("ilock: no type");
  }
}

void
iunlock(struct inode *ip)
{
  if(ip == 0 || !holdingsleep(&ip->lock) || ip->ref < 1)
    panic("iunlock");
  releasesleep(&ip->lock);
}

// Drop a reference. The last reference to an inode no directory links to
// frees it on disk, so iput must run inside a transaction.
void
iput(struct inode *ip)
{
  acquire(&itable.lock);

  if(ip->ref == 1 && ip->valid && ip->nlink == 0){
    // No one else can hold or find this inode: ref is 1 and no link
    // names it, so locking it cannot block.
    acquiresleep(&ip->lock);
    release(&itable.lock);

    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;

    releasesleep(&ip->lock);
    acquire(&itable.lock);
  }

  ip->ref--;
  release(&itable.lock);
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// The disk block holding byte bn*BSIZE of ip, allocated if missing.
// Returns 0 if the disk is full.
static uint
bmap(struct inode *ip, uint bn)
{
  uint addr;

  if(bn < NDIRECT){
    if((addr = ip->addrs[bn]) == 0){
      addr = balloc(ip->dev);
      ip->addrs[bn] = addr;
    }
    return addr;
  }
  bn -= NDIRECT;
  if(bn >= NINDIRECT)
    panic("bmap: out of range");

  if((addr = ip->addrs[NDIRECT]) == 0){
    addr = balloc(ip->dev);
    if(addr == 0)
      return 0;
    ip->addrs[NDIRECT] = addr;
  }
  struct buf *bp = bread(ip->dev, addr);
  uint *a = (uint*)bp->data;
  if((addr = a[bn]) == 0){
    addr = balloc(ip->dev);
    if(addr){
      a[bn] = addr;
      log_write(bp);
    }
  }
  brelse(bp);
  return addr;
}

// Free all of ip's data blocks. ip must be locked.
void
itrunc(struct inode *ip)
{
  for(int i = 0; i < NDIRECT; i++){
    if(ip->addrs[i]){
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  }

  if(ip->addrs[NDIRECT]){
    struct buf *bp = bread(ip->dev, ip->addrs[NDIRECT]);
    uint *a = (uint*)bp->data;
    for(int j = 0; j < NINDIRECT; j++)
      if(a[j])
        bfree(ip->dev, a[j]);
    brelse(bp);
    bfree(ip->dev, ip->addrs[NDIRECT]);
    ip->addrs[NDIRECT] = 0;
  }

  ip->size = 0;
  iupdate(ip);
}

// ip must be locked.
void
stati(struct inode *ip, struct stat *st)
{
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// Read n bytes at offset off into dst (a user address if user_dst).
// Returns the bytes read, which stop early at end of file or on a bad
// user address. ip must be locked.
int
readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n)
{
  uint tot, m;

  if(off > ip->size || off + n < off)
    return 0;
  if(off + n > ip->size)
    n = ip->size - off;

  for(tot = 0; tot < n; tot += m, off += m, dst += m){
    uint addr = bmap(ip, off/BSIZE);
    if(addr == 0)
      break;
    struct buf *bp = bread(ip->dev, addr);
    m = min(n - tot, BSIZE - off%BSIZE);
    if(either_copyout(user_dst, dst, bp->data + (off % BSIZE), m) == -1){
      brelse(bp);
      tot = -1;
      break;
    }
    brelse(bp);
  }
  return tot;
}

// Write n bytes from src (a user address if user_src) at offset off,
// growing the file as needed. Returns the bytes written, which stop early
// when the disk fills or a user address is bad. ip must be locked.
int
writei(struct inode *ip, int user_src, uint64 src, uint off, uint n)
{
  uint tot, m;

  if(off > ip->size || off + n < off)
    return -1;
  if(off + n > MAXFILE*BSIZE)
    return -1;

  for(tot = 0; tot < n; tot += m, off += m, src += m){
    uint addr = bmap(ip, off/BSIZE);
    if(addr == 0)
      break;
    struct buf *bp = bread(ip->dev, addr);
    m = min(n - tot, BSIZE - off%BSIZE);
    if(either_copyin(bp->data + (off % BSIZE), user_src, src, m) == -1){
      brelse(bp);
      break;
    }
    log_write(bp);
    brelse(bp);
  }

  if(off > ip->size)
    ip->size = off;

  // bmap may have changed ip->addrs even when nothing was written.
  iupdate(ip);
  return tot;
}

// ---- directories ----

int
namecmp(const char *s, const char *t)
{
  return strncmp(s, t, DIRSIZ);
}

// The inode number name has in directory dp, or 0; *poff (if poff)
// gets the entry's offset.
static uint
dirfind(struct inode *dp, char *name, uint *poff)
{
  struct dirent de;

  if(dp->type != T_DIR)
    panic("dirfind: not a directory");

  for(uint off = 0; off < dp->size; off += sizeof(de)){
    if(readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      panic("dirfind: read");
    if(de.inum != 0 && namecmp(name, de.name) == 0){
      if(poff)
        *poff = off;
      return de.inum;
    }
  }
  return 0;
}

// Find name in directory dp; *poff (if poff) gets the entry's offset.
// Returns the inode unlocked and referenced, or 0 (also when the inode
// cache is full).
struct inode*
dirlookup(struct inode *dp, char *name, uint *poff)
{
  uint inum = dirfind(dp, name, poff);

  return inum ? iget(dp->dev, inum) : 0;
}

// Add the entry (name, inum) to directory dp, in the first free slot.
// Returns 0, or -1 if the name exists, dp was removed, or the disk is full.
int
dirlink(struct inode *dp, char *name, uint inum)
{
  struct dirent de;
  uint off;

  // A removed directory (still someone's cwd) takes no new entries.
  if(dp->nlink == 0 || dirfind(dp, name, 0) != 0)
    return -1;

  for(off = 0; off < dp->size; off += sizeof(de)){
    if(readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlink: read");
    if(de.inum == 0)
      break;
  }

  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  if(writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    return -1;
  return 0;
}

// ---- path names ----

// Copy the first element of path into name (DIRSIZ bytes, truncated) and
// return the rest, without leading slashes; 0 if there is no element.
//   skipelem("a/bb/c", name) = "bb/c", name = "a"
//   skipelem("///a//bb", name) = "bb", name = "a"
//   skipelem("", name) = skipelem("////", name) = 0
static char*
skipelem(char *path, char *name)
{
  while(*path == '/')
    path++;
  if(*path == 0)
    return 0;

  char *s = path;
  while(*path != '/' && *path != 0)
    path++;
  int len = path - s;
  if(len >= DIRSIZ){
    memmove(name, s, DIRSIZ);
  } else {
    memmove(name, s, len);
    name[len] = 0;
  }

  while(*path == '/')
    path++;
  return path;
}

// Walk path to its inode, or (parent) to the directory holding its last
// element, whose name goes in name. Must run inside a transaction, since
// it may iput.
static struct inode*
namex(char *path, int parent, char *name)
{
  struct inode *ip, *next;

  if(*path == 0)
    return 0;   // "" names nothing
  if(*path == '/')
    ip = iget(ROOTDEV, ROOTINO);
  else
    ip = idup(myproc()->cwd);
  if(ip == 0)
    return 0;

  while((path = skipelem(path, name)) != 0){
    ilock(ip);
    if(ip->type != T_DIR){
      iunlockput(ip);
      return 0;
    }
    if(parent && *path == 0){
      iunlock(ip);
      return ip;
    }
    if((next = dirlookup(ip, name, 0)) == 0){
      iunlockput(ip);
      return 0;
    }
    iunlockput(ip);
    ip = next;
  }
  if(parent){
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode*
namei(char *path)
{
  char name[DIRSIZ];
  return namex(path, 0, name);
}

struct inode*
nameiparent(char *path, char *name)
{
  return namex(path, 1, name);
}
