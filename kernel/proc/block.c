/*
 * How a process waits: sleep on a channel until a wakeup, and sleep on
 * the clock. The sync layer's sleep()/wakeup() land here (registered as
 * its blocker at boot), so device drivers can block without including
 * process code.
 */
#include "kernel/proc/internal.h"
#include "kernel/lib/lib.h"

static void proc_sleep(void *chan, struct spinlock *lk, int interruptible) {
  struct proc *p = myproc();
  acquire(&p->lock);
  /* Become BLOCKED before letting go of lk: a waker must hold lk to
   * change the condition, so it will see us blocked. */
  p->chan = chan;
  p->interruptible = interruptible;
  if (interruptible && p->suspend_requested && !p->killed) {
    /* suspend() found us running in the kernel: stop here, as blocked. */
    p->suspend_requested = 0;
    p->suspended_blocked = 1;
    set_state(p, PROC_SUSPENDED);
  } else {
    set_state(p, PROC_BLOCKED);
  }
  release(lk);
  p->nvcsw++;
  switch_to_scheduler();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

static void proc_wakeup(void *chan) {
  struct proc *self = myproc();
  for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++) {
    if (p == self || p->chan != chan)
      continue; /* unlocked peek; rechecked below */
    acquire(&p->lock);
    if (p->chan == chan) {
      if (p->state == PROC_BLOCKED)
        set_state(p, PROC_READY);
      else if (p->state == PROC_SUSPENDED)
        p->suspended_blocked = 0; /* woken, but runs only once resumed */
    }
    release(&p->lock);
  }
}

static int proc_should_abort(void) {
  struct proc *p = myproc();
  return p && proc_killed(p);
}

static int proc_current_id(void) {
  struct proc *p = myproc();
  return p ? p->pid : 0;
}

static int proc_current_slot(void) {
  struct proc *p = myproc();
  return p ? p->slot : -1;
}

static const struct blocker process_blocker = {proc_sleep, proc_wakeup, proc_should_abort,
                                               proc_current_id, proc_current_slot};

/* Sleepers on the clock wait on clock_channel; cpu 0's tick wakes them
 * (under clock_lock) to look at the time. */
static struct spinlock clock_lock;
static char clock_channel;

void block_init(void) {
  spinlock_init(&clock_lock, "tick");
  sync_set_blocker(&process_blocker);
}

void block_clock_tick(void) {
  acquire(&clock_lock);
  wakeup(&clock_channel);
  release(&clock_lock);
}

void proc_sleep_until(uint64 deadline_ns) {
  idle_clock_sleepers(1);
  acquire(&clock_lock);
  while (clock_ns() < deadline_ns && !proc_killed(myproc()))
    sleep_interruptible(&clock_channel, &clock_lock);
  release(&clock_lock);
  idle_clock_sleepers(-1);
}
