/*
 * riscv: access to RISC-V supervisor registers and instructions.
 * Names follow the RISC-V privileged specification.
 */
#ifndef RIVET_RISCV_H
#define RIVET_RISCV_H

#include "kernel/types.h"

#define csr_read(csr)                                        \
  ({                                                         \
    uint64 __v;                                              \
    asm volatile("csrr %0, " #csr : "=r"(__v)::"memory");    \
    __v;                                                     \
  })
#define csr_write(csr, val) asm volatile("csrw " #csr ", %0" ::"rK"((uint64)(val)) : "memory")
#define csr_set(csr, bits) asm volatile("csrs " #csr ", %0" ::"rK"((uint64)(bits)) : "memory")
#define csr_clear(csr, bits) asm volatile("csrc " #csr ", %0" ::"rK"((uint64)(bits)) : "memory")

/* sstatus bits */
#define SSTATUS_SIE (1L << 1)  /* interrupts enabled in S-mode */
#define SSTATUS_SPIE (1L << 5) /* SIE before the trap */
#define SSTATUS_SPP (1L << 8)  /* previous mode: 1 = supervisor, 0 = user */
#define SSTATUS_FS (3L << 13)  /* floating-point unit state: */
#define SSTATUS_FS_OFF (0L << 13)   /* FP instructions trap */
#define SSTATUS_FS_INITIAL (1L << 13)
#define SSTATUS_FS_CLEAN (2L << 13) /* registers match the saved copy */
#define SSTATUS_FS_DIRTY (3L << 13) /* registers changed since */

/* sie / sip bits */
#define SIE_SSIE (1L << 1) /* software (inter-hart) interrupt */
#define SIE_STIE (1L << 5) /* timer */
#define SIE_SEIE (1L << 9) /* external (PLIC) */

/* scause values */
#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

#define SATP_SV39 (8UL << 60)
#define MAKE_SATP(pagetable) (SATP_SV39 | (((uint64)(pagetable)) >> 12))

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }
/* Turn interrupts off; returns whether they were on. */
static inline int intr_save_off(void) {
  uint64 old;
  asm volatile("csrrc %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
  return (old & SSTATUS_SIE) != 0;
}

static inline uint64 read_tp(void) {
  uint64 x;
  asm volatile("mv %0, tp" : "=r"(x));
  return x;
}
static inline void write_tp(uint64 x) { asm volatile("mv tp, %0" ::"r"(x)); }
static inline uint64 read_fp(void) {
  uint64 x;
  asm volatile("mv %0, s0" : "=r"(x));
  return x;
}
static inline uint64 read_time(void) {
  uint64 x;
  asm volatile("rdtime %0" : "=r"(x));
  return x;
}
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi"); }

/* Sstc's supervisor timer compare register, by number: older assemblers
 * do not know its name. */
#define CSR_STIMECMP 0x14d
static inline void write_stimecmp(uint64 when) {
  asm volatile("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"(when));
}

#endif
