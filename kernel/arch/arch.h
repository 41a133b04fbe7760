/*
 * arch: everything specific to RISC-V and SBI firmware: per-hart state,
 * SBI calls, the timer, the trap vector and the context switch
 * (context.h), and CSR access (riscv.h). Nothing here knows about
 * processes beyond an opaque pointer.
 */
#ifndef RIVET_ARCH_H
#define RIVET_ARCH_H

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/arch/riscv.h"
#include "kernel/arch/context.h"
#include "kernel/arch/boot.h"

struct proc;

/* Per-hart state; tp holds the address of this hart's struct cpu. */
struct cpu {
  uint64 boot_sp;          /* MUST be first: entry.S loads it for a started hart */
  int hartid;              /* id the firmware and device tree use */
  int index;               /* 0..ncpu-1; the boot hart is 0 */
  int noff;                /* depth of push_off() nesting */
  int intena;              /* were interrupts on before the first push_off? */
  struct proc *proc;       /* process running here, or 0 */
  struct context sched_ctx;/* the scheduler loop's registers, for swtch */
  uint64 ticks;            /* timer ticks taken on this hart */
  uint64 next_tick;        /* time-CSR value of this hart's next regular tick */
  int in_interrupt;        /* handling a device interrupt right now */
  struct proc *fp_owner;   /* process whose FP registers are loaded here */
};

extern struct cpu cpus[NCPU];
extern int ncpu;

static inline struct cpu *mycpu(void) { return (struct cpu *)read_tp(); }

/* --- SBI (sbi.c) --- */
void sbi_console_putchar(int c);
int sbi_hart_start(uint64 hartid, uint64 start_pa, uint64 opaque);
void sbi_send_ipi(uint64 hartid);
/* Power off through the firmware. QEMU then exits 0 whatever the reason:
 * only a fallback for when the device tree named no test device. */
void sbi_shutdown(int failed);

/* --- timer and clock (timer.c) --- */
#define TICK_HZ 100 /* timer interrupts per second on every hart */
#define TICK_NS (1000000000UL / TICK_HZ) /* nanoseconds from one tick to the next */
void timer_init(uint64 timebase_hz);
void timer_start_hart(void);        /* first tick on this hart */
void timer_rearm(void);             /* schedule the next tick, one interval from now */
void timer_stop(void);              /* no timer interrupt until timer_resume */
void timer_wake_within(uint64 ns);  /* an interrupt within ns (or at the next tick if sooner) */
void timer_resume(void);            /* back to the next regular tick (at once if it is due) */
void pause_hart(void);              /* wfi for about a microsecond (interrupts stay off) */
uint64 clock_ns(void);              /* monotonic nanoseconds since reset */
uint64 clock_from_ns(uint64 ns);    /* nanoseconds -> time-CSR units */

/* --- traps (trapvec.S) --- */
void trap_entry(void);
void user_return(struct trapframe *tf) __attribute__((noreturn));
static inline void trap_install_vector(void) { csr_write(stvec, (uint64)trap_entry); }

/* --- boot helpers (entry.S) --- */
void secondary_entry(void);
void run_on_stack(uint64 sp_top, void (*fn)(void)) __attribute__((noreturn));

#endif
