/*
 * Shared program text: the read-only segments of a program file (text,
 * read-only data) are loaded once, page by page on first touch, and every
 * process running the program maps the same physical pages. fork shares
 * them too, so it copies only a process's private (writable) pages.
 *
 * One struct shared_text per (file, segment) in use. It remembers each
 * loaded page in a two-level table: a root page of pointers to leaf pages,
 * each leaf holding the physical addresses of SLOTS_PER_PAGE pages.
 *
 * Memory for all of it is promised when the segment is first mapped (one
 * promise per page of the segment plus its table pages; commit.c), so
 * loading a page of a running program never fails for want of memory, and
 * a process loading pages of its own program does not change what sysinfo
 * reports as free. The pages are freed when the last process mapping the
 * segment lets go of it.
 *
 * Lock: texts.lock guards every entry's fields and tables. Pages are read
 * from the file without it (that sleeps); text_insert() then installs the
 * page unless another process loaded the same one first.
 */
#include "kernel/mm/mm.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define SLOTS_PER_PAGE (PGSIZE / sizeof(uint64))
#define MAX_TEXT_PAGES (SLOTS_PER_PAGE * SLOTS_PER_PAGE) /* 1 GiB: what one root can hold */
#define NSHARED_TEXT (2 * NPROC)                         /* a text and a rodata segment each */

struct shared_text {
  void *obj;        /* the program file (the region's backing object); 0 if free */
  uint64 start;     /* the segment's first address; with obj, its identity */
  uint64 npages;    /* pages of the segment */
  int maps;         /* address spaces mapping it */
  uint64 promised;  /* pages promised when it was created */
  uint64 allocated; /* pages allocated since: loaded pages and table pages */
  uint64 **root;    /* root[i / SLOTS_PER_PAGE][i % SLOTS_PER_PAGE]: page i, or 0 */
};

static struct {
  struct spinlock lock;
  struct shared_text entries[NSHARED_TEXT];
} texts;

void text_init(void) { spinlock_init(&texts.lock, "texts"); }

/* Table pages needed for npages: the root and the leaves. */
static uint64 table_pages(uint64 npages) { return 1 + ROUNDUP(npages, SLOTS_PER_PAGE) / SLOTS_PER_PAGE; }

/* An allocation made against t's promise; caller holds texts.lock. */
static void *alloc_promised(struct shared_text *t) {
  void *page = kalloc();
  if (page) {
    t->allocated++;
    commit_settle(1);
  }
  return page;
}

static struct shared_text *find(void *obj, uint64 start) {
  for (struct shared_text *t = texts.entries; t < texts.entries + NSHARED_TEXT; t++)
    if (t->obj == obj && t->start == start)
      return t;
  return 0;
}

int text_get(void *obj, uint64 start, uint64 end, struct shared_text **out) {
  uint64 npages = (end - start) / PGSIZE;
  if (npages > MAX_TEXT_PAGES)
    return -ENOMEM;
  acquire(&texts.lock);
  struct shared_text *t = find(obj, start);
  if (t) {
    t->maps++;
    release(&texts.lock);
    *out = t;
    return 0;
  }
  t = find(0, 0);
  uint64 promise = npages + table_pages(npages);
  if (t == 0 || commit_reserve(promise) < 0) {
    release(&texts.lock);
    return -ENOMEM;
  }
  *t = (struct shared_text){.obj = obj, .start = start, .npages = npages, .maps = 1, .promised = promise};
  t->root = alloc_promised(t);
  if (t->root == 0) {
    commit_settle(promise - t->allocated);
    t->obj = 0;
    release(&texts.lock);
    return -ENOMEM;
  }
  release(&texts.lock);
  *out = t;
  return 0;
}

void text_hold(struct shared_text *t) {
  acquire(&texts.lock);
  t->maps++;
  release(&texts.lock);
}

void text_put(struct shared_text *t) {
  acquire(&texts.lock);
  if (--t->maps > 0) {
    release(&texts.lock);
    return;
  }
  for (uint64 i = 0; i < SLOTS_PER_PAGE; i++) {
    uint64 *leaf = t->root[i];
    if (leaf == 0)
      continue;
    for (uint64 j = 0; j < SLOTS_PER_PAGE; j++)
      if (leaf[j])
        kfree((void *)leaf[j]);
    kfree(leaf);
  }
  kfree(t->root);
  commit_settle(t->promised - t->allocated); /* what was never used */
  t->obj = 0;
  release(&texts.lock);
}

/* The slot for va, creating its leaf if create; 0 if there is none. */
static uint64 *slot(struct shared_text *t, uint64 va, int create) {
  uint64 i = (va - t->start) / PGSIZE;
  uint64 **leaf = &t->root[i / SLOTS_PER_PAGE];
  if (*leaf == 0 && (!create || (*leaf = alloc_promised(t)) == 0))
    return 0;
  return &(*leaf)[i % SLOTS_PER_PAGE];
}

uint64 text_lookup(struct shared_text *t, uint64 va) {
  acquire(&texts.lock);
  uint64 *s = slot(t, va, 0);
  uint64 pa = s ? *s : 0;
  release(&texts.lock);
  return pa;
}

uint64 text_insert(struct shared_text *t, uint64 va, void *page) {
  acquire(&texts.lock);
  uint64 *s = slot(t, va, 1);
  uint64 pa = 0;
  if (s && *s) {
    pa = *s; /* another process loaded it first: use that copy */
    kfree(page);
  } else if (s) {
    pa = *s = (uint64)page;
    t->allocated++;
    commit_settle(1);
  } else {
    kfree(page); /* no leaf: cannot happen while the promise holds */
  }
  release(&texts.lock);
  return pa;
}
