/*
 * Commit accounting: promises of memory.
 *
 * Pages are still allocated lazily, on first touch, but the promise to
 * provide them is made (or refused) early: at exec for a program's data,
 * text and first stack pages, at sbrk for the heap, at fork for the child's
 * copy. A promised page that is touched later always finds memory, so a
 * program that grows until sbrk fails sees the failure at sbrk, instead of
 * being killed at a page fault later.
 *
 * The global count is of outstanding promises: pages promised but not yet
 * allocated. Allocating a promised page turns one promise into one used
 * page (commit_settle(1)); freeing such a page while its promise stands
 * turns it back (commit_add(1)). Pages of programs nobody runs any more
 * stay cached (sharedtext.c) but can be reclaimed at any time, so they
 * count as free. What nobody has been promised is
 *
 *   available = free pages + reclaimable pages - outstanding - kernel reserve
 *
 * and that is what sysinfo() reports as free memory. After each new
 * promise, cached pages are reclaimed until the free pages cover every
 * outstanding promise and the reserve. The reserve, one page in
 * KERNEL_RESERVE_SHARE of all, keeps room for the kernel's own allocations
 * (page tables, pipes, exec's scratch pages), which are made without
 * promises. See docs/memory.md.
 */
#include "kernel/mm/mm.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define KERNEL_RESERVE_SHARE 32

/*
 * The counts change without a lock, by atomic operations: a page fault
 * must stay cheap. A new promise checks and adds in one compare-and-swap,
 * so two promises never take the same pages. Free pages change under the
 * allocator's own lock; callers allocate before they settle a promise,
 * make a promise outstanding again before they free its page, and stop
 * counting cached pages as reclaimable before they free them, so a check
 * running meanwhile only ever sees too little available, never too much.
 * reserve is set once at boot.
 */
static struct {
  uint64 outstanding; /* pages promised and not yet allocated */
  uint64 reclaimable; /* cached pages nobody maps (sharedtext.c) */
  uint64 reserve;     /* pages kept for the kernel's own allocations */
} promises;

void commit_init(uint64 total_pages) { promises.reserve = total_pages / KERNEL_RESERVE_SHARE; }

static uint64 load(uint64 *count) { return __atomic_load_n(count, __ATOMIC_SEQ_CST); }
static uint64 free_pages(void) { return kalloc_free_bytes() / PGSIZE; }

/* Pages nobody has been promised, were outstanding promises so many. */
static uint64 available(uint64 outstanding) {
  uint64 usable = free_pages() + load(&promises.reclaimable);
  uint64 taken = outstanding + promises.reserve;
  return usable > taken ? usable - taken : 0;
}

/* Do the free pages cover every promise and the reserve? */
static int covered(void) { return free_pages() >= load(&promises.outstanding) + promises.reserve; }

int commit_reserve(uint64 pages) {
  uint64 old = load(&promises.outstanding);
  do {
    if (pages > available(old))
      return -ENOMEM;
  } while (!__atomic_compare_exchange_n(&promises.outstanding, &old, old + pages, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST));
  while (load(&promises.reclaimable) && !covered() && text_reclaim_one())
    ; /* turn cached pages into free ones until the promises are covered */
  return 0;
}

void commit_add(uint64 pages) { __atomic_fetch_add(&promises.outstanding, pages, __ATOMIC_SEQ_CST); }

void commit_settle(uint64 pages) {
  uint64 before = __atomic_fetch_sub(&promises.outstanding, pages, __ATOMIC_SEQ_CST);
  if (pages > before)
    panic("commit_settle: %lu pages, only %lu promised", pages, before);
}

void commit_reclaimable(int64 pages) { __atomic_fetch_add(&promises.reclaimable, pages, __ATOMIC_SEQ_CST); }

uint64 commit_available_bytes(void) { return available(load(&promises.outstanding)) * PGSIZE; }
