/*
 * The scheduling POLICY: which READY process runs next.
 *
 * The mechanism (cpu.c: the context switch, the per-hart loop, the tick)
 * decides WHEN a hart switches; a policy decides WHO runs. A policy is
 * one file that fills in a struct sched_policy and is listed once in
 * sched.c; the boot argument sched=NAME picks it (default: rr).
 *
 * The operations, and the rules both sides keep:
 *
 *   enqueue(p)  p has just become READY (new, woken, preempted, yielded,
 *               resumed). Called with p->lock held, once per entry into
 *               READY; p is never queued already.
 *   remove(p)   take p out of the queue if it is in it; called with
 *               p->lock held. The mechanism calls it when a READY process
 *               is suspended, and when a hart is about to run p (p may
 *               have been picked, suspended, resumed and queued again in
 *               the moment before that hart locked it). Must be cheap when
 *               p is not queued: it runs at every context switch.
 *   pick()      take the next process out of the queue and return it,
 *               or 0 if none waits. Called with no lock held, so the
 *               process may have changed state before its hart locks it;
 *               the mechanism checks under p->lock and drops a process
 *               that is no longer READY.
 *   waiting()   how many processes are queued: a hint for waking idle
 *               harts, read without the policy's lock.
 *
 * So a process is queued only while it is READY.
 *
 * Every policy keeps its own lock (lock order: p->lock, then the policy's
 * lock) and its per-process fields in p->se, which nothing else touches.
 */
#ifndef RIVET_SCHED_H
#define RIVET_SCHED_H

#include "kernel/types.h"

struct proc;

/* The policy's part of a process, guarded by the policy's own lock. */
struct sched_entity {
  struct proc *next, *prev; /* links in a ready queue */
  int queued;               /* in a ready queue now? */
  int level;                /* mlfq: priority level, 0 = highest */
  uint64 level_start_ns;    /* mlfq: p's CPU time when it entered this level */
  uint64 boost_epoch;       /* mlfq: last priority boost p has taken part in */
};

struct sched_policy {
  const char *name;
  void (*init)(void);
  void (*enqueue)(struct proc *p);
  void (*remove)(struct proc *p);
  struct proc *(*pick)(void);
  int (*waiting)(void);
};

/* The policy in force, chosen once at boot before any process exists. */
extern const struct sched_policy *sched_policy;

/* Choose the policy called name; -1 (and the default stays) if none is. */
int sched_select(const char *name);

/* The policies sched.c can choose from (one file each). */
extern const struct sched_policy sched_rr;
/* LAB sched: mlfq */
extern const struct sched_policy sched_mlfq;
/* END LAB sched */

#endif
