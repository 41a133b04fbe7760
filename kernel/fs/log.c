/*
 * The log: it makes the file system's changes atomic with respect to
 * crashes, and it lets many system calls share one trip to the disk.
 *
 * A system call brackets its work with begin_op() and end_op(). Changed
 * blocks are not written at once; they join the open transaction:
 *   - metadata (inode, bitmap, directory and indirect blocks) with
 *     log_write(): these are journaled, i.e. written to the log first;
 *   - a regular file's data with log_write_data(): these are "ordered",
 *     written straight to their home location, but always before the commit
 *     that makes them reachable, so a crash never leaves a file pointing at
 *     blocks that were not written. File data is written once, not twice.
 *
 * Write-back with group commit: end_op() does not write anything. The open
 * transaction collects the blocks of every operation until it is committed,
 * which happens when
 *   - fsync() (or sync(), or poweroff) asks for it: log_force();
 *   - it is full (no room for one more operation's reservation);
 *   - it has been open for the commit interval (COMMIT_INTERVAL_MS, or the
 *     boot argument fs.commit_ms=N): the flusher process commits it.
 * So a completed write() reaches the disk within about one interval, and at
 * once when fsync() returns.
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
 * after step 2, log_mount finds the full header at boot and redoes step 3.
 *
 * The disk has a write cache: a finished write may reach the platters
 * after a later one. A flush (bflush) is the only ordering, so the commit
 * flushes after step 1 (data and log before the commit point), after step
 * 2 (the commit point is durable: what fsync promises), after step 3 (the
 * installed blocks before the header that protects them is cleared) and
 * after step 4 (the empty header before the next commit overwrites the
 * log area). Four flushes per commit, none per write.
 *
 * Data before the commit. When the transaction's data blocks fill their
 * share of the cache but its log still has room, they are written in place
 * at once, without a commit, and leave the cache (write_data_early): that is
 * step 0 done ahead of time, just as safe, and it lets one commit cover a
 * long sequential write (whose metadata is only an indirect block per
 * 256 KiB and a bitmap block per 8 MiB) instead of one commit per 512 KiB.
 *
 * Blocks freed by the open transaction are not handed out again before it
 * commits (see balloc.c): otherwise step 0 could overwrite, in place, a
 * block that the last committed state still uses.
 *
 * Sizes. The log holds up to LOG_HEADER_SLOTS (255) metadata blocks: what
 * one header block can list. Sequential writes need one new indirect block
 * per 256 KiB of file and one bitmap block per 8 MiB, so a batch of many
 * megabytes fits; a batch of small-file operations shares its inode,
 * directory and bitmap blocks. The ordered data waiting for a commit are
 * pinned in the buffer cache, at most ORDERED_MAX blocks (half of it), so
 * reads and metadata always find room. Each operation reserves MAXOPBLOCKS
 * log slots and OP_DATA_BLOCKS data blocks in begin_op.
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
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"

#define ORDERED_MAX (NBUF / 2)     /* data blocks waiting for a commit */
#define COMMIT_INTERVAL_MS 1000    /* longest a completed write waits for the disk */
#define NS_PER_MS 1000000UL

static struct {
  struct spinlock lock; /* guards every field below (and each buffer's logged
                           and ordered flags), except that lh and ordered[]
                           belong to the committing process while committing
                           (or writing_data) is set */
  uint dev;
  uint start;           /* block number of the header; fixed after mount */
  uint size;            /* log data blocks; fixed after mount */
  int outstanding;      /* operations between begin_op and end_op */
  int committing;       /* a commit is writing the disk: new operations wait */
  int writing_data;     /* write_data_early is writing the disk: the same */
  int draining;         /* log_force wants the open transaction committed:
                           new operations wait until it is */
  int failed;           /* a disk error stopped the log: nothing more is
                           written (set once, never cleared) */
  uint64 commits;       /* commits completed so far */
  int sleepers;         /* processes waiting in begin_op or log_force: only
                           then is a wakeup (a look at every process) needed */
  uint64 opened_ns;     /* when the open transaction got its first block */
  uint64 interval_ns;   /* the commit interval */
  struct logheader lh;  /* the metadata blocks of the open transaction */
  struct buf *ordered[ORDERED_MAX]; /* its data blocks, pinned */
  int nordered;
} wal = {.interval_ns = COMMIT_INTERVAL_MS * NS_PER_MS};

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

static int transaction_empty(void) { return wal.lh.n == 0 && wal.nordered == 0; }

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
static int write_ordered_data(void) {
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

/* Steps 0-4. After any failed write nothing more is written, by this
 * commit or any later one (log_fail). */
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

static void commit(void) {
  int metadata = wal.lh.n > 0;
  int err = write_ordered_data();
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

/* Sleep until the log's state changes. wal.lock held. */
static void wait_for_log(void) {
  wal.sleepers++;
  sleep(&wal, &wal.lock);
  wal.sleepers--;
}

static void wake_log_waiters(void) {
  if (wal.sleepers)
    wakeup(&wal);
}

/* Commit the open transaction. wal.lock held, no operation outstanding and
 * no commit running; the lock is dropped during the disk writes. */
static void run_commit(void) {
  wal.committing = 1;
  // Nobody else touches lh or ordered[] while committing is set, so no
  // lock is needed (and none may be held: the disk writes sleep).
  release(&wal.lock);
  commit();
  acquire(&wal.lock);
  wal.committing = 0;
  wal.draining = 0;
  wal.commits++;
  wake_log_waiters();
}

/* Step 0 ahead of the commit (see the top of this file). wal.lock held, no
 * operation outstanding and no commit running; the lock is dropped during
 * the disk writes, while new operations wait. */
static void write_data_early(void) {
  wal.writing_data = 1;
  release(&wal.lock);
  if (write_ordered_data() < 0)
    log_fail("disk write error writing file data");
  acquire(&wal.lock);
  wal.writing_data = 0;
  wake_log_waiters();
}

/* The flusher: a kernel process that commits each transaction once it has
 * been open for the commit interval. It sleeps without a timer while the
 * open transaction is empty, so an idle system costs nothing. Its timed
 * sleep ends early only if someone kills it: it then commits early, which
 * is always safe (and, since a commit empties the transaction, it never
 * spins). The transaction it commits may be a newer one than it waited
 * for, if an fsync committed that one: also early, also safe. */
static void flusher(void) {
  for (;;) {
    acquire(&wal.lock);
    while (transaction_empty())
      sleep(&wal.opened_ns, &wal.lock);
    uint64 due = wal.opened_ns + wal.interval_ns;
    release(&wal.lock);
    proc_sleep_until(due);
    log_force();
  }
}

static void start_flusher(void) {
  struct proc *p = proc_create("logflush", flusher);
  if (p == 0)
    panic("log: cannot create the flusher process");
  proc_start(p);
}

void log_init(void) { spinlock_init(&wal.lock, "log"); }

void log_set_interval_ms(uint64 ms) { wal.interval_ns = ms * NS_PER_MS; }

int log_mount(uint dev, const struct superblock *sb) {
  wal.dev = dev;
  wal.start = sb->logstart;
  wal.size = LOG_SLOTS(sb->nlog);

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
  start_flusher();
  return 0;
}

/* Would one more operation's reservation fit in the log, and in the
 * ordered data? wal.lock held. */
static int log_room_for_one_more(void) {
  return wal.lh.n + (wal.outstanding + 1) * MAXOPBLOCKS <= wal.size;
}

static int data_room_for_one_more(void) {
  return wal.nordered + (wal.outstanding + 1) * OP_DATA_BLOCKS <= ORDERED_MAX;
}

void begin_op(void) {
  acquire(&wal.lock);
  for (;;) {
    if (wal.committing || wal.writing_data || wal.draining) {
      wait_for_log();
    } else if (log_room_for_one_more() && data_room_for_one_more()) {
      break;
    } else if (wal.outstanding == 0) {
      // The transaction is full and nobody is in it.
      if (log_room_for_one_more())
        write_data_early();
      else
        run_commit();
    } else {
      wait_for_log(); // the last end_op wakes us to commit
    }
  }
  wal.outstanding++;
  release(&wal.lock);
}

void end_op(void) {
  acquire(&wal.lock);
  if (wal.committing || wal.writing_data)
    panic("end_op: commit in progress");
  wal.outstanding--;
  if (wal.outstanding == 0 && wal.draining)
    run_commit();
  else
    wake_log_waiters(); // our reservation is free again: a begin_op may go on
  release(&wal.lock);
}

int log_force(void) {
  acquire(&wal.lock);
  while (wal.writing_data)
    wait_for_log();
  // LAB fs: fsync
  uint64 target = wal.commits;
  if (wal.committing) {
    // Everything logged so far is in the commit under way.
    target = wal.commits + 1;
  } else if (!transaction_empty()) {
    target = wal.commits + 1;
    if (wal.outstanding == 0)
      run_commit();
    else
      wal.draining = 1; // its last end_op commits; nobody joins meanwhile
  }
  while (wal.commits < target)
    wait_for_log();
  // END LAB fs
  int err = wal.failed ? -EIO : 0;
  release(&wal.lock);
  return err;
}

/* The open transaction got its first block: start the interval. */
static void note_first_block(void) {
  if (transaction_empty()) {
    wal.opened_ns = clock_ns();
    wakeup(&wal.opened_ns);
  }
}

void log_write(struct buf *b) {
  acquire(&wal.lock);
  if (wal.outstanding < 1)
    panic("log_write outside a transaction");
  if (!b->logged) {
    // A block not yet in this transaction: claim a log slot and keep the
    // buffer cached until the commit installs it.
    if (wal.lh.n >= wal.size)
      panic("log_write: transaction too big");
    note_first_block();
    wal.lh.block[wal.lh.n++] = b->blockno;
    b->logged = 1;
    bpin(b);
  }
  release(&wal.lock);
}

void log_write_data(struct buf *b) {
  acquire(&wal.lock);
  if (wal.outstanding < 1)
    panic("log_write_data outside a transaction");
  if (!b->ordered) {
    if (wal.nordered >= ORDERED_MAX)
      panic("log_write_data: too many data blocks");
    note_first_block();
    wal.ordered[wal.nordered++] = b;
    b->ordered = 1;
    bpin(b);
  }
  release(&wal.lock);
}
