/*
 * User address spaces. An address space is a page table plus a short list
 * of regions (text, data, heap, stack). Pages are mapped lazily: a region
 * only promises that its addresses may be used, and as_fault() maps a page
 * the first time it is touched, filling it from the region's backing file
 * (the program, for text and data) or with zeroes.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/arch/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/lib/failpoint.h"

#define ENTRIES 512
#define USER_ROOT_ENTRIES ((int)(USER_TOP >> (PGSHIFT + 18))) /* root entries for user space */
#define IS_LEAF(pte) (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)

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

/* Call fn on every mapped user page (every valid leaf under the user half). */
static int for_each_user_page(pagetable_t root, int (*fn)(uint64 va, pte_t *pte, void *arg), void *arg) {
  for (int i2 = 0; i2 < USER_ROOT_ENTRIES; i2++) {
    if (!(root[i2] & PTE_V))
      continue;
    pagetable_t l1 = (pagetable_t)pte_to_pa(root[i2]);
    for (int i1 = 0; i1 < ENTRIES; i1++) {
      if (!(l1[i1] & PTE_V))
        continue;
      pagetable_t l0 = (pagetable_t)pte_to_pa(l1[i1]);
      for (int i0 = 0; i0 < ENTRIES; i0++) {
        if (!(l0[i0] & PTE_V) || !IS_LEAF(l0[i0]))
          continue;
        uint64 va = ((uint64)i2 << 30) | ((uint64)i1 << 21) | ((uint64)i0 << 12);
        int err = fn(va, &l0[i0], arg);
        if (err)
          return err;
      }
    }
  }
  return 0;
}

static int free_page(uint64 va, pte_t *pte, void *arg) {
  kfree((void *)pte_to_pa(*pte));
  *pte = 0;
  return 0;
}

void as_destroy(struct addrspace *as) {
  if (as == 0)
    return;
  for_each_user_page(as->pt, free_page, 0);
  for (int i = 0; i < NREGION; i++)
    if (as->regions[i].used && as->regions[i].ops)
      as->regions[i].ops->release(as->regions[i].obj);
  pt_free_user(as->pt);
  kfree(as);
}

static int overlaps(const struct region *r, uint64 start, uint64 end) {
  return r->used && start < r->end && r->start < end;
}

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
    return -ENOMEM;
  *slot = *r;
  slot->used = 1;
  if (slot->ops)
    slot->ops->hold(slot->obj);
  if (r->kind == REGION_HEAP)
    as->heap_start = as->brk = r->start;
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

static struct region *heap_region(struct addrspace *as) {
  for (int i = 0; i < NREGION; i++)
    if (as->regions[i].used && as->regions[i].kind == REGION_HEAP)
      return &as->regions[i];
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
  if (*pte & PTE_V)
    return 0; /* another path mapped it already; nothing to do */
  char *page = kalloc();
  if (page == 0)
    return -ENOMEM;
  int err = fill_page(r, va, page);
  if (err) {
    kfree(page);
    return err;
  }
  *pte = pa_to_pte((uint64)page) | r->perm | PTE_U | PTE_V | PTE_A | PTE_D;
  as->resident++;
  as->faults++;
  if (r->kind == REGION_STACK && (as->stack_low == 0 || va < as->stack_low))
    as->stack_low = va;
  return 0;
}

static int copy_page(uint64 va, pte_t *pte, void *arg) {
  struct addrspace *child = arg;
  char *page = kalloc();
  if (page == 0)
    return -ENOMEM;
  memmove(page, (void *)pte_to_pa(*pte), PGSIZE);
  pte_t *cpte = pt_walk(child->pt, va, 1);
  if (cpte == 0) {
    kfree(page);
    return -ENOMEM;
  }
  *cpte = pa_to_pte((uint64)page) | (*pte & ((1 << 10) - 1));
  child->resident++;
  return 0;
}

struct addrspace *as_fork(struct addrspace *parent) {
  struct addrspace *child = as_create();
  if (child == 0)
    return 0;
  for (int i = 0; i < NREGION; i++) {
    child->regions[i] = parent->regions[i];
    if (child->regions[i].used && child->regions[i].ops)
      child->regions[i].ops->hold(child->regions[i].obj);
  }
  child->heap_start = parent->heap_start;
  child->brk = parent->brk;
  child->stack_low = parent->stack_low;
  if (for_each_user_page(parent->pt, copy_page, child) < 0) {
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

/* Unmap and free the pages in [start, end). */
static void unmap_range(struct addrspace *as, uint64 start, uint64 end) {
  for (uint64 va = start; va < end; va += PGSIZE) {
    pte_t *pte = pt_walk(as->pt, va, 0);
    if (pte && (*pte & PTE_V)) {
      kfree((void *)pte_to_pa(*pte));
      *pte = 0;
      as->resident--;
    }
  }
  sfence_vma();
}

int64 as_sbrk(struct addrspace *as, int64 n) {
  struct region *heap = heap_region(as);
  if (heap == 0)
    return -ENOMEM;
  uint64 old = as->brk;
  if (n < 0 && (uint64)(-n) > old - as->heap_start)
    return -EINVAL;
  uint64 new_brk = old + n;
  if (n > 0 && (new_brk > USER_HEAP_LIMIT || new_brk < old))
    return -ENOMEM;
  uint64 new_end = MAX(ROUNDUP(new_brk, PGSIZE), heap->start + PGSIZE);
  for (int i = 0; i < NREGION; i++)
    if (&as->regions[i] != heap && overlaps(&as->regions[i], heap->start, new_end))
      return -ENOMEM;
  if (n < 0)
    unmap_range(as, ROUNDUP(new_brk, PGSIZE), ROUNDUP(old, PGSIZE));
  heap->end = new_end;
  as->brk = new_brk;
  return old;
}

/* The kernel address of user byte va, mapping its page first if needed.
 * 0 if va is not usable for this access. */
static char *user_byte(struct addrspace *as, uint64 va, int access) {
  if (va >= USER_TOP)
    return 0;
  pte_t *pte = pt_walk(as->pt, va, 0);
  if (pte == 0 || !(*pte & PTE_V)) {
    if (as_fault(as, va, access) < 0)
      return 0;
    pte = pt_walk(as->pt, va, 0);
  }
  if ((access & ACCESS_WRITE) && !(*pte & PTE_W))
    return 0;
  if (!(*pte & PTE_U))
    return 0;
  return (char *)(pte_to_pa(*pte) + (va % PGSIZE));
}

int copyout(struct addrspace *as, uint64 dstva, const void *src, uint64 n) {
  if (fail_should(FAIL_COPY))
    return -EFAULT;
  while (n > 0) {
    char *dst = user_byte(as, dstva, ACCESS_WRITE);
    if (dst == 0)
      return -EFAULT;
    uint64 chunk = MIN(n, PGSIZE - dstva % PGSIZE);
    memmove(dst, src, chunk);
    n -= chunk;
    src = (const char *)src + chunk;
    dstva += chunk;
  }
  return 0;
}

int copyin(struct addrspace *as, void *dst, uint64 srcva, uint64 n) {
  if (fail_should(FAIL_COPY))
    return -EFAULT;
  while (n > 0) {
    char *src = user_byte(as, srcva, ACCESS_READ);
    if (src == 0)
      return -EFAULT;
    uint64 chunk = MIN(n, PGSIZE - srcva % PGSIZE);
    memmove(dst, src, chunk);
    n -= chunk;
    dst = (char *)dst + chunk;
    srcva += chunk;
  }
  return 0;
}

int copyinstr(struct addrspace *as, char *dst, uint64 srcva, uint64 max) {
  if (fail_should(FAIL_COPY))
    return -EFAULT;
  for (uint64 i = 0; i < max; srcva++, i++) {
    char *src = user_byte(as, srcva, ACCESS_READ);
    if (src == 0)
      return -EFAULT;
    dst[i] = *src;
    if (*src == 0)
      return i;
  }
  return -ENAMETOOLONG;
}
