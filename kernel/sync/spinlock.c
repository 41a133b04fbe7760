/*
 * Spinlocks. Holding one keeps interrupts off on this hart: an interrupt
 * handler that wanted the same lock would otherwise spin forever.
 */
#include "kernel/sync/sync.h"
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"

void spinlock_init(struct spinlock *lk, const char *name) {
  lk->locked = 0;
  lk->name = name;
  lk->cpu = -1;
  lockcheck_spin_init(lk);
}

/* After this many failed tries, pause the hart for a moment. Under QEMU's
 * deterministic icount mode all harts share one host thread, and a hart
 * spinning here could starve the very hart that holds the lock; a brief
 * wfi hands the host thread over. */
#define SPINS_BEFORE_PAUSE 1000

void acquire(struct spinlock *lk) {
  push_off();
  if (holding(lk))
    panic("acquire: %s already held by this hart", lk->name);
  lockcheck_spin_acquire(lk, LOCKCHECK_FRAME());
  /* amoswap.w.aq: atomic, and later loads/stores stay after it. */
  for (int spins = 0; __sync_lock_test_and_set(&lk->locked, 1) != 0;)
    if (++spins == SPINS_BEFORE_PAUSE) {
      pause_hart();
      spins = 0;
    }
  __sync_synchronize();
  lk->cpu = mycpu()->index;
  lockcheck_spin_acquired(lk, LOCKCHECK_FRAME());
}

void release(struct spinlock *lk) {
  lockcheck_spin_release(lk, LOCKCHECK_FRAME());
  if (!holding(lk))
    panic("release: %s not held", lk->name);
  lk->cpu = -1;
  __sync_synchronize();
  __sync_lock_release(&lk->locked);
  pop_off();
}

/* Must be called with interrupts off, so the answer cannot go stale. */
int holding(struct spinlock *lk) { return lk->locked && lk->cpu == mycpu()->index; }

void push_off(void) {
  int was_on = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = was_on;
  c->noff++;
}

void pop_off(void) {
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}
