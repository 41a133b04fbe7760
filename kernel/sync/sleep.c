/*
 * sleep/wakeup and sleeplocks. The blocking itself is done by the process
 * layer, which registers its functions at boot (sync_set_blocker), so a
 * driver can block without depending on the process code.
 */
#include "kernel/sync/sync.h"
#include "kernel/lib/lib.h"

static const struct blocker *blocker; /* set once at boot, then read-only */

void sync_set_blocker(const struct blocker *b) { blocker = b; }

/* Before the process layer has registered there are no processes: a sleep
 * then is a kernel bug, reported as such; a wakeup has nobody to wake, no
 * one is killed, and the current process is none (id 0, slot -1). Every
 * use of the blocker below checks for that, so none dereferences 0. */
static void block(void *chan, struct spinlock *lk, int interruptible, uint64 frame) {
  lockcheck_sleep(lk, interruptible, frame);
  if (blocker == 0)
    panic("sleep before the process layer is up");
  blocker->sleep(chan, lk, interruptible);
}

void sleep(void *chan, struct spinlock *lk) { block(chan, lk, 0, LOCKCHECK_FRAME()); }
void sleep_interruptible(void *chan, struct spinlock *lk) { block(chan, lk, 1, LOCKCHECK_FRAME()); }

int sync_current_slot(void) { return blocker ? blocker->current_slot() : -1; }
int sync_current_id(void) { return blocker ? blocker->current_id() : 0; }

void wakeup(void *chan) {
  if (blocker)
    blocker->wakeup(chan);
}

int sleep_should_abort(void) { return blocker && blocker->should_abort(); }

static volatile int requests_in_flight; /* atomic */

void io_started(void) { __sync_fetch_and_add(&requests_in_flight, 1); }
void io_finished(void) { __sync_fetch_and_sub(&requests_in_flight, 1); }
int io_in_flight(void) { return requests_in_flight; }

void sleeplock_init(struct sleeplock *lk, const char *name) {
  spinlock_init(&lk->lk, "sleeplock");
  lk->name = name;
  lk->locked = 0;
  lk->owner = 0;
  lockcheck_sleeplock_init(lk);
  lk->waiters = 0;
}

void acquire_sleep(struct sleeplock *lk) {
  lockcheck_sleeplock_acquire(lk, LOCKCHECK_FRAME(), 1);
  acquire(&lk->lk);
  while (lk->locked) {
    lk->waiters++;
    sleep(lk, &lk->lk);
    lk->waiters--;
  }
  lk->locked = 1;
  lk->owner = sync_current_id();
  lockcheck_sleeplock_acquired(lk, LOCKCHECK_FRAME());
  release(&lk->lk);
}

void acquire_sleep_unused(struct sleeplock *lk) {
  lockcheck_sleeplock_acquire(lk, LOCKCHECK_FRAME(), 0);
  acquire(&lk->lk);
  if (lk->locked)
    panic("acquire_sleep_unused: %s is held by pid %d", lk->name, lk->owner);
  lk->locked = 1;
  lk->owner = sync_current_id();
  lockcheck_sleeplock_acquired(lk, LOCKCHECK_FRAME());
  release(&lk->lk);
}

void release_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  lockcheck_sleeplock_release(lk, LOCKCHECK_FRAME());
  lk->locked = 0;
  lk->owner = 0;
  if (lk->waiters)
    wakeup(lk);
  release(&lk->lk);
}

int holding_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  int held = lk->locked && lk->owner == sync_current_id();
  release(&lk->lk);
  return held;
}
