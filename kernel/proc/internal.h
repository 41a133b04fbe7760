/*
 * What the files of the process layer share among themselves; nothing
 * outside kernel/proc/ includes this.
 *
 *   proc.c    the table, the state machine, the life cycle
 *   cpu.c     each hart's scheduler loop and the switch in and out of a process
 *   block.c   how a process waits: sleep, wakeup, sleeping on the clock
 *   idle.c    harts with nothing to run: wfi, and waking them for new work
 *   status.c  reports: procinfo, getprocs, the Ctrl-P listing
 *   sched*.c  the scheduling policy (see sched.h)
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
void trace_state_change(struct proc *p, enum procstate old, enum procstate s);

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

/*
 * THE state transition: every change of p->state happens here. Caller
 * holds p->lock (or owns p while it is UNUSED or NEW). The CPU-time
 * account and the policy's queue follow the state here, so that nothing
 * else has to: a process is in the policy's queue exactly while READY
 * (see sched.h). Inline because it is on the path of every switch.
 */
static inline void set_state(struct proc *p, enum procstate s) {
  enum procstate old = p->state;
  if (trace_states)
    trace_state_change(p, old, s);
  if (old == PROC_RUNNING)
    p->runtime_ns += clock_ns() - p->run_start_ns;
  if (old == PROC_READY)
    sched_policy->remove(p);
  p->state = s;
  if (s == PROC_RUNNING)
    p->run_start_ns = clock_ns();
  if (s == PROC_READY) {
    sched_policy->enqueue(p);
    idle_kick_for(old);
  }
}

#endif
