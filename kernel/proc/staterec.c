/*
 * The state-change record: while a program has asked for it
 * (staterec(STATEREC_START)), set_state notes every process state change
 * here: when, on which hart, which process, from which state to which,
 * and why. Programs read the changes with staterec(STATEREC_READ);
 * procrun draws the textbook's process table from them, scripts/timeline
 * a picture.
 *
 * The ring is bounded. When it is full a new change is not stored but
 * counted in `dropped`, and sequence numbers keep counting, so a reader
 * sees the gap as well as the count: nothing is lost silently. Keeping
 * the oldest changes (rather than overwriting them) keeps the start of an
 * experiment, which is what procrun needs.
 *
 * Off (the default) the record costs set_state one load and one branch.
 */
#include "kernel/proc/internal.h"
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"

volatile int staterec_on;

/* lock guards everything in rec. It is taken inside set_state, so with
 * some p->lock (and maybe wait_lock) held: nothing else is acquired while
 * holding it. Indexes only grow; slot = index % STATEREC_CAPACITY.
 *   [first, next)  changes kept and not yet read */
static struct {
  struct spinlock lock;
  struct statechange ring[STATEREC_CAPACITY];
  uint64 first;   /* oldest unread change */
  uint64 next;    /* where the next kept change goes */
  uint64 total;   /* changes seen since START: the next sequence number */
  uint64 dropped; /* changes seen while the ring was full */
} rec;

static const char *why_names[WHY_NREASONS] = {
    [WHY_CREATED] = "created",     [WHY_STARTED] = "started", [WHY_DISPATCHED] = "dispatched",
    [WHY_PREEMPTED] = "preempted", [WHY_YIELDED] = "yielded", [WHY_BLOCKED] = "blocked",
    [WHY_WOKEN] = "woken",         [WHY_KILLED] = "killed",   [WHY_SUSPENDED] = "suspended",
    [WHY_RESUMED] = "resumed",     [WHY_EXITED] = "exited",   [WHY_REAPED] = "reaped",
};

void staterec_init(void) { spinlock_init(&rec.lock, "staterec"); }

const char *staterec_why_name(enum statechange_why why) {
  return why < WHY_NREASONS ? why_names[why] : "?";
}

/* p has just changed from old to p->state; the caller holds p->lock. */
void staterec_add(struct proc *p, enum procstate old, enum statechange_why why) {
  acquire(&rec.lock);
  if (!staterec_on) { /* stopped while we came here */
    release(&rec.lock);
    return;
  }
  uint64 seq = rec.total++;
  if (rec.next - rec.first == STATEREC_CAPACITY) {
    rec.dropped++;
    release(&rec.lock);
    return;
  }
  struct statechange *c = &rec.ring[rec.next++ % STATEREC_CAPACITY];
  c->time_ns = clock_ns();
  c->seq = seq;
  c->pid = p->pid;
  c->hartid = mycpu()->hartid;
  c->old_state = old;
  c->new_state = p->state;
  c->why = why;
  safestrcpy(c->wait, why == WHY_BLOCKED && p->wait_name ? p->wait_name : "", sizeof c->wait);
  release(&rec.lock);
}

void staterec_start(void) {
  acquire(&rec.lock);
  rec.first = rec.next = rec.total = rec.dropped = 0;
  staterec_on = 1;
  release(&rec.lock);
}

void staterec_stop(void) {
  acquire(&rec.lock);
  staterec_on = 0;
  release(&rec.lock);
}

/* Copy up to max of the oldest unread changes to buf, leaving them in the
 * ring (the caller copies them out, which may sleep, then consumes them). */
int staterec_peek(struct statechange *buf, int max) {
  acquire(&rec.lock);
  int n = 0;
  for (uint64 i = rec.first; i < rec.next && n < max; i++)
    buf[n++] = rec.ring[i % STATEREC_CAPACITY];
  release(&rec.lock);
  return n;
}

/* Drop the n oldest changes, if the oldest is still the one with sequence
 * number first_seq (a START meanwhile emptied the ring). */
void staterec_consume(uint32 first_seq, int n) {
  acquire(&rec.lock);
  if (rec.first < rec.next && rec.ring[rec.first % STATEREC_CAPACITY].seq == first_seq)
    rec.first = MIN(rec.first + n, rec.next);
  release(&rec.lock);
}

void staterec_status(struct staterec_status *st) {
  acquire(&rec.lock);
  st->total = rec.total;
  st->dropped = rec.dropped;
  st->unread = rec.next - rec.first;
  st->recording = staterec_on;
  st->capacity = STATEREC_CAPACITY;
  release(&rec.lock);
}
