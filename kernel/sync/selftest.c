/*
 * Boot self-tests of the lock checker (selftest=NAME, see lockcheck.h).
 * Each one breaks a rule of the lock table on purpose, through the real
 * lock functions; the debug kernel must panic naming both sites. The
 * functions taking the locks are kept out of line so that the sites in
 * the report name them (tests/test_debug.py resolves the addresses), and
 * each does some work after its call so that the call is not compiled
 * as a jump (a tail call would return straight to our caller). The work
 * differs between them, or the compiler would merge identical functions.
 * They run on the boot hart before any process exists.
 */
#include "kernel/sync/sync.h"
#include "kernel/lib/lib.h"

static struct spinlock lock_a, lock_b;
static struct sleeplock sleeplock_a;
static char channel;        /* something to sleep on */
static volatile int steps;  /* the work after each call (a different amount each) */

static void __attribute__((noinline)) selftest_take_first(struct spinlock *lk) {
  acquire(lk);
  steps++;
}

static void __attribute__((noinline)) selftest_take_second(struct spinlock *lk) {
  acquire(lk);
  steps += 2;
}

/* 'proc' (rank 50), then 'wait' (rank 30): against the rank order. */
static void reversed_order(void) {
  spinlock_init(&lock_a, "proc");
  spinlock_init(&lock_b, "wait");
  selftest_take_first(&lock_a);
  selftest_take_second(&lock_b);
}

/* Two locks of class 'pipe', whose NEST is 1. */
static void nested_class(void) {
  spinlock_init(&lock_a, "pipe");
  spinlock_init(&lock_b, "pipe");
  selftest_take_first(&lock_a);
  selftest_take_second(&lock_b);
}

static void __attribute__((noinline)) selftest_sleep(struct spinlock *lk) {
  sleep(&channel, lk);
  steps += 3;
}

/* sleep() on 'pipe' while also holding 'console': the right order, but
 * sleeping would keep 'console' locked (and interrupts off) meanwhile. */
static void sleep_holding_spinlock(void) {
  spinlock_init(&lock_a, "console");
  spinlock_init(&lock_b, "pipe");
  selftest_take_first(&lock_a);
  selftest_take_second(&lock_b);
  selftest_sleep(&lock_b);
}

static void __attribute__((noinline)) selftest_take_sleeplock(struct sleeplock *lk) {
  acquire_sleep(lk);
  steps += 4;
}

/* acquire_sleep (which may sleep) while holding a spinlock. */
static void sleeplock_under_spinlock(void) {
  spinlock_init(&lock_a, "console");
  sleeplock_init(&sleeplock_a, "inode");
  selftest_take_first(&lock_a);
  selftest_take_sleeplock(&sleeplock_a);
}

static void __attribute__((noinline)) selftest_release(struct spinlock *lk) {
  release(lk);
  steps += 5;
}

/* Release a lock that was taken and released already. */
static void release_unheld(void) {
  spinlock_init(&lock_a, "pipe");
  selftest_take_first(&lock_a);
  release(&lock_a);
  selftest_release(&lock_a);
}

static const struct {
  const char *name;
  void (*run)(void);
} selftests[] = {
    {"lock_order", reversed_order},
    {"lock_nest", nested_class},
    {"lock_sleep", sleep_holding_spinlock},
    {"lock_sleeplock", sleeplock_under_spinlock},
    {"lock_release", release_unheld},
};

int lockcheck_selftest(const char *name) {
  for (int i = 0; i < (int)ARRAY_SIZE(selftests); i++) {
    if (strcmp(selftests[i].name, name) != 0)
      continue;
#ifdef DEBUG
    selftests[i].run();
    printf("selftest %s: the lock checker did not catch it\n", name);
#else
    printf("selftest %s: the lock checker is built only by make DEBUG=1\n", name);
#endif
    return 1;
  }
  return 0;
}
