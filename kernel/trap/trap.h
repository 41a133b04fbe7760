/*
 * trap: what happens on every trap. From user mode: system calls, page
 * faults (lazy loading), other faults (the process dies, the kernel lives
 * on), and device interrupts. From the kernel: interrupts only; anything
 * else is a kernel bug and panics with a report.
 */
#ifndef RIVET_TRAP_H
#define RIVET_TRAP_H

#include "kernel/arch/context.h"

void trap_init_hart(void);  /* install the vector, enable interrupt sources */
/* Device interrupt irq (from the PLIC) is handled by handler. */
void trap_register_irq(int irq, void (*handler)(void));
/* Called on every timer tick of every hart (for boot self-tests). */
void trap_set_tick_hook(void (*hook)(void));

void user_trap(struct trapframe *tf);
void kernel_trap(void);

#endif
