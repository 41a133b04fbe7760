/*
 * Multi-level feedback queue, the second policy (boot argument
 * sched=mlfq). It follows the rules OS textbooks give for MLFQ:
 *  1. A process on a higher level runs before any on a lower level;
 *     on the same level, round robin.
 *  2. A new process starts on the top level.
 *  3. Once a process has used ALLOTMENT_NS of CPU time on a level, however
 *     many runs that took, it moves one level down. So a CPU-bound
 *     process sinks, and one that mostly sleeps stays on top and runs
 *     soon after it wakes.
 *  4. Every BOOST_NS all processes go back to the top level, so the ones
 *     below cannot starve, and one that turned interactive rises again.
 */
#include "kernel/proc/sched.h"
#include "kernel/proc/runqueue.h"
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"

#define LEVELS 3
#define ALLOTMENT_NS (50 * 1000 * 1000UL) /* five default quanta */
#define BOOST_NS (1000 * 1000 * 1000UL)

/* lock guards level[], waiting, epoch and the se fields of every process. */
static struct {
  struct spinlock lock;
  struct runqueue level[LEVELS];
  int waiting;  /* processes on all levels */
  uint64 epoch; /* boosts so far: clock_ns() / BOOST_NS when the last one ran */
} mlfq;

static void mlfq_init(void) { spinlock_init(&mlfq.lock, "ready queue"); }

/* Rule 4 for the processes in the queues; the others catch up in
 * enqueue, from the epoch they last saw. */
static void boost_if_due(void) {
  uint64 epoch = clock_ns() / BOOST_NS;
  if (epoch == mlfq.epoch)
    return;
  mlfq.epoch = epoch;
  for (int l = 1; l < LEVELS; l++) {
    struct proc *p;
    while ((p = runqueue_pop(&mlfq.level[l])) != 0) {
      p->se.level = 0;
      p->se.level_start_ns = p->runtime_ns;
      p->se.boost_epoch = epoch;
      runqueue_push(&mlfq.level[0], p);
    }
  }
}

static void mlfq_enqueue(struct proc *p) {
  acquire(&mlfq.lock);
  struct sched_entity *se = &p->se;
  if (se->boost_epoch != mlfq.epoch) { /* rules 2 and 4 */
    se->boost_epoch = mlfq.epoch;
    se->level = 0;
    se->level_start_ns = p->runtime_ns;
  } else if (p->runtime_ns - se->level_start_ns >= ALLOTMENT_NS && se->level < LEVELS - 1) {
    se->level++; /* rule 3 */
    se->level_start_ns = p->runtime_ns;
  }
  runqueue_push(&mlfq.level[se->level], p);
  mlfq.waiting++;
  release(&mlfq.lock);
}

/* As in round robin: p->lock keeps p from being queued meanwhile. */
static void mlfq_remove(struct proc *p) {
  if (!READ_ONCE(p->se.queued))
    return;
  acquire(&mlfq.lock);
  if (p->se.queued) {
    runqueue_remove(&mlfq.level[p->se.level], p);
    mlfq.waiting--;
  }
  release(&mlfq.lock);
}

static struct proc *mlfq_pick(void) {
  acquire(&mlfq.lock);
  boost_if_due();
  struct proc *p = 0;
  for (int l = 0; l < LEVELS && p == 0; l++)
    p = runqueue_pop(&mlfq.level[l]);
  if (p)
    mlfq.waiting--;
  release(&mlfq.lock);
  return p;
}

static int mlfq_waiting(void) { return READ_ONCE(mlfq.waiting); }

const struct sched_policy sched_mlfq = {
    .name = "mlfq",
    .init = mlfq_init,
    .enqueue = mlfq_enqueue,
    .remove = mlfq_remove,
    .pick = mlfq_pick,
    .waiting = mlfq_waiting,
};
