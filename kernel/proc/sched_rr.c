/*
 * Round robin, the default policy: one FIFO ready queue shared by all
 * harts. A process that becomes READY joins the tail; the head runs next,
 * for at most one quantum. O(1) for every operation.
 */
/* LAB sched: queue */
#include "kernel/proc/sched.h"
#include "kernel/proc/runqueue.h"
#include "kernel/lib/lib.h"

/* lock guards queue and the se fields of every process. */
static struct {
  struct spinlock lock;
  struct runqueue queue;
} rr;

static void rr_init(void) { spinlock_init(&rr.lock, "ready queue"); }

static void rr_enqueue(struct proc *p) {
  acquire(&rr.lock);
  runqueue_push(&rr.queue, p);
  release(&rr.lock);
}

/* The caller holds p->lock, so nobody can queue p meanwhile: if p is not
 * queued now, it stays so, and the lock is not needed to see it. */
static void rr_remove(struct proc *p) {
  if (!READ_ONCE(p->se.queued))
    return;
  acquire(&rr.lock);
  if (p->se.queued)
    runqueue_remove(&rr.queue, p);
  release(&rr.lock);
}

static struct proc *rr_pick(void) {
  acquire(&rr.lock);
  struct proc *p = runqueue_pop(&rr.queue);
  release(&rr.lock);
  return p;
}

static int rr_waiting(void) { return READ_ONCE(rr.queue.length); }
/* END LAB sched */

const struct sched_policy sched_rr = {
    .name = "rr",
    .init = rr_init,
    .enqueue = rr_enqueue,
    .remove = rr_remove,
    .pick = rr_pick,
    .waiting = rr_waiting,
};
