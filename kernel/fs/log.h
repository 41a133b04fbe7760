/*
 * The log's state, shared by its two halves and nobody else:
 * log.c (transactions: who joins the open one, and when it commits) and
 * journal.c (the log on disk: writing a transaction atomically, recovery).
 * The rest of kernel/fs/ uses the log through internal.h.
 */
#ifndef RIVET_FS_LOG_H
#define RIVET_FS_LOG_H

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/sync/sync.h"

struct buf;

#define ORDERED_MAX (NBUF / 2) /* data blocks waiting for a commit */

struct log_state {
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
};

extern struct log_state wal; /* defined in log.c */

/* --- journal.c. Each is called without wal.lock, by the one process that
 * has set wal.committing (or, for log_write_ordered, wal.writing_data),
 * or by log_mount before anything else uses the file system. --- */
/* Write the open transaction to disk (steps 0-4) and empty it. */
void log_commit(void);
/* Step 0 alone: the ordered data blocks, in place; 0 or -EIO. */
int log_write_ordered(void);
/* Read the header wal.dev/start/size name, replay a committed transaction
 * and clear the header; 0 or -EIO (the reason printed). */
int log_recover(void);

#endif
