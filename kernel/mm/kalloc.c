/*
 * The physical page allocator: a free list of 4096-byte pages threaded
 * through the free pages themselves. It covers all RAM above the kernel
 * image that the device tree reports.
 *
 * The debug kernel (make DEBUG=1) poisons every page it frees and checks
 * the poison when the page is handed out again: a write through a stale
 * pointer into a freed page then panics naming the page, instead of
 * silently corrupting its next user. A bitmap of free pages catches a
 * page freed twice.
 */
#include "kernel/mm/mm.h"
#include "kernel/lib/lib.h"
#include "kernel/lib/failpoint.h"

struct free_page {
  struct free_page *next;
#ifdef DEBUG
  uint64 freed_at; /* return address in the code that freed it */
  uint64 poison[PGSIZE / sizeof(uint64) - 2];
#endif
};

/* lock guards free_list and free_pages (and, in the debug kernel,
 * free_bitmap); range_* are set once at boot. */
static struct {
  struct spinlock lock;
  struct free_page *free_list;
  uint64 free_pages;
  uint64 range_start, range_end;
#ifdef DEBUG
  uint8 *free_bitmap; /* bit i: page i of the range is free */
#endif
} pages;

#ifdef DEBUG
/* The word every poisoned word holds: not a kernel or user address, nor
 * a small number, and its bytes (0x5a) are not zero. */
#define POISON_WORD 0x5a5a5a5a5a5a5a5aUL
#define BITS_PER_BYTE 8

_Static_assert(sizeof(struct free_page) == PGSIZE, "a free page's layout must fill the page");

static uint64 page_index(void *page) { return ((uint64)page - pages.range_start) / PGSIZE; }

/* Flip the page's free bit; panics unless it was `expected`. caller is
 * a return address in the code that called kfree or kalloc. lock held. */
static void set_free_bit(void *page, int expected, const char *why, uint64 caller) {
  uint64 i = page_index(page);
  uint8 mask = 1 << (i % BITS_PER_BYTE);
  int was = (pages.free_bitmap[i / BITS_PER_BYTE] & mask) != 0;
  if (was != expected)
    panic("%s: page %p (called from 0x%lx)", why, page, caller);
  pages.free_bitmap[i / BITS_PER_BYTE] ^= mask;
}

/* The bitmap takes the first pages of the range, before any is freed. */
static void debug_init(void) {
  uint64 npages = (pages.range_end - pages.range_start) / PGSIZE;
  uint64 bytes = ROUNDUP((npages + BITS_PER_BYTE - 1) / BITS_PER_BYTE, PGSIZE);
  pages.free_bitmap = (uint8 *)pages.range_start;
  memset(pages.free_bitmap, 0, bytes);
  pages.range_start += bytes;
}

static void poison(struct free_page *fp, uint64 freed_at) {
  fp->freed_at = freed_at;
  for (int i = 0; i < (int)ARRAY_SIZE(fp->poison); i++)
    fp->poison[i] = POISON_WORD;
}

/* Was anything written to the page since it was freed? */
static void check_poison(struct free_page *fp) {
  for (int i = 0; i < (int)ARRAY_SIZE(fp->poison); i++)
    if (fp->poison[i] != POISON_WORD)
      panic("kalloc: page %p was written after it was freed: at offset 0x%lx it holds 0x%lx, "
            "not the poison 0x%lx (freed by code at 0x%lx)",
            fp, (uint64)&fp->poison[i] - (uint64)fp, fp->poison[i], POISON_WORD, fp->freed_at);
}

/* A free page's link, checked: a stray write may have changed it too. */
static void check_link(struct free_page *fp) {
  uint64 next = (uint64)fp->next;
  if (next != 0 && (next % PGSIZE || next < pages.range_start || next >= pages.range_end))
    panic("kalloc: page %p was written after it was freed: its free-list link is 0x%lx "
          "(freed by code at 0x%lx)",
          fp, next, fp->freed_at);
}
#endif

void kalloc_init(uint64 start, uint64 end) {
  spinlock_init(&pages.lock, "kalloc");
  pages.range_start = ROUNDUP(start, PGSIZE);
  pages.range_end = ROUNDDOWN(end, PGSIZE);
#ifdef DEBUG
  debug_init();
#endif
  /* Free from the top down so the list hands out low addresses first. */
  for (uint64 pa = pages.range_end - PGSIZE; pa >= pages.range_start; pa -= PGSIZE)
    kfree((void *)pa);
  commit_init(pages.free_pages);
  text_init();
}

void kfree(void *page) {
  uint64 pa = (uint64)page;
  if (pa % PGSIZE || pa < pages.range_start || pa >= pages.range_end)
    panic("kfree: bad page %p", page);
  struct free_page *fp = page;
#ifdef DEBUG
  poison(fp, (uint64)__builtin_return_address(0));
#endif
  acquire(&pages.lock);
#ifdef DEBUG
  set_free_bit(page, 0, "kfree: freeing a page that is free already",
               (uint64)__builtin_return_address(0));
#endif
  fp->next = pages.free_list;
  pages.free_list = fp;
  pages.free_pages++;
  release(&pages.lock);
}

void *kalloc(void) {
  if (fail_should(FAIL_KALLOC))
    return 0;
  acquire(&pages.lock);
  struct free_page *fp = pages.free_list;
  if (fp) {
#ifdef DEBUG
    check_link(fp);
    set_free_bit(fp, 1, "kalloc: the free list holds a page that is not free",
                 (uint64)__builtin_return_address(0));
#endif
    pages.free_list = fp->next;
    pages.free_pages--;
  }
  release(&pages.lock);
#ifdef DEBUG
  if (fp)
    check_poison(fp);
#endif
  if (fp)
    memset(fp, 0, PGSIZE);
  return fp;
}

uint64 kalloc_free_bytes(void) { return pages.free_pages * PGSIZE; }
uint64 kalloc_total_bytes(void) { return pages.range_end - pages.range_start; }

#define USE_AFTER_FREE_OFFSET 0x320 /* where the self-test writes: past the free-list link */

/* selftest=use_after_free: write into a freed page, then allocate again
 * (the free list is last in, first out, and no other hart runs yet).
 * selftest=double_free: free a page twice. */
int kalloc_selftest(const char *name) {
  int use_after_free = strcmp(name, "use_after_free") == 0;
  if (!use_after_free && strcmp(name, "double_free") != 0)
    return 0;
  uint64 *page = kalloc();
  if (page == 0)
    panic("selftest %s: no memory", name);
  kfree(page);
  if (use_after_free) {
    printf("selftest use_after_free: writing to freed page %p at offset 0x%x\n", page,
           USE_AFTER_FREE_OFFSET);
    page[USE_AFTER_FREE_OFFSET / sizeof(uint64)] = 1;
    kalloc();
  } else {
    printf("selftest double_free: freeing page %p again\n", page);
    kfree(page);
  }
#ifdef DEBUG
  printf("selftest %s: the page checks did not catch it\n", name);
#else
  printf("selftest %s: pages are checked only by make DEBUG=1\n", name);
#endif
  return 1;
}
