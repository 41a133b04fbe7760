/*
 * The log's transactions: they make the file system's changes atomic with
 * respect to crashes, and let many system calls share one trip to the
 * disk. How a transaction is written and recovered is in journal.c.
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
 * once when fsync() returns. A commit runs while no operation is in
 * progress; new operations wait for it.
 *
 * Data before the commit. When the transaction's data blocks fill their
 * share of the cache but its log still has room, they are written in place
 * at once, without a commit, and leave the cache (write_data_early): that is
 * the commit's step 0 (journal.c) done ahead of time, just as safe, and it
 * lets one commit cover a long sequential write (whose metadata is only an
 * indirect block per 256 KiB and a bitmap block per 8 MiB) instead of one
 * commit per 512 KiB.
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
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"
#include "kernel/fs/log.h"

#define COMMIT_INTERVAL_MS 1000    /* longest a completed write waits for the disk */
#define NS_PER_MS 1000000UL

struct log_state wal = {.interval_ns = COMMIT_INTERVAL_MS * NS_PER_MS};

static int transaction_empty(void) { return wal.lh.n == 0 && wal.nordered == 0; }

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
  log_commit();
  acquire(&wal.lock);
  wal.committing = 0;
  wal.draining = 0;
  wal.commits++;
  wake_log_waiters();
}

/* Step 0 ahead of the commit ("Data before the commit" above). wal.lock held, no
 * operation outstanding and no commit running; the lock is dropped during
 * the disk writes, while new operations wait. */
static void write_data_early(void) {
  wal.writing_data = 1;
  release(&wal.lock);
  if (log_write_ordered() < 0)
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
  int err = log_recover();
  if (err == 0)
    start_flusher();
  return err;
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
