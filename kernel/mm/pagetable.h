/* Page-table helpers shared by kvm.c and uvm.c (private to mm/). */
#ifndef RIVET_PAGETABLE_H
#define RIVET_PAGETABLE_H

#include "kernel/mm/mm.h"

uint64 pte_to_pa(pte_t pte);
pte_t pa_to_pte(uint64 pa);
/* The level-0 entry for va, creating missing tables if alloc; 0 if none. */
pte_t *pt_walk(pagetable_t pt, uint64 va, int alloc);
/* Map [va, va+size) to [pa, ...) with perm; 0, or -1 when out of memory. */
int pt_map(pagetable_t pt, uint64 va, uint64 pa, uint64 size, int perm);
/* Free the tables under [start, end) of the user half that map nothing. */
void pt_prune(pagetable_t pt, uint64 start, uint64 end);
/* Free the user half's tables (not the pages they map) and the root. */
void pt_free_user(pagetable_t pt);
/* Make user_pt share the kernel half of kernel_pt. */
void pt_share_kernel(pagetable_t user_pt, pagetable_t kernel_pt);
/* The kernel page table, built once at boot. */
extern pagetable_t kernel_pagetable;

#endif
