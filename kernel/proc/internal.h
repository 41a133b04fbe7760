/*
 * What the files of the process layer share among themselves; nothing
 * outside kernel/proc/ includes this.
 *
 *   proc.c    the table, the state machine, the life cycle
 *   cpu.c     each hart's scheduler loop and the switch in and out of a process
 *   block.c   how a process waits: sleep, wakeup, sleeping on the clock
 *   idle.c    harts with nothing to run: wfi, and waking them for new work
 *   status.c  reports: procinfo, getprocs, the Ctrl-P listing
 *   staterec.c the state-change record (kernel/staterec.h)
 *   fpu.c     lazy floating-point state
 *   sched*.c  the scheduling policy (see sched.h); runqueue.h its FIFO
 */
#ifndef RIVET_PROC_INTERNAL_H
#define RIVET_PROC_INTERNAL_H

#include "kernel/proc/proc.h"
#include "kernel/arch/arch.h"
#include "kernel/proc/sched.h"

/* proc.c */
extern struct proc proc_table[NPROC];
extern struct spinlock wait_lock; /* every p->parent; before any p->lock */
int proc_parent_pid(struct proc *p); /* caller holds wait_lock */
extern int trace_states; /* boot argument trace=1 */
/* Report p's change from old to p->state: the trace=1 line, the
 * state-change record. Out of line, so that when neither is on
 * set_state pays only for testing two flags. */
void report_state_change(struct proc *p, enum procstate old, enum statechange_why why);

/* cpu.c */
void cpu_init(uint64 quantum_ns);
/* Switch from the current process to this hart's scheduler loop; the
 * caller holds p->lock and has moved p out of RUNNING. */
void switch_to_scheduler(void);

/* block.c */
void block_init(void);
/* cpu 0's tick: wake the processes sleeping on the clock to look at it. */
void block_clock_tick(void);

/* idle.c */
/* Wait in wfi until there may be work; a process found meanwhile, or 0. */
struct proc *idle_wait(struct cpu *c);
/* A process just became READY from state old: wake an idle hart if one should take it. */
void idle_kick_for(enum procstate old);
/* Work is queued: wake an idle hart if there is one (from a busy hart's tick). */
void idle_kick_if_idle(void);
/* A process starts (+1) or stops (-1) sleeping on the clock. */
void idle_clock_sleepers(int delta);

/* status.c */
const char *state_name(enum procstate s);

/* staterec.c: the state-change record (ABI in kernel/staterec.h) */
extern volatile int staterec_on; /* recording? read unlocked by set_state */
void staterec_init(void);
/* Note that p just changed from old to p->state; caller holds p->lock. */
void staterec_add(struct proc *p, enum procstate old, enum statechange_why why);
const char *staterec_why_name(enum statechange_why why);

/*
 * THE state transition: every change of p->state happens here; `why` is
 * for the trace and the state-change record (kernel/staterec.h). Caller
 * holds p->lock (or owns p while it is UNUSED or NEW). The CPU-time
 * account and the policy's queue follow the state here, so that nothing
 * else has to: a process is in the policy's queue exactly while READY
 * (see sched.h). Inline because it is on the path of every switch.
 */
static inline void set_state(struct proc *p, enum procstate s, enum statechange_why why) {
  enum procstate old = p->state;
  if (old == PROC_RUNNING)
    p->runtime_ns += clock_ns() - p->run_start_ns;
  if (old == PROC_READY)
    sched_policy->remove(p);
  p->state = s;
  if (trace_states | staterec_on)
    report_state_change(p, old, why);
  if (s == PROC_RUNNING)
    p->run_start_ns = clock_ns();
  if (s == PROC_READY) {
    sched_policy->enqueue(p);
    idle_kick_for(old);
  }
}

#endif
