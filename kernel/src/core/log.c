// The file system's write-ahead log, which makes each system call's
// changes to the disk atomic with respect to crashes.
//
// A system call brackets its writes with begin_op()/end_op() and records
// each modified block with log_write() instead of bwrite(). When the last
// outstanding operation ends, commit() copies the modified blocks to the
// log area, writes the header (the commit point), installs the blocks at
// their home locations and clears the header. Recovery at boot replays a
// committed log.
//
// On disk: a header block (count n, then n home block numbers), followed
// by the logged copies of those blocks.
//
// log.lock protects every field of log; committing is done by one process
// at a time with no operation outstanding.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "buf.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

struct logheader {
  int n;
  int block[LOGSIZE];
};

static struct {
  struct spinlock lock;
  int start;            // first log block (the header)
  int size;             // log blocks, header included
  int outstanding;      // operations between begin_op and end_op
  int committing;
  int dev;
  struct logheader lh;  // blocks logged by the current transaction
} log;

static void recover_from_log(void);
static void commit(void);

void
initlog(int dev, struct superblock *sb)
{
  if(sizeof(struct logheader) >= BSIZE)
    panic("initlog: header too big");

  initlock(&log.lock, "log");
  log.start = sb->logstart;
  log.size = sb->nlog;
  log.dev = dev;
  recover_from_log();
}

// Copy each logged block to its home location. At boot (recovering) the
// buffers are not pinned.
static void
install_trans(int recovering)
{
  for(int i = 0; i < log.lh.n; i++){
    struct buf *lbuf = bread(log.dev, log.start + 1 + i);
    struct buf *dbuf = bread(log.dev, log.lh.block[i]);
    memmove(dbuf->data, lbuf->data, BSIZE);
    bwrite(dbuf);
    if(!recovering)
      bunpin(dbuf);
    brelse(lbuf);
    brelse(dbuf);
  }
}

static void
read_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  struct logheader *lh = (struct logheader *)b->data;

  log.lh.n = lh->n;
  if(log.lh.n < 0 || log.lh.n > LOGSIZE)
    panic("log: corrupt header");
  for(int i = 0; i < log.lh.n; i++)
    log.lh.block[i] = lh->block[i];
  brelse(b);
}

// Writing the header with n > 0 is the commit point; with n == 0 it
// erases the transaction.
static void
write_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  struct logheader *lh = (struct logheader *)b->data;

  lh->n = log.lh.n;
  for(int i = 0; i < log.lh.n; i++)
    lh->block[i] = log.lh.block[i];
  bwrite(b);
  brelse(b);
}

static void
recover_from_log(void)
{
  read_head();
  install_trans(1);
  log.lh.n = 0;
  write_head();
}

// Wait until the log surely has room for one more operation's writes.
void
begin_op(void)
{
  acquire(&log.lock);
  for(;;){
    if(log.committing){
      sleep(&log, &log.lock);
    } else if(log.lh.n + (log.outstanding+1)*MAXOPBLOCKS > LOGSIZE){
      sleep(&log, &log.lock);
    } else {
      log.outstanding += 1;
      release(&log.lock);
      break;
    }
  }
}

// End an operation; the last one out commits.
void
end_op(void)
{
  int do_commit = 0;

  acquire(&log.lock);
  log.outstanding -= 1;
  if(log.committing)
    panic("end_op: committing");
  if(log.outstanding == 0){
    do_commit = 1;
    log.committing = 1;
  } else {
    // This operation's reserved space is free again.
    wakeup(&log);
  }
  release(&log.lock);

  if(do_commit){
    // commit() sleeps on disk I/O, so it runs without log.lock.
    commit();
    acquire(&log.lock);
    log.committing = 0;
    wakeup(&log);
    release(&log.lock);
  }
}

// Copy the transaction's blocks from the cache into the log area.
static void
write_log(void)
{
  for(int i = 0; i < log.lh.n; i++){
    struct buf *to = bread(log.dev, log.start + 1 + i);
    struct buf *from = bread(log.dev, log.lh.block[i]);
    memmove(to->data, from->data, BSIZE);
    bwrite(to);
    brelse(from);
    brelse(to);
  }
}

static void
commit(void)
{
  if(log.lh.n == 0)
    return;
  write_log();
  write_head();
  install_trans(0);
  log.lh.n = 0;
  write_head();
}

// Record that b (locked, modified) belongs to the current transaction,
// and keep it cached until commit. Writing a block twice in one
// transaction logs it once.
void
log_write(struct buf *b)
{
  acquire(&log.lock);
  if(log.lh.n >= LOGSIZE || log.lh.n >= log.size - 1)
    panic("log_write: transaction too big");
  if(log.outstanding < 1)
    panic("log_write: outside of transaction");

  int i;
  for(i = 0; i < log.lh.n; i++)
    if(log.lh.block[i] == b->blockno)
      break;
  log.lh.block[i] = b->blockno;
  if(i == log.lh.n){
    bpin(b);
    log.lh.n++;
  }
  release(&log.lock);
}
