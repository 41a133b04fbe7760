/*
 * What every hart does: its scheduler loop, and the switch in and out of
 * a process (run, yield, preemption at the timer tick). This is the
 * MECHANISM; which process runs next is the policy's choice (sched.h).
 *
 * A hart's scheduler loop picks a process, locks it, and runs it if it is
 * still READY. The process returns to the loop holding its own p->lock
 * (in switch_to_scheduler), and the loop releases it: so p->lock is held
 * across every switch, and no other hart can run p until its registers
 * are saved.
 */
#include "kernel/proc/internal.h"
#include "kernel/proc/sched.h"
#include "kernel/lib/lib.h"

static uint64 quantum_ns; /* longest run before preemption; set once at boot */

void cpu_init(uint64 quantum) { quantum_ns = quantum; }

void switch_to_scheduler(void) {
  struct proc *p = myproc();
  struct cpu *c = mycpu();
  if (!holding(&p->lock) || c->noff != 1 || p->state == PROC_RUNNING || intr_get())
    panic("switch_to_scheduler: bad state for pid %d", p->pid);
  int intena = c->intena;
  swtch(&p->ctx, &c->sched_ctx);
  mycpu()->intena = intena; /* we may resume on another hart */
}

void proc_yield(int involuntary) {
  struct proc *p = myproc();
  acquire(&p->lock);
  set_state(p, PROC_READY, involuntary ? WHY_PREEMPTED : WHY_YIELDED);
  if (involuntary)
    p->nivcsw++;
  else
    p->nvcsw++;
  switch_to_scheduler();
  release(&p->lock);
}

void proc_tick(void) {
  struct proc *p = myproc();
  if (p && sched_policy->waiting() > 0)
    idle_kick_if_idle(); /* work waits while a hart idles */
  if (mycpu()->index == 0)
    block_clock_tick();
  /* LAB sched: preempt */
  if (p && p->state == PROC_RUNNING && clock_ns() >= p->quantum_end_ns)
    proc_yield(1);
  /* END LAB sched */
}

/* Run p (READY, locked) until it switches back to this loop. */
static void run(struct cpu *c, struct proc *p) {
  set_state(p, PROC_RUNNING, WHY_DISPATCHED);
  c->proc = p;
  p->last_cpu = c->index;
  p->quantum_end_ns = p->run_start_ns + quantum_ns;
  if (p->as)
    as_activate(p->as);
  swtch(&c->sched_ctx, &p->ctx);
  c->proc = 0;
  /* Leave p's page table while p->lock still keeps p from running (and
   * exiting, which frees that table) on another hart. With p->as == 0 this
   * hart is already on the kernel table: exec and exit switch tables
   * before they unpublish one, under p->lock. */
  if (p->as)
    kvm_enable();
}

void scheduler(void) {
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    intr_on(); /* take pending interrupts (timer, devices, IPIs) */
    intr_off();
    struct proc *p = sched_policy->pick();
    if (p == 0 && (p = idle_wait(c)) == 0)
      continue;
    acquire(&p->lock);
    if (p->state == PROC_READY)
      run(c, p);
    release(&p->lock);
  }
}
