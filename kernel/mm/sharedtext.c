/*
 * Shared program text: the pages of a program file's segments (its text,
 * its read-only data, and its writable data until a process writes a page)
 * are loaded once, page by page on first touch, and every process running
 * the program maps the same physical pages, read-only. fork shares them
 * too, so it copies only a process's private pages (see uvm.c for copy on
 * write).
 *
 * One struct shared_text per (file, segment); a file is named by its
 * file_id (device and inode number), which outlives any one in-memory
 * inode. It remembers each loaded
 * page in a two-level table: a root page of pointers to leaf pages, each
 * leaf holding the physical addresses of SLOTS_PER_PAGE pages.
 *
 * While some process maps the segment, memory for all of it is promised
 * (one promise per page of the segment plus its table pages; commit.c), so
 * loading a page of a running program never fails for want of memory, and
 * loading it does not change what sysinfo reports as free. When the last
 * process lets go, the loaded pages stay as a cache (the next exec of the
 * program finds them) but are no longer promised to anyone: they count as
 * free, and text_reclaim_one() frees the least recently used cached
 * segment whenever free pages run short of the promises made (commit.c).
 * The file system calls text_forget() before a file's bytes can change
 * (opened for writing, truncated, freed), so a cached segment is never stale.
 *
 * Lock: texts.lock guards every entry's fields and tables. Pages are read
 * from the file without it (that sleeps); text_insert() then installs the
 * page unless another process loaded the same one first. Never call
 * commit_reserve() with texts.lock held: it may reclaim.
 */
#include "kernel/mm/mm.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define SLOTS_PER_PAGE (PGSIZE / sizeof(uint64))
#define MAX_TEXT_PAGES (SLOTS_PER_PAGE * SLOTS_PER_PAGE) /* 1 GiB: what one root can hold */
#define NSHARED_TEXT (2 * NPROC)                         /* a text and a data segment each */

struct shared_text {
  uint64 file;      /* the program file (the region's file_id); 0 if the entry is free */
  uint64 start;     /* the segment's first address; with file, its identity */
  int maps;         /* address spaces mapping it; 0: only cached */
  uint64 promised;  /* pages promised while mapped: the segment and its tables */
  uint64 allocated; /* pages allocated: loaded pages and table pages */
  uint64 last_used; /* texts.clock when the last mapping went (for reclaim) */
  uint64 **root;    /* root[i / SLOTS_PER_PAGE][i % SLOTS_PER_PAGE]: page i, or 0 */
};

static struct {
  struct spinlock lock;
  uint64 clock; /* counts unmappings: orders cached segments by age */
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

static struct shared_text *find(uint64 file, uint64 start) {
  for (struct shared_text *t = texts.entries; t < texts.entries + NSHARED_TEXT; t++)
    if (t->file == file && t->start == start)
      return t;
  return 0;
}

/* Free a cached segment's pages and its entry; caller holds texts.lock. */
static void drop(struct shared_text *t) {
  commit_reclaimable(-(int64)t->allocated); /* before they count as free pages */
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
  t->file = 0;
}

/* The least recently used cached segment, or 0; caller holds texts.lock. */
static struct shared_text *oldest_cached(void) {
  struct shared_text *oldest = 0;
  for (struct shared_text *t = texts.entries; t < texts.entries + NSHARED_TEXT; t++)
    if (t->file && t->maps == 0 && (oldest == 0 || t->last_used < oldest->last_used))
      oldest = t;
  return oldest;
}

/* Map t again: its pages stop being a cache and are promised again.
 * The caller reserved t->promised pages; caller holds texts.lock. */
static void revive(struct shared_text *t) {
  commit_reclaimable(-(int64)t->allocated);
  commit_settle(t->allocated);
  t->maps = 1;
}

/* A new entry for the segment, its promise already reserved; caller holds texts.lock. */
static struct shared_text *create(uint64 file, uint64 start, uint64 promise) {
  struct shared_text *t = find(0, 0);
  if (t == 0 && (t = oldest_cached()) != 0)
    drop(t); /* the table is full: forget the oldest cache */
  if (t == 0)
    return 0;
  *t = (struct shared_text){.file = file, .start = start, .maps = 1, .promised = promise};
  t->root = alloc_promised(t);
  if (t->root == 0) {
    t->file = 0;
    return 0;
  }
  return t;
}

int text_get(uint64 file, uint64 start, uint64 end, struct shared_text **out) {
  uint64 npages = (end - start) / PGSIZE;
  if (npages > MAX_TEXT_PAGES)
    return -ENOMEM;
  uint64 promise = npages + table_pages(npages);
  acquire(&texts.lock);
  struct shared_text *t = find(file, start);
  if (t && t->maps > 0) {
    t->maps++; /* running already: its promise stands */
    release(&texts.lock);
    *out = t;
    return 0;
  }
  release(&texts.lock);
  if (commit_reserve(promise) < 0) /* may reclaim, so without the lock */
    return -ENOMEM;
  acquire(&texts.lock);
  t = find(file, start);
  if (t && t->maps > 0) {
    t->maps++; /* another exec mapped it meanwhile */
    commit_settle(promise);
  } else if (t) {
    revive(t);
  } else if ((t = create(file, start, promise)) == 0) {
    commit_settle(promise);
  }
  release(&texts.lock);
  *out = t;
  return t ? 0 : -ENOMEM;
}

void text_hold(struct shared_text *t) {
  acquire(&texts.lock);
  t->maps++;
  release(&texts.lock);
}

void text_put(struct shared_text *t) {
  acquire(&texts.lock);
  if (--t->maps == 0) {
    /* Keep the pages as a cache; what was never loaded is no longer promised. */
    commit_settle(t->promised - t->allocated);
    commit_reclaimable(t->allocated);
    t->last_used = ++texts.clock;
  }
  release(&texts.lock);
}

int text_reclaim_one(void) {
  acquire(&texts.lock);
  struct shared_text *t = oldest_cached();
  if (t)
    drop(t);
  release(&texts.lock);
  return t != 0;
}

void text_forget(uint64 file) {
  acquire(&texts.lock);
  for (struct shared_text *t = texts.entries; t < texts.entries + NSHARED_TEXT; t++)
    if (t->file == file && t->maps == 0)
      drop(t);
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
