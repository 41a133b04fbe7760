/*
 * The journal, i.e. the log on disk: how a transaction is written so that
 * a crash leaves either all of it or none of it, and how recovery at
 * mount finishes a transaction that got past its commit point. Which
 * operations join a transaction, and when it commits, is log.c's business.
 *
 * A commit, done while no operation is in progress:
 *   0. write the ordered data blocks in place (sorted, in large requests);
 *   1. copy each metadata block into the log area of the disk;
 *   2. write the log header, listing where those blocks belong:
 *      this single block write is the commit point;
 *   3. write each metadata block to its home location ("installed");
 *   4. write the header again, empty.
 * If the machine crashes before step 2 the transaction never happened (its
 * data blocks were written to blocks that nothing committed points at);
 * after step 2, log_recover finds the full header at boot and redoes step 3.
 *
 * The disk has a write cache: a finished write may reach the platters
 * after a later one. A flush (bflush) is the only ordering, so the commit
 * flushes after step 1 (data and log before the commit point), after step
 * 2 (the commit point is durable: what fsync promises), after step 3 (the
 * installed blocks before the header that protects them is cleared) and
 * after step 4 (the empty header before the next commit overwrites the
 * log area). Four flushes per commit, none per write.
 *
 * On disk: [header][block 1][block 2]...  starting at superblock.logstart.
 * The header lists up to LOG_HEADER_SLOTS (255) home block numbers.
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
#include "kernel/fs/log.h"

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

static void sort_by_blockno(struct buf **bufs, int n) {
  for (int i = 1; i < n; i++) {
    struct buf *b = bufs[i];
    int j = i;
    for (; j > 0 && bufs[j - 1]->blockno > b->blockno; j--)
      bufs[j] = bufs[j - 1];
    bufs[j] = b;
  }
}

/* Write n locked buffers, sorted by block number, each to its own block:
 * blocks with consecutive numbers go in one request. 0 or -EIO. */
static int write_home(struct buf **bufs, int n) {
  for (int i = 0; i < n;) {
    int run = 1;
    while (i + run < n && bufs[i + run]->blockno == bufs[i]->blockno + run)
      run++;
    if (bwrite_run(bufs + i, run, bufs[i]->blockno) < 0)
      return -EIO;
    i += run;
  }
  return 0;
}

/* Step 0: the ordered data blocks, in place: 0 or -EIO. They are pinned,
 * so each is still the cached copy of its block; nobody changes them now,
 * since no operation is in progress, but readers may hold them: take their
 * locks. Written, they are what the disk holds; if they were not (an error,
 * or the log had already stopped), the cache forgets them. */
int log_write_ordered(void) {
  int n = wal.nordered;
  sort_by_blockno(wal.ordered, n);
  for (int i = 0; i < n; i++)
    acquire_sleep(&wal.ordered[i]->lock);
  int err = log_failed() ? -EIO : write_home(wal.ordered, n);
  for (int i = 0; i < n; i++) {
    struct buf *b = wal.ordered[i];
    if (err)
      b->valid = 0;
    b->ordered = 0; // no operation runs: nobody else looks at the flag now
    release_sleep(&b->lock);
    bunpin(b);
  }
  wal.nordered = 0;
  return err;
}

/* Lock the cached copies of the metadata blocks, in log order. They are
 * pinned (by log_write) and hold exactly what is to be committed, so
 * bread finds them in the cache and never reads the disk. */
static void lock_transaction(void) {
  for (uint i = 0; i < wal.lh.n; i++)
    if ((commit_bufs[i] = bread(wal.dev, wal.lh.block[i])) == 0)
      panic("log: logged block %u is not in the cache", wal.lh.block[i]);
}

/* Step 1: write every metadata block into the log area, which is
 * contiguous: slot i (block start + 1 + i) holds block lh.block[i]. The
 * slots bypass the buffer cache: only recovery at boot ever reads them. */
static int write_log(void) { return bwrite_run(commit_bufs, wal.lh.n, wal.start + 1); }

/* Step 3 after a normal commit: write the blocks home, sorted. */
static int install_from_cache(void) {
  sort_by_blockno(commit_bufs, wal.lh.n);
  return write_home(commit_bufs, wal.lh.n);
}

/* The blocks are committed (keep=1): they may leave the cache again. Or
 * the transaction was dropped (keep=0): the cache forgets the changes, so
 * that what it holds is again what the disk holds. */
static void release_transaction(int keep) {
  for (uint i = 0; i < wal.lh.n; i++) {
    if (!keep)
      commit_bufs[i]->valid = 0;
    commit_bufs[i]->logged = 0;
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

/* Stop the log for good (see "Disk errors" at the top of this file). */
void log_fail(const char *why) {
  acquire(&wal.lock);
  int first = !wal.failed;
  wal.failed = 1;
  release(&wal.lock);
  if (first)
    printf("fs: %s: the file system is read-only until reboot\n", why);
}

int log_failed(void) { return READ_ONCE(wal.failed); }

/* Steps 1 and 2 with their flushes: 0 once the commit point is durable. */
static int write_commit_record(void) {
  int err = write_log();
  if (err == 0)
    err = bflush(); // data and log durable before the header points at them
  if (err)
    return err;
  crash_point(CRASH_BEFORE_COMMIT);
  err = write_head(); // the commit point
  if (err == 0)
    err = bflush();
  if (err == 0)
    crash_point(CRASH_AFTER_COMMIT);
  return err;
}

/* Step 4: the header again, empty, once the installed blocks are durable;
 * flushed, so that the next commit may reuse the log area. */
static int clear_head(void) {
  int err = bflush();
  if (err == 0)
    err = write_head();
  if (err == 0)
    err = bflush();
  return err;
}

/* Steps 0-4. After any failed write nothing more is written, by this
 * commit or any later one (log_fail). */
void log_commit(void) {
  int metadata = wal.lh.n > 0;
  int err = log_write_ordered();
  if (metadata)
    lock_transaction();
  int committed = 0;
  if (err == 0)
    // With no metadata, the data in place is the whole commit.
    err = metadata ? write_commit_record() : bflush();
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
  if (metadata && err == 0 && clear_head() < 0) // fully installed: forget it
    log_fail("disk write error clearing the log");
  balloc_committed();
}

int log_recover(void) {
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
  if (clear_head() < 0) {
    printf("fs: cannot clear the log header\n");
    return -EIO;
  }
  return 0;
}
