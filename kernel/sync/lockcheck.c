/*
 * The lock checker (debug kernel only; see lockcheck.h). It enforces the
 * lock table of lockrank.h and panics, naming the two code sites
 * involved, at the first lock taken against the rules.
 *
 * Each holder has a record: how many locks of each class it holds, and
 * which lock of each class it took last (to name its site in a report).
 * A hart's record counts its spinlocks and is touched only by that hart
 * with interrupts off; a process's record counts its sleeplocks and is
 * touched only by that process. Neither needs a lock.
 *
 * Sites are return addresses, found by walking the frame pointers: the
 * code that called the lock function, then its caller and the caller's
 * caller. `addr2line -f -e build/debug/kernel/kernel ADDRESS` names them.
 */
#include "kernel/sync/sync.h"
#include "kernel/sync/lockrank.h"
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"

#ifdef DEBUG

enum lock_kind { SPINLOCK, SLEEPLOCK };
enum sleep_rule { SLEEP_NO, SLEEP_OK };

struct lock_class {
  const char *name;
  enum lock_kind kind;
  int rank;
  int nest;               /* most locks of the class one holder may hold */
  enum sleep_rule sleep;  /* may a lock of the class be held across sleep? */
};

#define CLASS_ID(id, name, kind, rank, nest, sleep, guards) LOCK_##id,
enum lock_class_id { LOCK_TABLE(CLASS_ID) NLOCKCLASS };

#define CLASS_ENTRY(id, name, kind, rank, nest, sleep, guards) {name, kind, rank, nest, sleep},
static const struct lock_class classes[NLOCKCLASS] = {LOCK_TABLE(CLASS_ENTRY)};

/* The locks one holder (a hart or a process) holds. */
struct holder_record {
  ushort count[NLOCKCLASS];                /* locks held, per class */
  const struct lock_debug *last[NLOCKCLASS]; /* the one of each class taken last */
};

static struct holder_record cpu_records[NCPU];
/* One per process slot, and one more for code running outside a process. */
static struct holder_record process_records[NPROC + 1];

/* A RISC-V frame with a frame pointer keeps the return address just below
 * fp, and the caller's fp below that. */
#define FRAME_RA_OFFSET 8
#define FRAME_FP_OFFSET 16
#define MIN_FRAME_SIZE 16         /* a frame holds at least ra and the caller's fp */
#define MAX_FRAME_BYTES (16 * 1024) /* a whole kernel stack: no frame is bigger */

/* --- sites --- */

/* Walk the frame pointers from fp (a lock function's own frame): the
 * return address saved in each frame is a site in its caller. Stop at
 * anything that does not look like the next frame up the same stack,
 * such as a user-mode frame pointer saved by the trap entry. */
static void capture_site(struct lock_site *site, uint64 fp) {
  memset(site->pc, 0, sizeof site->pc);
  for (int i = 0; i < LOCK_SITE_DEPTH && fp >= MIN_FRAME_SIZE && fp % sizeof(uint64) == 0; i++) {
    site->pc[i] = *(uint64 *)(fp - FRAME_RA_OFFSET);
    uint64 up = *(uint64 *)(fp - FRAME_FP_OFFSET);
    if (up <= fp || up - fp > MAX_FRAME_BYTES)
      break;
    fp = up;
  }
  site->cpu = mycpu()->index;
  site->pid = sync_current_id();
}

static void print_site(const char *what, const char *lock_name, const struct lock_site *site) {
  printf("lockcheck:   %s '%s' at", what, lock_name);
  for (int i = 0; i < LOCK_SITE_DEPTH && site->pc[i]; i++)
    printf(" 0x%lx", site->pc[i]);
  printf(" (cpu %d, pid %d)\n", site->cpu, site->pid);
}

/* Before the panic line: the two sites (a site's first address is the
 * code that called the lock function; the others are its callers). */
static void print_sites(const char *now_what, const char *now_lock, const struct lock_site *now,
                        const char *then_what, const char *then_lock,
                        const struct lock_site *then) {
  print_site(now_what, now_lock, now);
  print_site(then_what, then_lock, then);
  printf("lockcheck: rules and ranks: kernel/sync/lockrank.h, docs/locking.md\n");
  printf("lockcheck: to name the functions: addr2line -f -e build/debug/kernel/kernel ADDRESS...\n");
}

/* --- classes --- */

static const char *kind_name(enum lock_kind kind) { return kind == SPINLOCK ? "spinlock" : "sleeplock"; }

/* The table's own rules: ranks are distinct and every sleeplock ranks
 * below every spinlock (so rule 1 also forbids sleeplocks under
 * spinlocks, and each holder's record can be checked on its own); no
 * spinlock may be held across a sleep (interrupts stay off meanwhile). */
static void check_table(void) {
  for (int i = 0; i < NLOCKCLASS; i++) {
    if (classes[i].kind == SPINLOCK && classes[i].sleep != SLEEP_NO)
      panic("lockcheck: spinlock '%s' cannot be held across a sleep", classes[i].name);
    for (int j = 0; j < NLOCKCLASS; j++) {
      if (i != j && classes[i].rank == classes[j].rank)
        panic("lockcheck: '%s' and '%s' have the same rank", classes[i].name, classes[j].name);
      if (classes[i].kind == SLEEPLOCK && classes[j].kind == SPINLOCK &&
          classes[i].rank > classes[j].rank)
        panic("lockcheck: sleeplock '%s' ranks above spinlock '%s'", classes[i].name,
              classes[j].name);
    }
  }
}

static const struct lock_class *class_named(const char *name, enum lock_kind kind) {
  static int table_checked; /* the first init runs on the boot hart alone */
  if (!table_checked) {
    check_table();
    table_checked = 1;
  }
  for (int i = 0; i < NLOCKCLASS; i++) {
    if (name == 0 || strcmp(classes[i].name, name) != 0)
      continue;
    if (classes[i].kind != kind)
      panic("lockcheck: '%s' is a %s in the lock table, but was initialized as a %s", name,
            kind_name(classes[i].kind), kind_name(kind));
    return &classes[i];
  }
  panic("lockcheck: %s '%s' is not in the lock table (kernel/sync/lockrank.h)", kind_name(kind),
        name ? name : "(no name)");
}

static const struct lock_class *class_of(const struct lock_debug *d, const char *name) {
  if (d->cls == 0)
    panic("lockcheck: lock '%s' used before its init function ran", name ? name : "(no name)");
  return d->cls;
}

static int class_index(const struct lock_class *c) { return c - classes; }

/* --- holder records --- */

static struct holder_record *this_cpu_record(void) { return &cpu_records[mycpu()->index]; }

static struct holder_record *this_process_record(void) {
  int slot = sync_current_slot();
  return &process_records[slot >= 0 ? slot : NPROC];
}

static void record_take(struct holder_record *r, const struct lock_debug *d) {
  int i = class_index(d->cls);
  r->count[i]++;
  r->last[i] = d;
}

static void record_drop(struct holder_record *r, const struct lock_debug *d, const char *name) {
  int i = class_index(d->cls);
  if (r->count[i] == 0)
    panic("lockcheck: releasing '%s', but its holder's record has no lock of its class", name);
  r->count[i]--;
}

/* The class of a lock in r that forbids taking one of class c (rule 1 or
 * 2), or -1 if there is none. */
static int conflicting_class(const struct holder_record *r, const struct lock_class *c) {
  for (int i = 0; i < NLOCKCLASS; i++) {
    if (r->count[i] == 0)
      continue;
    if (&classes[i] == c ? r->count[i] >= c->nest : classes[i].rank > c->rank)
      return i;
  }
  return -1;
}

/* Rules 1 and 2: may the holder of r take the lock named name, whose
 * checker record is d? */
static void check_order(const struct holder_record *r, const struct lock_debug *d, const char *name,
                        uint64 fp) {
  const struct lock_class *c = d->cls;
  int i = conflicting_class(r, c);
  if (i < 0)
    return;
  struct lock_site here;
  capture_site(&here, fp);
  const struct lock_class *held = &classes[i];
  const struct lock_site *held_site = &r->last[i]->site;
  if (held == c) {
    printf("lockcheck: %d %ss of class '%s' held at once; the lock table allows %d\n",
           r->count[i] + 1, kind_name(c->kind), c->name, c->nest);
    print_sites("taking", name, &here, "while holding (the latest taken)", held->name, held_site);
    panic("lockcheck: nesting: '%s' taken at 0x%lx while holding %d of its class (latest taken "
          "at 0x%lx)",
          name, here.pc[0], r->count[i], held_site->pc[0]);
  }
  printf("lockcheck: lock order violated: '%s' (%s, rank %d) taken while holding '%s' (%s, rank "
         "%d)\n",
         name, kind_name(c->kind), c->rank, held->name, kind_name(held->kind), held->rank);
  print_sites("taking", name, &here, "while holding", held->name, held_site);
  panic("lockcheck: lock order: '%s' (rank %d) taken at 0x%lx while holding '%s' (rank %d) taken "
        "at 0x%lx",
        name, c->rank, here.pc[0], held->name, held->rank, held_site->pc[0]);
}

/* The first class with a lock in r, not counting one lock of class
 * `except` (which may be 0) and, if only_no_sleep, classes whose locks
 * may be held across a sleep; or -1. */
static int any_held(const struct holder_record *r, const struct lock_class *except,
                    int only_no_sleep) {
  for (int i = 0; i < NLOCKCLASS; i++)
    if (r->count[i] > (&classes[i] == except ? 1 : 0) &&
        !(only_no_sleep && classes[i].sleep == SLEEP_OK))
      return i;
  return -1;
}

/* Rule 3: about to block (what) at fp: this hart holds no lock that may
 * not be held across a sleep, but the one of class `except`. */
static void check_may_block(const char *what, const char *lock_name, const struct lock_class *except,
                            uint64 fp) {
  const struct holder_record *r = this_cpu_record();
  int i = any_held(r, except, 1);
  if (i < 0)
    return;
  struct lock_site here;
  capture_site(&here, fp);
  const struct lock_site *held_site = &r->last[i]->site;
  printf("lockcheck: %s may block, but this hart holds spinlock '%s'\n", what, classes[i].name);
  print_sites(except ? "sleeping on" : "taking", lock_name, &here, "while holding", classes[i].name,
              held_site);
  panic("lockcheck: %s ('%s') at 0x%lx while holding spinlock '%s' taken at 0x%lx", what, lock_name,
        here.pc[0], classes[i].name, held_site->pc[0]);
}

/* --- the hooks --- */

void lockcheck_spin_init(struct spinlock *lk) {
  lk->debug.cls = class_named(lk->name, SPINLOCK);
  memset(&lk->debug.site, 0, sizeof lk->debug.site);
}

void lockcheck_spin_acquire(struct spinlock *lk, uint64 fp) {
  class_of(&lk->debug, lk->name);
  check_order(this_cpu_record(), &lk->debug, lk->name, fp);
}

void lockcheck_spin_acquired(struct spinlock *lk, uint64 fp) {
  capture_site(&lk->debug.site, fp);
  record_take(this_cpu_record(), &lk->debug);
}

void lockcheck_spin_release(struct spinlock *lk, uint64 fp) {
  class_of(&lk->debug, lk->name);
  if (!holding(lk)) {
    struct lock_site here;
    capture_site(&here, fp);
    printf("lockcheck: spinlock '%s' released, but this hart does not hold it (%s)\n", lk->name,
           lk->locked ? "another hart does" : "nobody does");
    print_sites("releasing", lk->name, &here, "it was last taken", lk->name, &lk->debug.site);
    panic("lockcheck: release of '%s' at 0x%lx, not held by this hart (last taken at 0x%lx, cpu "
          "%d)",
          lk->name, here.pc[0], lk->debug.site.pc[0], lk->debug.site.cpu);
  }
  record_drop(this_cpu_record(), &lk->debug, lk->name);
}

void lockcheck_sleeplock_init(struct sleeplock *lk) {
  lk->debug.cls = class_named(lk->name, SLEEPLOCK);
  memset(&lk->debug.site, 0, sizeof lk->debug.site);
}

/* A process taking a sleeplock it already holds would wait for itself. */
static void check_not_mine(struct sleeplock *lk, uint64 fp) {
  int me = sync_current_id();
  if (me == 0 || !lk->locked || lk->owner != me)
    return; /* only we can have set owner to our own pid: no race */
  struct lock_site here;
  capture_site(&here, fp);
  printf("lockcheck: pid %d takes sleeplock '%s' again: it would wait for itself\n", me, lk->name);
  print_sites("taking", lk->name, &here, "already holding it since", lk->name, &lk->debug.site);
  panic("lockcheck: '%s' taken at 0x%lx by pid %d, which holds it since 0x%lx", lk->name,
        here.pc[0], me, lk->debug.site.pc[0]);
}

void lockcheck_sleeplock_acquire(struct sleeplock *lk, uint64 fp, int may_block) {
  class_of(&lk->debug, lk->name);
  if (may_block)
    check_may_block("acquire_sleep", lk->name, 0, fp);
  check_not_mine(lk, fp);
  check_order(this_process_record(), &lk->debug, lk->name, fp);
}

void lockcheck_sleeplock_acquired(struct sleeplock *lk, uint64 fp) {
  capture_site(&lk->debug.site, fp);
  record_take(this_process_record(), &lk->debug);
}

/* Called with lk->lk held, so locked and owner are stable. */
void lockcheck_sleeplock_release(struct sleeplock *lk, uint64 fp) {
  int me = sync_current_id();
  if (!lk->locked || lk->owner != me) {
    struct lock_site here;
    capture_site(&here, fp);
    printf("lockcheck: sleeplock '%s' released by pid %d, but %s\n", lk->name, me,
           lk->locked ? "another process holds it" : "nobody holds it");
    print_sites("releasing", lk->name, &here, "it was last taken", lk->name, &lk->debug.site);
    panic("lockcheck: release of '%s' at 0x%lx by pid %d, not its holder (last taken at 0x%lx by "
          "pid %d)",
          lk->name, here.pc[0], me, lk->debug.site.pc[0], lk->debug.site.pid);
  }
  record_drop(this_process_record(), &lk->debug, lk->name);
}

void lockcheck_sleep(struct spinlock *lk, int interruptible, uint64 fp) {
  check_may_block("sleep", lk->name, class_of(&lk->debug, lk->name), fp);
  if (!interruptible)
    return;
  /* Rule 3: suspend() may stop an interruptible sleeper indefinitely; it
   * must not hold up others waiting for its sleeplocks. */
  const struct holder_record *r = this_process_record();
  int i = any_held(r, 0, 0);
  if (i < 0)
    return;
  struct lock_site here;
  capture_site(&here, fp);
  const struct lock_site *held_site = &r->last[i]->site;
  printf("lockcheck: interruptible sleep (which suspend may stop) holding sleeplock '%s'\n",
         classes[i].name);
  print_sites("sleeping on", lk->name, &here, "while holding", classes[i].name, held_site);
  panic("lockcheck: sleep_interruptible at 0x%lx while holding sleeplock '%s' taken at 0x%lx",
        here.pc[0], classes[i].name, held_site->pc[0]);
}

void lockcheck_exit(void) {
  const struct holder_record *r = this_process_record();
  int i = any_held(r, 0, 0);
  if (i >= 0)
    panic("lockcheck: pid %d exits holding sleeplock '%s' taken at 0x%lx", sync_current_id(),
          classes[i].name, r->last[i]->site.pc[0]);
}

#endif /* DEBUG */
