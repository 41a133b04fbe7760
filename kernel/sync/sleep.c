/*
 * sleep/wakeup and sleeplocks. The blocking itself is done by the process
 * layer, which registers its functions at boot (sync_set_blocker), so a
 * driver can block without depending on the process code.
 */
#include "kernel/sync/sync.h"
#include "kernel/lib/lib.h"

static const struct blocker *blocker; /* set once at boot, then read-only */

void sync_set_blocker(const struct blocker *b) { blocker = b; }

void sleep(void *chan, struct spinlock *lk) { blocker->sleep(chan, lk, 0); }
void sleep_interruptible(void *chan, struct spinlock *lk) { blocker->sleep(chan, lk, 1); }

void wakeup(void *chan) {
  if (blocker)
    blocker->wakeup(chan);
}

int sleep_should_abort(void) { return blocker->should_abort(); }

static volatile int requests_in_flight; /* atomic */

void io_started(void) { __sync_fetch_and_add(&requests_in_flight, 1); }
void io_finished(void) { __sync_fetch_and_sub(&requests_in_flight, 1); }
int io_in_flight(void) { return requests_in_flight; }

void sleeplock_init(struct sleeplock *lk, const char *name) {
  spinlock_init(&lk->lk, "sleeplock");
  lk->name = name;
  lk->locked = 0;
  lk->owner = 0;
  lk->waiters = 0;
}

void acquire_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  while (lk->locked) {
    lk->waiters++;
    sleep(lk, &lk->lk);
    lk->waiters--;
  }
  lk->locked = 1;
  lk->owner = blocker->current_id();
  release(&lk->lk);
}

void release_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  lk->locked = 0;
  lk->owner = 0;
  if (lk->waiters)
    wakeup(lk);
  release(&lk->lk);
}

int holding_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  int held = lk->locked && lk->owner == blocker->current_id();
  release(&lk->lk);
  return held;
}
