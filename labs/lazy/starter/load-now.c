/*
 * TODO(lab lazy): this handout loads programs and heap pages eagerly: exec
 * (as_load_now) and as_sbrk call load_now to map every page at once. Make
 * as_fault map each page when it is first touched instead, then delete
 * load_now, as_load_now and their calls.
 */
static int shared_page(struct region *r, uint64 va, uint64 *pa);
static int private_page(struct addrspace *as, struct region *r, uint64 va, uint64 *pa);

/* Map every page of r in [start, end) now: the file's pages of a read-only
 * region as the shared copy, every other page as a private one. */
static int load_now(struct addrspace *as, struct region *r, uint64 start, uint64 end) {
  for (uint64 page = start; page < end; page += PGSIZE) {
    pte_t *slot = pt_walk(as->pt, page, 1);
    if (slot == 0)
      return -ENOMEM;
    uint64 frame;
    int flags = r->perm;
    int failed;
    if (r->shared && !(r->perm & PTE_W) && page < shared_end(r)) {
      failed = shared_page(r, page, &frame);
      flags |= PTE_SHARED;
    } else {
      failed = private_page(as, r, page, &frame);
    }
    if (failed)
      return failed;
    *slot = pa_to_pte(frame) | flags | PTE_U | PTE_V | PTE_A | PTE_D;
    as->resident++;
  }
  return 0;
}

/* Map every page of the program's segments now (exec, with the program
 * file unlocked: reading it locks it). */
int as_load_now(struct addrspace *as);
int as_load_now(struct addrspace *as) {
  for (int i = 0; i < NREGION; i++) {
    struct region *r = &as->regions[i];
    if (!r->used || r->ops == 0)
      continue;
    int err = load_now(as, r, r->start, r->end);
    if (err < 0)
      return err;
  }
  return 0;
}
