/*
 * The lock checker of the debug kernel (make DEBUG=1): it enforces the
 * lock table of kernel/sync/lockrank.h (rank order, nesting within a
 * class, no sleeping with a spinlock held, release only by the holder)
 * and panics naming both code sites involved. See docs/locking.md.
 *
 * In the normal build every hook below is an empty inline function and
 * the locks carry no extra fields: the checker costs nothing there.
 *
 * Holders: spinlocks are held by a hart (interrupts stay off while one is
 * held, so the code holding it cannot move); sleeplocks are held by a
 * process, across context switches. The checker keeps one record per
 * hart for spinlocks and one per process slot for sleeplocks.
 */
#ifndef RIVET_SYNC_LOCKCHECK_H
#define RIVET_SYNC_LOCKCHECK_H

#include "kernel/types.h"

struct spinlock;
struct sleeplock;

#ifdef DEBUG

#define LOCK_SITE_DEPTH 3 /* return addresses kept per acquisition */

/* Where a lock was taken: the calling code and two of its callers. */
struct lock_site {
  uint64 pc[LOCK_SITE_DEPTH];
  int cpu; /* index of the cpu that took the lock */
  int pid;  /* 0 outside a process */
};

struct lock_class;

/* What the checker keeps in every lock. */
struct lock_debug {
  const struct lock_class *cls; /* from the lock table, by name */
  struct lock_site site;        /* the latest acquisition */
};

/* The hooks, called by spinlock.c and sleep.c. fp is the frame pointer of
 * the lock function itself: the site starts at the code that called it. */
void lockcheck_spin_init(struct spinlock *lk);
void lockcheck_spin_acquire(struct spinlock *lk, uint64 fp);  /* before spinning */
void lockcheck_spin_acquired(struct spinlock *lk, uint64 fp); /* got it */
void lockcheck_spin_release(struct spinlock *lk, uint64 fp);
void lockcheck_sleeplock_init(struct sleeplock *lk);
/* may_block = 0 only for acquire_sleep_unused (the lock cannot be held). */
void lockcheck_sleeplock_acquire(struct sleeplock *lk, uint64 fp, int may_block);
void lockcheck_sleeplock_acquired(struct sleeplock *lk, uint64 fp);
void lockcheck_sleeplock_release(struct sleeplock *lk, uint64 fp);
void lockcheck_sleep(struct spinlock *lk, int interruptible, uint64 fp);
void lockcheck_exit(void); /* the calling process is exiting */

#else

static inline void lockcheck_spin_init(struct spinlock *lk) {}
static inline void lockcheck_spin_acquire(struct spinlock *lk, uint64 fp) {}
static inline void lockcheck_spin_acquired(struct spinlock *lk, uint64 fp) {}
static inline void lockcheck_spin_release(struct spinlock *lk, uint64 fp) {}
static inline void lockcheck_sleeplock_init(struct sleeplock *lk) {}
static inline void lockcheck_sleeplock_acquire(struct sleeplock *lk, uint64 fp, int may_block) {}
static inline void lockcheck_sleeplock_acquired(struct sleeplock *lk, uint64 fp) {}
static inline void lockcheck_sleeplock_release(struct sleeplock *lk, uint64 fp) {}
static inline void lockcheck_sleep(struct spinlock *lk, int interruptible, uint64 fp) {}
static inline void lockcheck_exit(void) {}

#endif

/* The frame pointer of the calling function, for the hooks above. */
#define LOCKCHECK_FRAME() ((uint64)__builtin_frame_address(0))

/* Boot self-tests of the checker (selftest=NAME): each breaks one rule
 * and must panic in the debug kernel. 0 if name is none of them;
 * otherwise it returns only when the checker missed the break (always,
 * in the normal build). */
int lockcheck_selftest(const char *name);

#endif
