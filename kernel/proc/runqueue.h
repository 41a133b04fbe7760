/*
 * runqueue: a FIFO of processes, doubly linked through p->se so that a
 * process can leave from the middle in O(1). A building block for
 * scheduling policies; the caller holds the policy's lock around every
 * call.
 */
#ifndef RIVET_RUNQUEUE_H
#define RIVET_RUNQUEUE_H

#include "kernel/proc/proc.h"

struct runqueue {
  struct proc *head, *tail;
  int length;
};

/* LAB sched: runqueue */
static inline void runqueue_push(struct runqueue *q, struct proc *p) {
  p->se.next = 0;
  p->se.prev = q->tail;
  if (q->tail)
    q->tail->se.next = p;
  else
    q->head = p;
  q->tail = p;
  q->length++;
  p->se.queued = 1;
}

static inline void runqueue_remove(struct runqueue *q, struct proc *p) {
  if (p->se.prev)
    p->se.prev->se.next = p->se.next;
  else
    q->head = p->se.next;
  if (p->se.next)
    p->se.next->se.prev = p->se.prev;
  else
    q->tail = p->se.prev;
  q->length--;
  p->se.queued = 0;
}

/* The head of q, taken out; 0 if q is empty. */
static inline struct proc *runqueue_pop(struct runqueue *q) {
  struct proc *p = q->head;
  if (p)
    runqueue_remove(q, p);
  return p;
}
/* END LAB sched */

#endif
