/*
 * THE LOCK TABLE: every lock class in the kernel, in rank order.
 *
 * A lock's class is the name given to spinlock_init / sleeplock_init; all
 * the locks initialized with one name (every p->lock, every buffer's
 * sleeplock) form one class. The rules, checked by the debug kernel
 * (make DEBUG=1, kernel/sync/lockcheck.c) and explained in docs/locking.md:
 *
 *   1. Rank: a hart (spinlocks) or a process (sleeplocks) may take a lock
 *      only if its rank is higher than the rank of every lock of another
 *      class it already holds. Every sleeplock ranks below every spinlock,
 *      so "no sleeplock under a spinlock" is rule 1 too.
 *   2. Same class: at most NEST locks of the class are held at once by one
 *      holder (1: never two). The order among them is the one the GUARDS
 *      column states; the checker cannot see it and only counts.
 *   3. Sleep: sleep() may be called holding no spinlock but the one it is
 *      given; acquire_sleep() holding no spinlock at all;
 *      sleep_interruptible() holding no sleeplock either. SLEEP says
 *      whether a lock of the class may be held across a sleep.
 *   4. Release: only the holder releases (the hart for a spinlock, the
 *      process for a sleeplock); a process exits holding nothing.
 *
 * docs/locking.md shows this same table; tests/test_debug.py checks that
 * the two agree and that every lock initialized in the kernel is listed.
 *
 * LOCK_CLASS(id, name, kind, rank, nest, sleep, guards)
 */
#ifndef RIVET_SYNC_LOCKRANK_H
#define RIVET_SYNC_LOCKRANK_H

#define NEST_ANY 0xffff /* no limit on locks of the class held at once */

#define LOCK_TABLE(LOCK_CLASS)                                                                   \
  LOCK_CLASS(INODE, "inode", SLEEPLOCK, 10, 2, SLEEP_OK,                                         \
             "an inode's cached fields and its file's contents; two are held only as a "         \
             "directory, then an inode named in it")                                             \
  LOCK_CLASS(BUFFER, "buffer", SLEEPLOCK, 20, NEST_ANY, SLEEP_OK,                                \
             "a cached block's data and valid flag; several are held only down a file's block "  \
             "tree (inode block, indirect blocks, bitmap block, new block) or by the committing " \
             "process, which locks the whole transaction while no operation is open")            \
  LOCK_CLASS(WAIT, "wait", SPINLOCK, 30, 1, SLEEP_NO,                                            \
             "every p->parent; makes exit and wait atomic with respect to each other")           \
  LOCK_CLASS(TICK, "tick", SPINLOCK, 32, 1, SLEEP_NO,                                            \
             "the clock sleepers' channel: a tick's wakeup against a sleeper's deadline check")  \
  LOCK_CLASS(CONSOLE, "console", SPINLOCK, 34, 1, SLEEP_NO,                                      \
             "the console input ring (buf, read, committed, edit)")                              \
  LOCK_CLASS(PIPE, "pipe", SPINLOCK, 36, 1, SLEEP_NO,                                            \
             "one pipe's ring, counters and open flags")                                         \
  LOCK_CLASS(LOG, "log", SPINLOCK, 38, 1, SLEEP_NO,                                              \
             "the log's counters and the open transaction's header")                             \
  LOCK_CLASS(BCACHE, "bcache", SPINLOCK, 40, 1, SLEEP_NO,                                        \
             "the buffer cache's lists and hash, every buffer's identity and refcnt")            \
  LOCK_CLASS(VIRTIO_BLK, "virtio_blk", SPINLOCK, 42, 1, SLEEP_NO,                                \
             "the disk's rings, descriptor free list and requests in flight")                    \
  LOCK_CLASS(SLEEPLOCK, "sleeplock", SPINLOCK, 44, 1, SLEEP_NO,                                  \
             "one sleeplock's locked flag and owner (inside struct sleeplock)")                  \
  LOCK_CLASS(PROC, "proc", SPINLOCK, 50, 1, SLEEP_NO,                                            \
             "one process's state, chan, killed and suspend flags, exit status, pid")            \
  LOCK_CLASS(STATEREC, "staterec", SPINLOCK, 55, 1, SLEEP_NO,                                   \
             "the state-change record's ring, indexes and counters, and turning it on or off")   \
  LOCK_CLASS(READY_QUEUE, "ready queue", SPINLOCK, 60, 1, SLEEP_NO,                              \
             "the scheduling policy's queues and every p->se")           \
  LOCK_CLASS(PID, "pid", SPINLOCK, 62, 1, SLEEP_NO, "the next process id")                       \
  LOCK_CLASS(ITABLE, "itable", SPINLOCK, 64, 1, SLEEP_NO,                                        \
             "the inode table: every entry's dev, inum, ref and text-busy counters")             \
  LOCK_CLASS(FTABLE, "ftable", SPINLOCK, 66, 1, SLEEP_NO,                                        \
             "the open-file table: every file's kind and ref")                                   \
  LOCK_CLASS(BALLOC_HINT, "balloc hint", SPINLOCK, 68, 1, SLEEP_NO,                              \
             "where the block allocator's next search starts")                                   \
  LOCK_CLASS(TEXTS, "texts", SPINLOCK, 69, 1, SLEEP_NO,                                          \
             "shared program pages: every entry's file, maps, page tables and the cache's clock") \
  LOCK_CLASS(KALLOC, "kalloc", SPINLOCK, 70, 1, SLEEP_NO,                                        \
             "the free page list and the free page count")

#endif
