/*
 * User address spaces. An address space is a page table plus a short list
 * of regions (text, data, heap, stack). Pages are mapped lazily: a region
 * only says that its addresses may be used, and as_fault() maps a page
 * the first time it is touched, filling it from the region's backing file
 * (the program, for text and data) or with zeroes.
 *
 * A page read from the file is shared with every process running the
 * program (sharedtext.c) and mapped read-only; the first write to a
 * writable one copies it into a private page. Private pages are counted
 * against the region's promise of memory (commit.c): `committed` pages
 * promised, `anon` allocated. docs/memory.md tells the whole story.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/arch/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

struct addrspace *as_create(void) {
  struct addrspace *as = kalloc();
  if (as == 0)
    return 0;
  if ((as->pt = kalloc()) == 0) {
    kfree(as);
    return 0;
  }
  pt_share_kernel(as->pt, kernel_pagetable);
  return as;
}

/* Free a private page; shared text pages belong to their shared_text. */
static int free_page(uint64 va, pte_t *pte, void *arg) {
  if (!(*pte & PTE_SHARED))
    kfree((void *)pte_to_pa(*pte));
  *pte = 0;
  return 0;
}

/* Give up r's mapping: its shared pages and its outstanding promise. */
static void region_release(struct region *r) {
  if (r->shared)
    text_put(r->shared);
  commit_settle(r->committed - r->anon);
  if (r->ops)
    r->ops->release(r->obj);
  r->used = 0;
}

void as_destroy(struct addrspace *as) {
  if (as == 0)
    return;
  pt_for_each_user_page(as->pt, free_page, 0);
  for (int i = 0; i < NREGION; i++)
    if (as->regions[i].used)
      region_release(&as->regions[i]);
  pt_free_user(as->pt);
  kfree(as);
}

static int overlaps(const struct region *r, uint64 start, uint64 end) {
  return r->used && start < r->end && r->start < end;
}

/* The end of r's pages that hold file bytes. As long as nobody writes
 * them, they are the same for every process mapping the file, so they are
 * shared; the pages after them (bss) are private from the start. */
static uint64 shared_end(const struct region *r) {
  if (r->ops == 0 || r->file_size == 0)
    return r->start;
  return MIN(r->end, ROUNDUP(r->data_va + r->file_size, PGSIZE));
}

// LAB lazy: load-now
// END LAB lazy

int as_add_region(struct addrspace *as, const struct region *r) {
  if (r->start % PGSIZE || r->end % PGSIZE || r->start >= r->end || r->end > USER_TOP)
    return -EINVAL;
  struct region *slot = 0;
  for (int i = 0; i < NREGION; i++) {
    if (overlaps(&as->regions[i], r->start, r->end))
      return -EINVAL;
    if (!as->regions[i].used && slot == 0)
      slot = &as->regions[i];
  }
  if (slot == 0)
    return -EINVAL;
  struct shared_text *shared = 0;
  if (shared_end(r) > r->start && text_get(r->file_id, r->start, shared_end(r), &shared) < 0)
    return -ENOMEM;
  if (commit_reserve(r->committed) < 0) {
    if (shared)
      text_put(shared);
    return -ENOMEM;
  }
  *slot = *r;
  slot->used = 1;
  slot->shared = shared;
  slot->anon = 0;
  if (slot->ops)
    slot->ops->hold(slot->obj);
  if (r->kind == REGION_HEAP)
    as->heap_start = as->brk = as->lazy_from = r->start;
  return 0;
}

static struct region *find_region(struct addrspace *as, uint64 va) {
  for (int i = 0; i < NREGION; i++) {
    struct region *r = &as->regions[i];
    if (r->used && va >= r->start && va < r->end)
      return r;
  }
  return 0;
}

static struct region *region_of_kind(struct addrspace *as, enum region_kind kind) {
  for (int i = 0; i < NREGION; i++)
    if (as->regions[i].used && as->regions[i].kind == kind)
      return &as->regions[i];
  return 0;
}

int as_promise(struct addrspace *as, enum region_kind kind, uint64 pages) {
  struct region *r = region_of_kind(as, kind);
  if (r == 0 || commit_reserve(pages) < 0)
    return -ENOMEM;
  r->committed += pages;
  return 0;
}

uint64 as_size(struct addrspace *as) {
  uint64 size = 0;
  for (int i = 0; i < NREGION; i++) {
    struct region *r = &as->regions[i];
    if (!r->used)
      continue;
    if (r->kind == REGION_HEAP)
      size += as->brk - as->heap_start;
    else if (r->kind == REGION_STACK)
      size += as->stack_low ? r->end - as->stack_low : 0;
    else
      size += r->end - r->start;
  }
  return size;
}

void as_activate(struct addrspace *as) {
  csr_write(satp, MAKE_SATP(as->pt));
  sfence_vma();
}

/* Fill a new page for va from r: file bytes where the segment has them, zeroes elsewhere. */
static int fill_page(struct region *r, uint64 va, char *page) {
  if (r->ops == 0 || r->file_size == 0)
    return 0;
  uint64 file_start = r->data_va, file_end = r->data_va + r->file_size;
  uint64 from = MAX(va, file_start), to = MIN(va + PGSIZE, file_end);
  if (from >= to)
    return 0;
  int got = r->ops->read(r->obj, r->file_off + (from - file_start), page + (from - va), to - from);
  return got == (int)(to - from) ? 0 : -EIO;
}

static int access_allowed(const struct region *r, int access) {
  if ((access & ACCESS_WRITE) && !(r->perm & PTE_W))
    return 0;
  if ((access & ACCESS_EXEC) && !(r->perm & PTE_X))
    return 0;
  if ((access & ACCESS_READ) && !(r->perm & PTE_R))
    return 0;
  return 1;
}

/* Does the page at va of r come with a promise already? Heap pages
 * grown lazily do not; stack pages past the first ones promised do not. */
static int is_promised(struct addrspace *as, struct region *r, uint64 va) {
  if (r->kind == REGION_HEAP)
    return va < as->lazy_from;
  return r->anon < r->committed;
}

/* A private page for va in r, counted against r's promise; a page without
 * one is promised now, if memory allows. */
static char *take_private_page(struct addrspace *as, struct region *r, uint64 va) {
  int promised = is_promised(as, r, va);
  if (!promised) {
    if (commit_reserve(1) < 0)
      return 0;
    r->committed++;
  }
  char *page = kalloc();
  if (page == 0) {
    if (!promised) {
      commit_settle(1);
      r->committed--;
    }
    return 0;
  }
  commit_settle(1);
  r->anon++;
  if (r->kind == REGION_HEAP && !promised)
    as->lazy_resident++;
  return page;
}

/* Undo take_private_page: the page goes; its promise stays (outstanding
 * again, counted before the page is freed: see commit.c), except for a
 * lazy heap page, whose promise came with the page. */
static void give_back_private_page(struct addrspace *as, struct region *r, uint64 va, char *page) {
  r->anon--;
  if (r->kind == REGION_HEAP && va >= as->lazy_from) {
    r->committed--;
    as->lazy_resident--;
  } else {
    commit_add(1);
  }
  kfree(page);
}

/* The shared page for va in r: already loaded by some process, or loaded now. */
static int shared_page(struct region *r, uint64 va, uint64 *pa) {
  *pa = text_lookup(r->shared, va);
  if (*pa)
    return 0;
  char *page = kalloc();
  if (page == 0)
    return -ENOMEM; /* the promise is for the shared pages, not this spare one */
  int err = fill_page(r, va, page);
  if (err) {
    kfree(page);
    return err;
  }
  *pa = text_insert(r->shared, va, page);
  return *pa ? 0 : -ENOMEM;
}

/* A new private page for va in r, filled from the file or with zeroes. */
static int private_page(struct addrspace *as, struct region *r, uint64 va, uint64 *pa) {
  char *page = take_private_page(as, r, va);
  if (page == 0)
    return -ENOMEM;
  int err = fill_page(r, va, page);
  if (err) {
    give_back_private_page(as, r, va, page);
    return err;
  }
  *pa = (uint64)page;
  return 0;
}

/* A write to a shared page of a writable region: give the process its own
 * copy of the page, counted against the region's promise. */
static int copy_on_write(struct addrspace *as, struct region *r, uint64 va, pte_t *pte) {
  char *page = take_private_page(as, r, va);
  if (page == 0)
    return -ENOMEM;
  memmove(page, (void *)pte_to_pa(*pte), PGSIZE);
  *pte = pa_to_pte((uint64)page) | r->perm | PTE_U | PTE_V | PTE_A | PTE_D;
  sfence_vma(); /* the read-only mapping may be in this hart's TLB */
  as->faults++;
  return 0;
}

int as_fault(struct addrspace *as, uint64 va, int access) {
  if (va >= USER_TOP)
    return -EFAULT;
  struct region *r = find_region(as, va);
  if (r == 0 || !access_allowed(r, access))
    return -EFAULT;
  if (r->kind == REGION_HEAP && va >= as->brk)
    return -EFAULT;
  va = ROUNDDOWN(va, PGSIZE);
  pte_t *pte = pt_walk(as->pt, va, 1);
  if (pte == 0)
    return -ENOMEM;
  if ((*pte & PTE_V) && (access & ACCESS_WRITE) && (*pte & PTE_SHARED))
    return copy_on_write(as, r, va, pte);
  if (*pte & PTE_V)
    return 0; /* another path mapped it already; nothing to do */
  // LAB lazy: fault-in
  /* Reading a file's page maps the shared copy (read-only); the first
   * write to a writable one makes it private. */
  int shared = r->shared && !(access & ACCESS_WRITE) && va < shared_end(r);
  uint64 pa;
  int err = shared ? shared_page(r, va, &pa) : private_page(as, r, va, &pa);
  if (err)
    return err;
  int perm = shared ? (r->perm & ~PTE_W) | PTE_SHARED : r->perm;
  *pte = pa_to_pte(pa) | perm | PTE_U | PTE_V | PTE_A | PTE_D;
  as->resident++;
  as->faults++;
  if (r->kind == REGION_STACK && (as->stack_low == 0 || va < as->stack_low))
    as->stack_low = va;
  return 0;
  // END LAB lazy
}

/* Give the child (arg) va's page: the same page if shared, else a copy. */
static int copy_page(uint64 va, pte_t *pte, void *arg) {
  struct addrspace *child = arg;
  pte_t *cpte = pt_walk(child->pt, va, 1);
  if (cpte == 0)
    return -ENOMEM;
  uint64 pa = pte_to_pa(*pte);
  if (!(*pte & PTE_SHARED)) {
    struct region *r = find_region(child, va);
    char *page = r ? take_private_page(child, r, va) : 0;
    if (page == 0)
      return -ENOMEM;
    memmove(page, (void *)pa, PGSIZE);
    pa = (uint64)page;
  }
  *cpte = pa_to_pte(pa) | (*pte & PTE_FLAGS_MASK);
  child->resident++;
  return 0;
}

/* Promise the child every page its parent's private regions were promised. */
static int promise_copy(struct addrspace *child) {
  uint64 total = 0;
  for (int i = 0; i < NREGION; i++)
    total += child->regions[i].committed;
  if (commit_reserve(total) == 0)
    return 0;
  for (int i = 0; i < NREGION; i++)
    child->regions[i].committed = 0; /* so that as_destroy settles nothing */
  return -ENOMEM;
}

struct addrspace *as_fork(struct addrspace *parent) {
  struct addrspace *child = as_create();
  if (child == 0)
    return 0;
  for (int i = 0; i < NREGION; i++) {
    if (!parent->regions[i].used)
      continue;
    struct region *r = &child->regions[i];
    *r = parent->regions[i];
    r->anon = 0;
    if (r->kind == REGION_HEAP)
      r->committed -= parent->lazy_resident; /* those are promised as they are copied */
    if (r->ops)
      r->ops->hold(r->obj);
    if (r->shared)
      text_hold(r->shared);
  }
  child->heap_start = parent->heap_start;
  child->brk = parent->brk;
  child->stack_low = parent->stack_low;
  child->lazy_from = parent->lazy_from;
  child->lazy_resident = 0; /* counted again as the pages are copied */
  if (promise_copy(child) < 0 || pt_for_each_user_page(parent->pt, copy_page, child) < 0) {
    as_destroy(child);
    return 0;
  }
  return child;
}

int as_prefault_file_pages(struct addrspace *as, uint64 va, uint64 n, int access) {
  uint64 end = va + n < va ? USER_TOP : va + n;
  for (int i = 0; i < NREGION; i++) {
    struct region *r = &as->regions[i];
    if (!r->used || r->ops == 0 || end <= r->start || va >= r->end)
      continue;
    for (uint64 page = ROUNDDOWN(MAX(va, r->start), PGSIZE); page < MIN(end, r->end); page += PGSIZE) {
      pte_t *pte = pt_walk(as->pt, page, 0);
      if (pte == 0 || !(*pte & PTE_V)) {
        int err = as_fault(as, page, access);
        if (err < 0)
          return err;
      }
    }
  }
  return 0;
}

/* Unmap and free the heap's pages in [start, end). */
static void unmap_heap(struct addrspace *as, struct region *heap, uint64 start, uint64 end) {
  for (uint64 va = start; va < end; va += PGSIZE) {
    pte_t *pte = pt_walk(as->pt, va, 0);
    if (pte && (*pte & PTE_V)) {
      give_back_private_page(as, heap, va, (char *)pte_to_pa(*pte));
      *pte = 0;
      as->resident--;
    }
  }
  pt_prune(as->pt, start, end); /* so that shrinking gives back all it took */
  sfence_vma();
}

/* Eager growth of the heap from old_top to new_top: promise every page
 * below new_top, the lazy ones not touched yet included. */
static int promise_heap(struct addrspace *as, struct region *heap, uint64 old_top, uint64 new_top) {
  uint64 lazy_untouched = (old_top - as->lazy_from) / PGSIZE - as->lazy_resident;
  uint64 pages = lazy_untouched + (new_top - old_top) / PGSIZE;
  if (commit_reserve(pages) < 0)
    return -ENOMEM;
  heap->committed += pages;
  as->lazy_from = new_top;
  as->lazy_resident = 0;
  return 0;
}

/* Shrinking the heap from old_top to new_top: free the pages, drop their promises. */
static void shrink_heap(struct addrspace *as, struct region *heap, uint64 old_top, uint64 new_top) {
  unmap_heap(as, heap, new_top, old_top);
  if (as->lazy_from > new_top) {
    uint64 gone = (as->lazy_from - new_top) / PGSIZE; /* promised pages, now given back */
    commit_settle(gone);
    heap->committed -= gone;
    as->lazy_from = new_top;
  }
}

int64 as_sbrk(struct addrspace *as, int64 n, int lazy) {
  struct region *heap = region_of_kind(as, REGION_HEAP);
  if (heap == 0)
    return -ENOMEM;
  uint64 old = as->brk;
  if (n < 0 && (uint64)(-n) > old - as->heap_start)
    n = -(int64)(old - as->heap_start); /* as xv6: shrinking too far frees the whole heap */
  uint64 new_brk = old + n;
  if (n > 0 && (new_brk > USER_HEAP_LIMIT || new_brk < old))
    return -ENOMEM;
  uint64 new_end = MAX(ROUNDUP(new_brk, PGSIZE), heap->start + PGSIZE);
  for (int i = 0; i < NREGION; i++)
    if (&as->regions[i] != heap && overlaps(&as->regions[i], heap->start, new_end))
      return -ENOMEM;
  uint64 old_top = ROUNDUP(old, PGSIZE), new_top = ROUNDUP(new_brk, PGSIZE);
  if (n > 0 && !lazy && promise_heap(as, heap, old_top, new_top) < 0)
    return -ENOMEM;
  if (n < 0)
    shrink_heap(as, heap, old_top, new_top);
  heap->end = new_end;
  as->brk = new_brk;
  // LAB lazy: sbrk-load
  /* The new pages are found when first touched (as_fault). */
  // END LAB lazy
  return old;
}
