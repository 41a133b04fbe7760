/*
 * sleep/wakeup and sleeplocks. The blocking itself is done by the process
 * layer, which registers its functions at boot (sync_set_blocker), so a
 * driver can block without depending on the process code.
 */
#include "kernel/sync/sync.h"
#include "kernel/lib/lib.h"

static const struct blocker *blocker; /* set once at boot, then read-only */

void sync_set_blocker(const struct blocker *b) { blocker = b; }

void sleep(void *chan, struct spinlock *lk) { blocker->sleep(chan, lk); }

void wakeup(void *chan) {
  if (blocker)
    blocker->wakeup(chan);
}

int sleep_should_abort(void) { return blocker->should_abort(); }

void sleeplock_init(struct sleeplock *lk, const char *name) {
  spinlock_init(&lk->lk, "sleeplock");
  lk->name = name;
  lk->locked = 0;
  lk->owner = 0;
}

void acquire_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  while (lk->locked)
    sleep(lk, &lk->lk);
  lk->locked = 1;
  lk->owner = blocker->current_id();
  release(&lk->lk);
}

void release_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  lk->locked = 0;
  lk->owner = 0;
  wakeup(lk);
  release(&lk->lk);
}

int holding_sleep(struct sleeplock *lk) {
  acquire(&lk->lk);
  int held = lk->locked && lk->owner == blocker->current_id();
  release(&lk->lk);
  return held;
}
