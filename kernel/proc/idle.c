/*
 * Harts with nothing to run. An idle hart waits in wfi, so it costs the
 * host nothing, with its timer stopped when it needs no tick. Whoever
 * makes work for it (a new or woken process) sends it an inter-processor
 * interrupt. docs/processes.md ("Idle harts and wakeups") says why the
 * timer is set as it is while the disk works.
 */
#include "kernel/proc/internal.h"
#include "kernel/proc/sched.h"
#include "kernel/lib/lib.h"

#define IO_WAIT_POLL_NS 5000 /* cpu 0's timer while a device request is in flight (icount) */

static volatile uint64 idle_mask;   /* bit i set: cpu i waits in wfi; updated atomically */
static volatile int clock_sleepers; /* processes in proc_sleep_until; atomic */
static int keep_idle_ticks;         /* keep the timer ticking on idle harts (boot self-test) */
static int icount_mode;             /* QEMU runs with -icount (boot argument "icount") */

/* Wake one idle hart (not this one). */
static void kick_one(void) {
  uint64 idle = idle_mask;
  for (int i = 0; i < ncpu; i++)
    if ((idle & (1UL << i)) && i != mycpu()->index) {
      sbi_send_ipi(cpus[i].hartid);
      return;
    }
}

void idle_kick_if_idle(void) {
  if (idle_mask)
    kick_one();
}

/* Should making a process READY wake an idle hart? Not for a hand-off (a pipe or
 * wait wakeup in a system call: the waker usually blocks next, and its
 * own hart then runs the wakee without an inter-processor interrupt).
 * Yes when work piles up, for a new process, and for wakeups from device
 * interrupts. A busy hart's tick catches the rest (proc_tick). */
void idle_kick_for(enum procstate old) {
  if (sched_policy->waiting() > 1 || old == PROC_NEW || mycpu()->in_interrupt)
    idle_kick_if_idle();
}

void proc_keep_idle_ticks(void) { keep_idle_ticks = 1; }

void proc_set_icount_mode(void) { icount_mode = 1; }

/* cpu 0's ticks wake clock sleepers (block.c); an idle cpu 0 stops
 * ticking when there are none, so make sure it looks again. */
void idle_clock_sleepers(int delta) {
  __sync_fetch_and_add(&clock_sleepers, delta);
  if (delta > 0 && (idle_mask & 1))
    sbi_send_ipi(cpus[0].hartid);
}

/* An idle hart needs no timer, except cpu 0 while processes sleep on the
 * clock. With no timer, an idle machine costs the host nothing. */
static int needs_idle_ticks(struct cpu *c) {
  return keep_idle_ticks || (c->index == 0 && clock_sleepers > 0);
}

/* How an idle hart sets its timer before wfi (timer_resume undoes it).
 * While the disk works, cpu 0 keeps a timer so that an all-idle machine
 * still has a deadline: under QEMU's icount mode, with no deadline at all
 * QEMU would not finish the request. In icount mode (boot argument
 * "icount") that timer is short, because there guest time only advances by
 * timer deadlines while every hart idles (docs/bench.md): a full tick
 * would make every disk request look like 10 ms. In a normal run the
 * regular tick is enough, and a short timer would only be an interrupt
 * storm taking host time from QEMU's I/O thread. The other harts keep
 * their regular tick meanwhile. */
static void set_idle_timer(struct cpu *c) {
  if (io_in_flight()) {
    if (c->index == 0 && icount_mode)
      timer_wake_within(IO_WAIT_POLL_NS);
  } else if (!needs_idle_ticks(c)) {
    timer_stop();
  }
}

/* Wait for work, with interrupts off so a wakeup IPI that arrives after
 * the last look at the queue is not lost: it stays pending and wfi returns.
 * The idle bit is set before that last look, so an enqueue either is seen
 * by it or sends us the IPI. */
struct proc *idle_wait(struct cpu *c) {
  __sync_fetch_and_or(&idle_mask, 1UL << c->index);
  struct proc *p = sched_policy->pick();
  if (p == 0) {
    set_idle_timer(c);
    wfi();
    timer_resume(); /* a tick that came due meanwhile is taken at once */
  }
  __sync_fetch_and_and(&idle_mask, ~(1UL << c->index));
  return p;
}
