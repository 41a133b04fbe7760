/*
 * The platform-level interrupt controller routes device interrupts to
 * harts. Each hart has an S-mode "context"; on QEMU virt the S-mode context
 * of hart h is 2h+1 (context 2h is M-mode).
 */
#include "kernel/dev/dev.h"

#define PLIC_PRIORITY(irq) (4 * (irq))
#define PLIC_ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))
#define SMODE_CONTEXT(hart) (2 * (hart) + 1)

static uint64 plic;      /* mapped base, set once at boot */
static uint64 enabled[PLIC_MAX_IRQS / 64]; /* irqs routed so far, set at boot */

static volatile uint32 *reg(uint64 off) { return (volatile uint32 *)(plic + off); }

void plic_init(uint64 base_va) { plic = base_va; }

int plic_enable_irq(int irq) {
  if (irq <= 0 || irq >= PLIC_MAX_IRQS)
    return -1; /* 0 is "no interrupt"; beyond the enable words we keep */
  *reg(PLIC_PRIORITY(irq)) = 1;
  enabled[irq / 64] |= 1UL << (irq % 64);
  return 0;
}

void plic_init_hart(int hartid) {
  int ctx = SMODE_CONTEXT(hartid);
  for (int word = 0; word < PLIC_MAX_IRQS / 32; word++)
    *reg(PLIC_ENABLE(ctx) + 4 * word) = (uint32)(enabled[word / 2] >> (32 * (word % 2)));
  *reg(PLIC_THRESHOLD(ctx)) = 0;
}

int plic_claim(int hartid) { return *reg(PLIC_CLAIM(SMODE_CONTEXT(hartid))); }

void plic_complete(int hartid, int irq) { *reg(PLIC_CLAIM(SMODE_CONTEXT(hartid))) = irq; }
