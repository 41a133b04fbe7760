/*
 * The scheduling POLICY: which READY process runs next. The mechanism
 * (context switch, timer, the per-hart loop in proc.c) only calls these
 * three functions, so a lab can replace this file with another policy.
 *
 * Rivet's policy is round robin: one FIFO queue shared by all harts.
 * A process that becomes READY (new, woken, preempted) joins the tail;
 * the head runs next for at most one quantum.
 */
#ifndef RIVET_SCHED_H
#define RIVET_SCHED_H

struct proc;

void sched_init(void);
/* Add p (now READY) to the queue; returns how many processes now wait in
 * it. Called with p->lock held. */
int sched_enqueue(struct proc *p);
/* Remove and return the next process to try, or 0. It may no longer be
 * READY (suspended or killed meanwhile): the caller checks under p->lock. */
struct proc *sched_dequeue(void);
/* How many processes wait in the queue (a hint: it may change at once). */
int sched_waiting(void);

#endif
