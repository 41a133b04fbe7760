/* Round-robin policy: a FIFO ready queue; O(1) enqueue and dequeue. */
#include "kernel/proc/sched.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/lib.h"

/* lock guards head, tail, every p->next_ready and p->in_ready_queue.
 * Lock order: p->lock, then this lock. */
static struct {
  struct spinlock lock;
  struct proc *head, *tail;
  int length;
} ready;

void sched_init(void) { spinlock_init(&ready.lock, "ready queue"); }

int sched_enqueue(struct proc *p) {
  acquire(&ready.lock);
  if (!p->in_ready_queue) { /* a stale entry is still queued: it will do */
    p->in_ready_queue = 1;
    p->next_ready = 0;
    if (ready.tail)
      ready.tail->next_ready = p;
    else
      ready.head = p;
    ready.tail = p;
    ready.length++;
  }
  int length = ready.length;
  release(&ready.lock);
  return length;
}

struct proc *sched_dequeue(void) {
  acquire(&ready.lock);
  struct proc *p = ready.head;
  if (p) {
    ready.head = p->next_ready;
    if (ready.head == 0)
      ready.tail = 0;
    p->in_ready_queue = 0;
    ready.length--;
  }
  release(&ready.lock);
  return p;
}

int sched_waiting(void) { return READ_ONCE(ready.length); }
