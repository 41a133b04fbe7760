/* Page-table helpers shared by kvm.c, uvm.c and usercopy.c (private to mm/). */
#ifndef RIVET_PAGETABLE_H
#define RIVET_PAGETABLE_H

#include "kernel/mm/mm.h"

#define PTE_FLAG_BITS 10 /* the low bits of a PTE: V R W X U G A D and two for software */
#define PTE_FLAGS_MASK ((1L << PTE_FLAG_BITS) - 1)

uint64 pte_to_pa(pte_t pte);
pte_t pa_to_pte(uint64 pa);
/* The level-0 entry for va, creating missing tables if alloc; 0 if none. */
pte_t *pt_walk(pagetable_t pt, uint64 va, int alloc);
/* Map [va, va+size) to [pa, ...) with perm; 0, or -1 when out of memory. */
int pt_map(pagetable_t pt, uint64 va, uint64 pa, uint64 size, int perm);
/* Free the tables under [start, end) of the user half that map nothing. */
void pt_prune(pagetable_t pt, uint64 start, uint64 end);
/* Call fn on every mapped page of the user half (every valid level-0
 * leaf), in address order; stops at and returns fn's first nonzero result. */
typedef int (*pt_page_fn)(uint64 va, pte_t *pte, void *arg);
int pt_for_each_user_page(pagetable_t pt, pt_page_fn fn, void *arg);
/* Free the user half's tables (not the pages they map) and the root. */
void pt_free_user(pagetable_t pt);
/* Make user_pt share the kernel half of kernel_pt. */
void pt_share_kernel(pagetable_t user_pt, pagetable_t kernel_pt);
/* The kernel page table, built once at boot. */
extern pagetable_t kernel_pagetable;

#endif
