/*
 * Sv39 page tables: three levels of 512 entries; a virtual address splits
 * into three 9-bit indexes and a 12-bit page offset.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/lib/lib.h"

#define LEVELS 3
#define INDEX_BITS 9
#define INDEX_MASK 0x1ff
#define ENTRIES (1 << INDEX_BITS)
#define PX(level, va) ((((uint64)(va)) >> (PGSHIFT + INDEX_BITS * (level))) & INDEX_MASK)
#define IS_LEAF(pte) (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)

uint64 pte_to_pa(pte_t pte) { return (pte >> PTE_FLAG_BITS) << PGSHIFT; }
pte_t pa_to_pte(uint64 pa) { return (pa >> PGSHIFT) << PTE_FLAG_BITS; }

pte_t *pt_walk(pagetable_t pt, uint64 va, int alloc) {
  for (int level = LEVELS - 1; level > 0; level--) {
    pte_t *pte = &pt[PX(level, va)];
    if (*pte & PTE_V) {
      pt = (pagetable_t)pte_to_pa(*pte);
    } else {
      if (!alloc || (pt = kalloc()) == 0)
        return 0;
      *pte = pa_to_pte((uint64)pt) | PTE_V;
    }
  }
  return &pt[PX(0, va)];
}

int pt_map(pagetable_t pt, uint64 va, uint64 pa, uint64 size, int perm) {
  for (uint64 off = 0; off < size; off += PGSIZE) {
    pte_t *pte = pt_walk(pt, va + off, 1);
    if (pte == 0)
      return -1;
    if (*pte & PTE_V)
      panic("pt_map: 0x%lx already mapped", va + off);
    *pte = pa_to_pte(pa + off) | perm | PTE_V | PTE_A | PTE_D;
  }
  return 0;
}

/* Free the page-table pages under entries [from, to) of pt, a table of
 * the given level (2: the root), and pt itself if that is all of it. */
static void free_tables(pagetable_t pt, int level, int from, int to) {
  for (int i = from; i < to; i++) {
    pte_t pte = pt[i];
    if ((pte & PTE_V) && !IS_LEAF(pte) && level > 0)
      free_tables((pagetable_t)pte_to_pa(pte), level - 1, 0, ENTRIES);
    pt[i] = 0;
  }
  if (from == 0 && to == ENTRIES)
    kfree(pt);
}

static int table_is_empty(pagetable_t t) {
  for (int i = 0; i < ENTRIES; i++)
    if (t[i])
      return 0;
  return 1;
}

/* Free the table that *pte points to if it maps nothing any more. */
static void free_if_empty(pte_t *pte) {
  if (!(*pte & PTE_V))
    return;
  pagetable_t t = (pagetable_t)pte_to_pa(*pte);
  if (table_is_empty(t)) {
    kfree(t);
    *pte = 0;
  }
}

void pt_prune(pagetable_t pt, uint64 start, uint64 end) {
  uint64 l1_span = 1UL << (PGSHIFT + INDEX_BITS);     /* what one level-0 table maps */
  uint64 root_span = l1_span << INDEX_BITS;            /* what one level-1 table maps */
  for (uint64 top = ROUNDDOWN(start, root_span); top < end; top += root_span) {
    pte_t *root_pte = &pt[PX(2, top)];
    if (!(*root_pte & PTE_V))
      continue;
    pagetable_t l1 = (pagetable_t)pte_to_pa(*root_pte);
    for (uint64 va = MAX(top, ROUNDDOWN(start, l1_span)); va < MIN(end, top + root_span); va += l1_span)
      free_if_empty(&l1[PX(1, va)]);
    free_if_empty(root_pte);
  }
}

/* pt_for_each_user_page below table t of the given level, whose entry i
 * maps the addresses from va_base + i * (what one entry of that level maps);
 * entries: how many of t's entries to visit. */
static int for_each_leaf(pagetable_t t, int level, uint64 va_base, int entries, pt_page_fn fn,
                         void *arg) {
  for (int i = 0; i < entries; i++) {
    pte_t pte = t[i];
    if (!(pte & PTE_V))
      continue;
    uint64 va = va_base | ((uint64)i << (PGSHIFT + INDEX_BITS * level));
    int err = 0;
    if (level == 0 && IS_LEAF(pte))
      err = fn(va, &t[i], arg);
    else if (level > 0 && !IS_LEAF(pte))
      err = for_each_leaf((pagetable_t)pte_to_pa(pte), level - 1, va, ENTRIES, fn, arg);
    if (err)
      return err;
  }
  return 0;
}

int pt_for_each_user_page(pagetable_t pt, pt_page_fn fn, void *arg) {
  return for_each_leaf(pt, LEVELS - 1, 0, PX(LEVELS - 1, USER_TOP), fn, arg);
}

void pt_free_user(pagetable_t pt) {
  free_tables(pt, LEVELS - 1, 0, PX(LEVELS - 1, USER_TOP));
  kfree(pt);
}

void pt_share_kernel(pagetable_t user_pt, pagetable_t kernel_pt) {
  for (int i = PX(LEVELS - 1, USER_TOP); i < ENTRIES; i++)
    user_pt[i] = kernel_pt[i];
}
