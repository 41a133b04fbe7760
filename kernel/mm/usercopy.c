/*
 * The kernel's access to user memory: copyout, copyin and copyinstr go
 * through the address space's page table, a page piece at a time, and
 * fault a page in (as_fault, uvm.c) when it is not mapped yet, exactly as
 * a user access would. A bad address is -EFAULT, never a kernel trap.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/lib/failpoint.h"

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
  if ((access & ACCESS_WRITE) && !(*pte & PTE_W)) {
    if (!(*pte & PTE_SHARED) || as_fault(as, va, access) < 0)
      return 0; /* read-only, or a shared page of a read-only region */
  }
  if (!(*pte & PTE_U))
    return 0;
  return (char *)(pte_to_pa(*pte) + (va % PGSIZE));
}

/* Copy n bytes between user address va and the kernel buffer kbuf, a page
 * piece at a time: into user memory for ACCESS_WRITE, out of it for
 * ACCESS_READ (then kbuf is written, never read). */
static inline __attribute__((always_inline)) int
copy_user(struct addrspace *as, uint64 va, char *kbuf, uint64 n, int access) {
  if (fail_should(FAIL_COPY))
    return -EFAULT;
  while (n > 0) {
    char *user = user_byte(as, va, access);
    if (user == 0)
      return -EFAULT;
    uint64 chunk = MIN(n, PGSIZE - va % PGSIZE);
    if (access == ACCESS_WRITE)
      memmove(user, kbuf, chunk);
    else
      memmove(kbuf, user, chunk);
    n -= chunk;
    kbuf += chunk;
    va += chunk;
  }
  return 0;
}

int copyout(struct addrspace *as, uint64 dstva, const void *src, uint64 n) {
  return copy_user(as, dstva, (char *)src, n, ACCESS_WRITE); /* src is only read */
}

int copyin(struct addrspace *as, void *dst, uint64 srcva, uint64 n) {
  return copy_user(as, srcva, dst, n, ACCESS_READ);
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
