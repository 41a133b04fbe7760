/*
 * RISC-V facts for user programs (xv6's names): page size and rounding,
 * Sv39 page-table entry bits and index macros, and the registers a user
 * program may read. The kernel's own header is kernel/arch/riscv.h.
 */
#ifndef RIVET_USER_RISCV_H
#define RIVET_USER_RISCV_H

#define PGSIZE 4096 /* bytes per page */
#define PGSHIFT 12  /* bits of offset within a page */

#define PGROUNDUP(sz) (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE - 1))

/* Sv39 page-table entries, as the hardware defines them. */
#define PTE_V (1L << 0) /* valid */
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4) /* user mode may use the page */
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)

#define PA2PTE(pa) ((((uint64)pa) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

/* The three 9-bit page-table indexes of a virtual address. */
#define PXMASK 0x1FF
#define PXSHIFT(level) (PGSHIFT + (9 * (level)))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

/* One above the highest Sv39 address with the top bit clear. Rivet's user
 * space ends far lower, at KERNBASE (kernel/memlayout.h). */
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

#ifndef __ASSEMBLER__
#include "kernel/types.h"

typedef uint64 pte_t;
typedef uint64 *pagetable_t; /* 512 PTEs */

static inline uint64 r_sp(void) {
  uint64 x;
  asm volatile("mv %0, sp" : "=r"(x));
  return x;
}

static inline uint64 r_fp(void) {
  uint64 x;
  asm volatile("mv %0, s0" : "=r"(x));
  return x;
}

static inline uint64 r_ra(void) {
  uint64 x;
  asm volatile("mv %0, ra" : "=r"(x));
  return x;
}

static inline uint64 r_tp(void) {
  uint64 x;
  asm volatile("mv %0, tp" : "=r"(x));
  return x;
}

/* The time counter (10 MHz on QEMU's virt machine); readable in user mode. */
static inline uint64 r_time(void) {
  uint64 x;
  asm volatile("rdtime %0" : "=r"(x));
  return x;
}
#endif

#endif
