/* TODO(lab sched): replace this table scan by a FIFO ready queue (see
 * runqueue.h) so that every operation takes O(1) time. */
#include "kernel/proc/internal.h"
#include "kernel/lib/lib.h"

/* The starter policy keeps no queue: pick() scans the process table for a
 * READY process that no hart has taken yet, as xv6's scheduler does, so
 * every pick costs O(NPROC) however few processes are READY. The scan
 * starts after the slot picked last, so the READY processes take turns.
 * se.queued marks a process that is READY and not picked yet.
 *
 * lock guards every field here and the se fields of every process. */
static struct {
  struct spinlock lock;
  int next_slot; /* where the next scan starts */
  int waiting;   /* processes with se.queued set */
} scan;

static void rr_init(void) { spinlock_init(&scan.lock, "ready queue"); }

static void rr_enqueue(struct proc *p) {
  acquire(&scan.lock);
  p->se.queued = 1;
  scan.waiting++;
  release(&scan.lock);
}

static void rr_remove(struct proc *p) {
  acquire(&scan.lock);
  if (p->se.queued) {
    p->se.queued = 0;
    scan.waiting--;
  }
  release(&scan.lock);
}

static struct proc *rr_pick(void) {
  struct proc *found = 0;
  acquire(&scan.lock);
  for (int i = 0; i < NPROC && found == 0; i++) {
    struct proc *p = &proc_table[(scan.next_slot + i) % NPROC];
    if (p->se.queued)
      found = p;
  }
  if (found) {
    found->se.queued = 0;
    scan.waiting--;
    scan.next_slot = (found->slot + 1) % NPROC;
  }
  release(&scan.lock);
  return found;
}

static int rr_waiting(void) { return READ_ONCE(scan.waiting); }
