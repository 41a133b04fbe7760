/*
 * trap: what happens on every trap, entry to return. From user mode:
 * system calls, page faults (lazy loading), other faults (the process
 * dies, the kernel lives on), and device interrupts. From the kernel:
 * interrupts only; anything else is a kernel bug and panics with a report.
 *
 *   arch/trapvec.S  saves the registers and calls user_trap or kernel_trap
 *   trap.c          decides what the trap was and handles it
 *   syscall.c       dispatches a system call to its handler in kernel/sys/
 *   task.c          returns to user mode, or exits (task.h)
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
/* Run the system call the current process asked for (syscall.c). */
void syscall_dispatch(void);

#endif
