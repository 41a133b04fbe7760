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

/* lock guards outstanding and reclaimable; reserve is set once at boot. */
static struct {
  struct spinlock lock;
  uint64 outstanding; /* pages promised and not yet allocated */
  uint64 reclaimable; /* cached pages nobody maps (sharedtext.c) */
  uint64 reserve;     /* pages kept for the kernel's own allocations */
} promises;

void commit_init(uint64 total_pages) {
  spinlock_init(&promises.lock, "commit");
  promises.reserve = total_pages / KERNEL_RESERVE_SHARE;
}

static uint64 free_pages(void) { return kalloc_free_bytes() / PGSIZE; }

/* Pages nobody has been promised; caller holds promises.lock. */
static uint64 available_locked(void) {
  uint64 usable = free_pages() + promises.reclaimable;
  uint64 taken = promises.outstanding + promises.reserve;
  return usable > taken ? usable - taken : 0;
}

/* Do the free pages cover every promise and the reserve? */
static int promises_covered(void) {
  acquire(&promises.lock);
  int covered = free_pages() >= promises.outstanding + promises.reserve;
  release(&promises.lock);
  return covered;
}

int commit_reserve(uint64 pages) {
  acquire(&promises.lock);
  int ok = pages <= available_locked();
  if (ok)
    promises.outstanding += pages;
  release(&promises.lock);
  while (ok && !promises_covered() && text_reclaim_one())
    ; /* turn cached pages into free ones until the promises are covered */
  return ok ? 0 : -ENOMEM;
}

void commit_reclaimable(int64 pages) {
  acquire(&promises.lock);
  promises.reclaimable += pages;
  release(&promises.lock);
}

void commit_add(uint64 pages) {
  acquire(&promises.lock);
  promises.outstanding += pages;
  release(&promises.lock);
}

void commit_settle(uint64 pages) {
  acquire(&promises.lock);
  if (pages > promises.outstanding)
    panic("commit_settle: %lu pages, only %lu promised", pages, promises.outstanding);
  promises.outstanding -= pages;
  release(&promises.lock);
}

uint64 commit_available_bytes(void) {
  acquire(&promises.lock);
  uint64 pages = available_locked();
  release(&promises.lock);
  return pages * PGSIZE;
}
