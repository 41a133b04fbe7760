/*
 * The platform-level interrupt controller routes device interrupts to
 * harts. Each hart has an S-mode "context"; on QEMU virt the S-mode context
 * of hart h is 2h+1 (context 2h is M-mode).
 */
#include "kernel/dev/dev.h"

#define REG_BYTES 4              /* every PLIC register is a 32-bit word */
#define IRQS_PER_ENABLE_REG 32   /* a context's enable bits: one register per 32 irqs */
#define PLIC_PRIORITY(irq) (REG_BYTES * (irq))
#define PLIC_ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))
#define SMODE_CONTEXT(hart) (2 * (hart) + 1)

static uint64 plic; /* mapped base, set once at boot */
/* irqs routed so far, laid out as a context's enable registers; set at boot */
static uint32 enabled[PLIC_MAX_IRQS / IRQS_PER_ENABLE_REG];

static volatile uint32 *reg(uint64 off) { return (volatile uint32 *)(plic + off); }

void plic_init(uint64 base_va) { plic = base_va; }

int plic_enable_irq(int irq) {
  if (irq <= 0 || irq >= PLIC_MAX_IRQS)
    return -1; /* 0 is "no interrupt"; beyond the enable words we keep */
  *reg(PLIC_PRIORITY(irq)) = 1;
  enabled[irq / IRQS_PER_ENABLE_REG] |= 1U << (irq % IRQS_PER_ENABLE_REG);
  return 0;
}

void plic_init_hart(int hartid) {
  int ctx = SMODE_CONTEXT(hartid);
  for (int word = 0; word < PLIC_MAX_IRQS / IRQS_PER_ENABLE_REG; word++)
    *reg(PLIC_ENABLE(ctx) + REG_BYTES * word) = enabled[word];
  *reg(PLIC_THRESHOLD(ctx)) = 0;
}

int plic_claim(int hartid) { return *reg(PLIC_CLAIM(SMODE_CONTEXT(hartid))); }

void plic_complete(int hartid, int irq) { *reg(PLIC_CLAIM(SMODE_CONTEXT(hartid))) = irq; }
