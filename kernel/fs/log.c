/*
 * The write-ahead log: it makes each system call's changes to the disk
 * atomic with respect to crashes.
 *
 * A system call brackets its work with begin_op() and end_op(), and marks
 * each block it changes with log_write() instead of writing it. Nothing
 * reaches the file system proper until the transaction commits:
 *   1. each changed block is copied into the log area of the disk;
 *   2. the log header is written, listing where those blocks belong:
 *      this single block write is the commit point;
 *   3. each block is written to its home location ("installed");
 *   4. the header is written again, empty.
 * If the machine crashes before step 2 the transaction never happened;
 * after it, log_mount finds the full header at boot and redoes step 3.
 *
 * Group commit: several processes may be inside transactions at once; all
 * their blocks go into one shared transaction that commits when the last of
 * them calls end_op. To keep the log from overflowing, begin_op reserves
 * MAXOPBLOCKS log slots for each operation and waits when they are not
 * there. Changed blocks stay pinned in the buffer cache until installed.
 *
 * On disk: [header][block 1][block 2]...  starting at superblock.logstart.
 *
 * Disk errors. If a write of the commit fails, the disk holds either the
 * previous state or (past step 2) a committed log that recovery will
 * install; both are consistent, but only while nothing else is written:
 * a later commit would overwrite a log that may still be needed. So the
 * log stops for good ("failed", like ext4's errors=remount-ro): this
 * transaction, unless it got past its commit point, and every later one
 * are dropped instead of written, their blocks are forgotten by the
 * cache, and operations that would change the file system fail with -EIO
 * (as does fsync). A read error that leaves an
 * operation half done (log_fail) stops the log the same way, so the half
 * never commits. Reading keeps working; rebooting recovers.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/fs/internal.h"

#define LOG_HEADER_SLOTS ARRAY_SIZE(((struct logheader *)0)->block)

static struct {
  struct spinlock lock; /* guards every field below, except that lh belongs
                           to the committing process while committing is set */
  uint dev;
  uint start;           /* block number of the header; fixed after mount */
  uint size;            /* log data blocks; fixed after mount */
  int outstanding;      /* operations between begin_op and end_op */
  int committing;       /* a commit is writing the disk: new operations wait */
  int draining;         /* log_force wants the open transaction committed:
                           new operations wait until it is */
  int failed;           /* a disk error stopped the log: nothing more is
                           written (set once, never cleared) */
  uint64 commits;       /* commits completed so far */
  struct logheader lh;  /* the blocks of the open transaction */
} wal;

static int write_head(void) {
  struct buf *b = bgrab(wal.dev, wal.start);
  memset(b->data, 0, BSIZE);
  memmove(b->data, &wal.lh, sizeof(wal.lh));
  int err = bwrite(b);
  brelse(b);
  return err;
}

static int read_head(void) {
  struct buf *b = bread(wal.dev, wal.start);
  if (b == 0)
    return -EIO;
  memmove(&wal.lh, b->data, sizeof(wal.lh));
  brelse(b);
  return 0;
}

/* Could the header's entries have been written by a kernel? Logged blocks
 * are inode, bitmap or data blocks: the part of the disk after the log. */
static int header_sane(void) {
  if (wal.lh.n > wal.size)
    return 0;
  for (uint i = 0; i < wal.lh.n; i++)
    if (wal.lh.block[i] < fs_super.inodestart || wal.lh.block[i] >= fs_super.size)
      return 0;
  return 1;
}

/* The transaction's blocks, locked, during a commit. Used only by the
 * committing process (at most one: see wal.committing). */
static struct buf *commit_bufs[LOG_HEADER_SLOTS];

/* Lock the cached copies of the transaction's blocks, in log order. They
 * are pinned (by log_write) and hold exactly what is to be committed, so
 * bread finds them in the cache and never reads the disk. */
static void lock_transaction(void) {
  for (uint i = 0; i < wal.lh.n; i++)
    if ((commit_bufs[i] = bread(wal.dev, wal.lh.block[i])) == 0)
      panic("log: logged block %u is not in the cache", wal.lh.block[i]);
}

/* Step 1: write every block of the transaction into the log area, which is
 * contiguous: slot i (block start + 1 + i) holds block lh.block[i]. The
 * slots bypass the buffer cache: only recovery at boot ever reads them. */
static int write_log(void) { return bwrite_run(commit_bufs, wal.lh.n, wal.start + 1); }

static void sort_by_blockno(struct buf **bufs, int n) {
  for (int i = 1; i < n; i++) {
    struct buf *b = bufs[i];
    int j = i;
    for (; j > 0 && bufs[j - 1]->blockno > b->blockno; j--)
      bufs[j] = bufs[j - 1];
    bufs[j] = b;
  }
}

/* Step 3 after a normal commit: write the blocks home. Sorted, blocks with
 * consecutive numbers (such as a file's new data) go in one request. */
static int install_from_cache(void) {
  int n = wal.lh.n;
  sort_by_blockno(commit_bufs, n);
  for (int i = 0; i < n;) {
    int run = 1;
    while (i + run < n && commit_bufs[i + run]->blockno == commit_bufs[i]->blockno + run)
      run++;
    if (bwrite_run(commit_bufs + i, run, commit_bufs[i]->blockno) < 0)
      return -EIO;
    i += run;
  }
  return 0;
}

/* The blocks are committed (keep=1): they may leave the cache again. Or
 * the transaction was dropped (keep=0): the cache forgets the changes, so
 * that what it holds is again what the disk holds. */
static void release_transaction(int keep) {
  for (uint i = 0; i < wal.lh.n; i++) {
    if (!keep)
      commit_bufs[i]->valid = 0;
    bunpin(commit_bufs[i]);
    brelse(commit_bufs[i]);
  }
}

/* Step 3 during recovery: the log area is the only copy. */
static int install_from_log(void) {
  for (uint i = 0; i < wal.lh.n; i++) {
    struct buf *from = bread(wal.dev, wal.start + 1 + i);
    if (from == 0)
      return -EIO;
    struct buf *to = bgrab(wal.dev, wal.lh.block[i]);
    memmove(to->data, from->data, BSIZE);
    int err = bwrite(to);
    brelse(from);
    brelse(to);
    if (err)
      return err;
  }
  return 0;
}

void log_init(void) { spinlock_init(&wal.lock, "log"); }

int log_mount(uint dev, const struct superblock *sb) {
  wal.dev = dev;
  wal.start = sb->logstart;
  wal.size = MIN(sb->nlog - 1, LOG_HEADER_SLOTS);

  if (read_head() < 0) {
    printf("fs: cannot read the log header\n");
    return -EIO;
  }
  if (!header_sane()) {
    printf("fs: corrupt log header (%u blocks)\n", wal.lh.n);
    return -EIO;
  }
  if (wal.lh.n > 0)
    printf("fs: recovering %u logged blocks\n", wal.lh.n);
  // On an error the header stays as it is: the next mount tries again.
  if (install_from_log() < 0) {
    printf("fs: disk error while recovering the log\n");
    return -EIO;
  }
  wal.lh.n = 0;
  if (write_head() < 0) {
    printf("fs: cannot clear the log header\n");
    return -EIO;
  }
  return 0;
}

/* Would one more operation's reservation fit in the log? wal.lock held. */
static int room_for_one_more(void) {
  return wal.lh.n + (wal.outstanding + 1) * MAXOPBLOCKS <= wal.size;
}

void begin_op(void) {
  acquire(&wal.lock);
  while (wal.committing || wal.draining || !room_for_one_more())
    sleep(&wal, &wal.lock);
  wal.outstanding++;
  release(&wal.lock);
}

/* Stop the log for good (see the top of this file). */
void log_fail(const char *why) {
  acquire(&wal.lock);
  int first = !wal.failed;
  wal.failed = 1;
  release(&wal.lock);
  if (first)
    printf("fs: %s: the file system is read-only until reboot\n", why);
}

int log_failed(void) { return READ_ONCE(wal.failed); }

static void commit(void) {
  if (wal.lh.n == 0)
    return;
  lock_transaction();
  int committed = 0;
  int err = log_failed() ? -EIO : write_log();
  if (err == 0)
    err = write_head(); // the commit point
  if (err == 0) {
    committed = 1;
    err = install_from_cache();
  }
  if (err)
    log_fail(committed ? "disk write error installing a commit" : "disk write error during a commit");
  // A committed transaction is what the disk will hold once recovery has
  // installed it, so the cache keeps it; one that never committed is
  // forgotten.
  release_transaction(committed);
  wal.lh.n = 0;
  if (err == 0 && write_head() < 0) // fully installed: forget it
    log_fail("disk write error clearing the log");
}

void end_op(void) {
  acquire(&wal.lock);
  if (wal.committing)
    panic("end_op: commit in progress");
  wal.outstanding--;
  int last = wal.outstanding == 0;
  if (last)
    wal.committing = 1;
  else
    wakeup(&wal); // our unused reservation may let a waiting begin_op in
  release(&wal.lock);

  if (!last)
    return;
  // Nobody else touches lh while committing is set, so no lock is needed
  // (and none may be held: the disk writes sleep).
  commit();

  acquire(&wal.lock);
  wal.committing = 0;
  wal.draining = 0;
  wal.commits++;
  wakeup(&wal);
  release(&wal.lock);
}

int log_force(void) {
  acquire(&wal.lock);
  uint64 target = wal.commits;
  if (wal.committing) {
    // Everything logged so far is in the commit under way.
    target = wal.commits + 1;
  } else if (wal.lh.n > 0) {
    // An open transaction holds logged blocks; it commits when its
    // operations end. Stop new operations joining so that happens soon.
    target = wal.commits + 1;
    wal.draining = 1;
  }
  while (wal.commits < target)
    sleep(&wal, &wal.lock);
  int err = wal.failed ? -EIO : 0;
  release(&wal.lock);
  return err;
}

void log_write(struct buf *b) {
  acquire(&wal.lock);
  if (wal.outstanding < 1)
    panic("log_write outside a transaction");

  uint i = 0;
  while (i < wal.lh.n && wal.lh.block[i] != b->blockno)
    i++;
  if (i == wal.lh.n) {
    // A block not yet in this transaction: claim a log slot and keep the
    // buffer cached until the commit installs it.
    if (wal.lh.n >= wal.size)
      panic("log_write: transaction too big");
    wal.lh.block[i] = b->blockno;
    wal.lh.n++;
    bpin(b);
  }
  release(&wal.lock);
}
