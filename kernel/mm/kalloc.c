/*
 * The physical page allocator: a free list of 4096-byte pages threaded
 * through the free pages themselves. It covers all RAM above the kernel
 * image that the device tree reports.
 */
#include "kernel/mm/mm.h"
#include "kernel/lib/lib.h"

struct free_page {
  struct free_page *next;
};

/* lock guards free_list and free_pages; range_* are set once at boot. */
static struct {
  struct spinlock lock;
  struct free_page *free_list;
  uint64 free_pages;
  uint64 range_start, range_end;
} pages;

void kalloc_init(uint64 start, uint64 end) {
  spinlock_init(&pages.lock, "kalloc");
  pages.range_start = ROUNDUP(start, PGSIZE);
  pages.range_end = ROUNDDOWN(end, PGSIZE);
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
  acquire(&pages.lock);
  fp->next = pages.free_list;
  pages.free_list = fp;
  pages.free_pages++;
  release(&pages.lock);
}

void *kalloc(void) {
  acquire(&pages.lock);
  struct free_page *fp = pages.free_list;
  if (fp) {
    pages.free_list = fp->next;
    pages.free_pages--;
  }
  release(&pages.lock);
  if (fp)
    memset(fp, 0, PGSIZE);
  return fp;
}

uint64 kalloc_free_bytes(void) { return pages.free_pages * PGSIZE; }
uint64 kalloc_total_bytes(void) { return pages.range_end - pages.range_start; }
