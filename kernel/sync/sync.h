/*
 * sync: the locking and blocking primitives. They sit low in the tree so
 * that device drivers can lock and block without knowing about processes.
 *
 *  - spinlock: busy-waits; disables interrupts on this hart while held
 *    (push_off/pop_off nest), so an interrupt handler can never deadlock
 *    against the code it interrupted.
 *  - sleep/wakeup: wait on a "channel" (any address). sleep atomically
 *    releases the given spinlock and blocks; wakeup makes every sleeper on
 *    the channel runnable. Callers re-check their condition in a loop.
 *    sleep_interruptible is for waits that may last indefinitely (a pipe,
 *    the console, a child, the clock) while the caller holds nothing else
 *    (no sleeplock, no log reservation): only there may suspend() stop
 *    the process. A plain sleep (disk, log, buffers) is never suspended,
 *    so a stopped process can never hold up the file system.
 *  - sleeplock: a lock that blocks instead of spinning; may be held across
 *    disk I/O. Never acquire a sleeplock while holding a spinlock.
 *
 * Every lock belongs to a class (the name given to its init function) with
 * a rank in the lock table, kernel/sync/lockrank.h; locks are taken in
 * increasing rank. The debug kernel (make DEBUG=1) checks this and the
 * other rules of the table at every acquire, release and sleep
 * (lockcheck.h); docs/locking.md explains them.
 *
 * The process layer supplies the blocking mechanism at boot through
 * sync_set_blocker(); sync itself never includes process code.
 */
#ifndef RIVET_SYNC_H
#define RIVET_SYNC_H

#include "kernel/types.h"
#include "kernel/sync/lockcheck.h"

struct spinlock {
  uint locked;      /* 0 = free, 1 = held */
  const char *name; /* for debugging; names the lock's class */
  int cpu;          /* index of the cpu holding it, -1 if none */
#ifdef DEBUG
  struct lock_debug debug; /* for the lock checker */
#endif
};

void spinlock_init(struct spinlock *lk, const char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int holding(struct spinlock *lk);

/* Disable interrupts on this hart; nested pairs restore the outer state. */
void push_off(void);
void pop_off(void);

/* How the process layer blocks and wakes threads of control. */
struct blocker {
  void (*sleep)(void *chan, struct spinlock *lk, int interruptible);
  void (*wakeup)(void *chan);
  int (*should_abort)(void); /* has the caller been killed? */
  int (*current_id)(void);   /* pid of the caller, 0 if none (for sleeplocks) */
  int (*current_slot)(void); /* its process-table slot, -1 if none (lock checker) */
};
void sync_set_blocker(const struct blocker *b);
/* The caller's process-table slot, -1 outside a process (or before boot
 * registered the blocker). */
int sync_current_slot(void);
/* The caller's pid, 0 outside a process. */
int sync_current_id(void);

/* Block on chan; lk must be held, is released while asleep, held again on return. */
void sleep(void *chan, struct spinlock *lk);
void sleep_interruptible(void *chan, struct spinlock *lk);
void wakeup(void *chan);
/* True when the calling process has been killed: long waits should give up. */
int sleep_should_abort(void);

/* Device requests in flight, counted by drivers. An idle hart watches the
 * clock closely while any are (see kernel/proc/idle.c). */
void io_started(void);
void io_finished(void);
int io_in_flight(void);

struct sleeplock {
  uint locked;          /* held? guarded by lk */
  struct spinlock lk;   /* guards locked, owner and waiters */
  const char *name;     /* names the lock's class */
  int owner;            /* pid of the holder */
  int waiters;          /* processes asleep in acquire_sleep: release_sleep
                           calls wakeup (which looks at every process) only
                           when there are any */
#ifdef DEBUG
  struct lock_debug debug; /* for the lock checker; guarded by lk */
#endif
};

void sleeplock_init(struct sleeplock *lk, const char *name);
void acquire_sleep(struct sleeplock *lk);
/* Take a sleeplock that nobody can be holding, without sleeping: the
 * caller made sure of that under a spinlock it still holds (the buffer
 * cache claiming a free buffer). Panics if the lock is held after all. */
void acquire_sleep_unused(struct sleeplock *lk);
void release_sleep(struct sleeplock *lk);
int holding_sleep(struct sleeplock *lk);

#endif
