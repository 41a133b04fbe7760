/*
 * Processes: the table, the one state machine, and the life cycle
 * (create, fork, exit, wait, kill, suspend, resume).
 *
 * State machine (every change goes through set_state):
 *
 *   UNUSED -> NEW -> READY <-> RUNNING -> ZOMBIE -> UNUSED
 *                      ^          |
 *                      |          v
 *                      +----- BLOCKED        (sleep / wakeup)
 *   READY, RUNNING, BLOCKED -> SUSPENDED -> READY or BLOCKED (resume)
 *
 * Locks: p->lock guards the fields so marked in proc.h. wait_lock guards
 * every p->parent and serializes exit against wait; take it before any
 * p->lock. Nobody holds a p->lock while sleeping.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/arch.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

static struct proc table[NPROC];
struct proc *initproc;

static struct spinlock pid_lock; /* guards next_pid */
static int next_pid = 1;
static struct spinlock wait_lock;

static int trace_states;     /* log every state change (boot argument trace=1) */
static int idle_ticks;       /* keep the timer ticking on idle harts (boot self-test) */
static int icount_mode;      /* QEMU runs with -icount (boot argument "icount") */
#define IO_WAIT_POLL_NS 5000 /* idle timer while a device request is in flight (icount) */
static volatile int clock_sleepers; /* processes in proc_sleep_until; atomic */
static uint64 quantum_ns;    /* longest run before preemption */
static volatile uint64 idle_mask; /* bit i set: cpu i waits in wfi; updated atomically */

static const char *state_names[PROC_NSTATES] = {
    [PROC_UNUSED] = "unused", [PROC_NEW] = "new",           [PROC_READY] = "ready",
    [PROC_RUNNING] = "running", [PROC_BLOCKED] = "blocked", [PROC_SUSPENDED] = "suspended",
    [PROC_ZOMBIE] = "zombie",
};

/* Interrupts go off for the one load, so the process cannot move to
 * another hart between reading tp and reading cpu->proc. */
struct proc *myproc(void) {
  int was_on = intr_save_off();
  struct proc *p = mycpu()->proc;
  if (was_on)
    intr_on();
  return p;
}

/* Wake one idle hart so a newly READY process does not wait for a tick. */
static void kick_idle_hart(void) {
  uint64 idle = idle_mask;
  for (int i = 0; i < ncpu; i++)
    if ((idle & (1UL << i)) && i != mycpu()->index) {
      sbi_send_ipi(cpus[i].hartid);
      return;
    }
}

/* Should making a process READY wake an idle hart? Not for a hand-off
 * (a pipe or wait wakeup in a system call: the waker usually blocks next,
 * and its own hart then runs the wakee without an inter-processor
 * interrupt). Yes when work piles up, for a new process, and for wakeups
 * from device interrupts. A busy hart's tick catches the rest (proc_tick). */
static int worth_a_kick(enum procstate old, int waiting) {
  return waiting > 1 || old == PROC_NEW || mycpu()->in_interrupt;
}

/* THE state transition. Caller holds p->lock (or owns p outright while it
 * is UNUSED/NEW). Entering READY puts p on the ready queue. */
static void set_state(struct proc *p, enum procstate s) {
  enum procstate old = p->state;
  if (trace_states)
    printf("trace: t=%lu pid=%d %s -> %s\n", clock_ns(), p->pid, state_names[old], state_names[s]);
  p->state = s;
  if (s == PROC_READY && worth_a_kick(old, sched_enqueue(p)))
    kick_idle_hart();
}

/* --- blocking, registered with sync so drivers can block --- */

/* Switch from the current process to this hart's scheduler loop. Caller
 * holds p->lock and has already moved p out of RUNNING. */
static void sched(void) {
  struct proc *p = myproc();
  struct cpu *c = mycpu();
  if (!holding(&p->lock) || c->noff != 1 || p->state == PROC_RUNNING || intr_get())
    panic("sched: bad state for pid %d", p->pid);
  int intena = c->intena;
  swtch(&p->ctx, &c->sched_ctx);
  mycpu()->intena = intena; /* we may resume on another hart */
}

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
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

static void proc_wakeup(void *chan) {
  struct proc *self = myproc();
  for (struct proc *p = table; p < &table[NPROC]; p++) {
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

static const struct blocker process_blocker = {proc_sleep, proc_wakeup, proc_should_abort,
                                               proc_current_id};

void proc_init(int trace, uint64 quantum) {
  trace_states = trace;
  quantum_ns = quantum;
  spinlock_init(&pid_lock, "pid");
  spinlock_init(&wait_lock, "wait");
  for (int i = 0; i < NPROC; i++) {
    spinlock_init(&table[i].lock, "proc");
    table[i].slot = i;
    table[i].kstack = kstack_top(i);
    table[i].last_hart = -1;
  }
  sched_init();
  sync_set_blocker(&process_blocker);
}

int proc_killed(struct proc *p) {
  acquire(&p->lock);
  int k = p->killed;
  release(&p->lock);
  return k;
}

/* --- creation --- */

/* A new process's first instructions in the kernel: we arrive here from
 * the scheduler still holding p->lock. */
static void proc_first_run(void) {
  struct proc *p = myproc();
  release(&p->lock);
  p->start();
  panic("proc_first_run: start function returned");
}

static int alloc_pid(void) {
  acquire(&pid_lock);
  int pid = next_pid++;
  release(&pid_lock);
  return pid;
}

/* Find an UNUSED slot and make it NEW; 0 if the table is full. */
static struct proc *alloc_proc(const char *name, void (*start)(void)) {
  for (struct proc *p = table; p < &table[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state != PROC_UNUSED) {
      release(&p->lock);
      continue;
    }
    p->pid = alloc_pid();
    set_state(p, PROC_NEW);
    p->killed = p->suspend_requested = p->suspended_blocked = 0;
    p->exit_status = 0;
    p->chan = 0;
    p->as = 0;
    p->cwd = 0;
    memset(p->ofile, 0, sizeof p->ofile);
    memset(&p->tf, 0, sizeof p->tf);
    p->runtime_ns = p->nvcsw = p->nivcsw = 0;
    p->fp_used = 0;
    p->fp_hart = -1;
    p->last_hart = -1;
    p->start = start;
    safestrcpy(p->name, name, sizeof p->name);
    memset(&p->ctx, 0, sizeof p->ctx);
    p->ctx.ra = (uint64)proc_first_run;
    p->ctx.sp = p->kstack;
    release(&p->lock);
    return p;
  }
  return 0;
}

/* Return a ZOMBIE's (or a failed NEW's) slot to the table. */
static void free_proc(struct proc *p) {
  p->parent = 0;
  p->pid = 0;
  p->name[0] = 0;
  set_state(p, PROC_UNUSED);
}

struct proc *proc_create(const char *name, void (*start)(void)) { return alloc_proc(name, start); }

struct proc *proc_fork(void (*start)(void)) {
  struct proc *parent = myproc();
  struct proc *child = alloc_proc(parent->name, start);
  if (child == 0)
    return 0;
  if ((child->as = as_fork(parent->as)) == 0) {
    acquire(&child->lock);
    free_proc(child);
    release(&child->lock);
    return 0;
  }
  child->tf = parent->tf;
  child->fp = parent->fp; /* saved at the fork system call's trap */
  child->fp_used = parent->fp_used;
  child->tf.regs[REG_A0] = 0; /* fork returns 0 in the child */
  acquire(&wait_lock);
  child->parent = parent;
  release(&wait_lock);
  return child;
}

void proc_start(struct proc *p) {
  acquire(&p->lock);
  set_state(p, PROC_READY);
  release(&p->lock);
}

/* --- exit and wait --- */

static void reparent_children(struct proc *p) {
  for (struct proc *c = table; c < &table[NPROC]; c++)
    if (c->parent == p) {
      c->parent = initproc;
      wakeup(initproc);
    }
}

void proc_exit(int status) {
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exited with status %d", status);
  /* Leave the address space before freeing it: the kernel half is the same
   * in every page table, so we keep running. p->as is cleared first because
   * as_destroy may sleep (closing the program file), and the scheduler
   * reloads p->as whenever p runs again. */
  acquire(&p->lock);
  struct addrspace *as = p->as;
  p->as = 0;
  release(&p->lock);
  kvm_enable();
  as_destroy(as);

  acquire(&wait_lock);
  reparent_children(p);
  wakeup(p->parent);
  acquire(&p->lock);
  p->exit_status = status;
  set_state(p, PROC_ZOMBIE);
  release(&wait_lock);
  p->nvcsw++;
  sched();
  panic("zombie ran again");
}

int proc_wait(int pid, int *status, int options) {
  struct proc *self = myproc();
  acquire(&wait_lock);
  for (;;) {
    int have_child = 0;
    for (struct proc *c = table; c < &table[NPROC]; c++) {
      if (c->parent != self || (pid != -1 && c->pid != pid))
        continue;
      have_child = 1;
      acquire(&c->lock);
      if (c->state == PROC_ZOMBIE) {
        int found = c->pid;
        *status = c->exit_status;
        free_proc(c);
        release(&c->lock);
        release(&wait_lock);
        return found;
      }
      release(&c->lock);
    }
    if (!have_child) {
      release(&wait_lock);
      return -ECHILD;
    }
    if (options & WNOHANG) {
      release(&wait_lock);
      return 0;
    }
    if (proc_killed(self)) {
      release(&wait_lock);
      return -EINTR;
    }
    sleep_interruptible(self, &wait_lock);
  }
}

/* --- control: kill, suspend, resume --- */

/* The live process with this pid, returned with its lock held; or 0. */
static struct proc *find_locked(int pid) {
  for (struct proc *p = table; p < &table[NPROC]; p++) {
    if (p->pid != pid)
      continue;
    acquire(&p->lock);
    if (p->pid == pid && p->state != PROC_UNUSED && p->state != PROC_ZOMBIE)
      return p;
    release(&p->lock);
  }
  return 0;
}

int proc_kill(int pid) {
  if (pid == 1)
    return -EPERM;
  struct proc *p = find_locked(pid);
  if (p == 0)
    return -ESRCH;
  p->killed = 1;
  if (p->state == PROC_BLOCKED || p->state == PROC_SUSPENDED) {
    p->suspended_blocked = 0;
    set_state(p, PROC_READY); /* run so it can die */
  }
  release(&p->lock);
  return 0;
}

int proc_suspend(int pid) {
  if (pid == 1)
    return -EPERM;
  struct proc *p = find_locked(pid);
  if (p == 0)
    return -ESRCH;
  if (p->state == PROC_READY) {
    set_state(p, PROC_SUSPENDED); /* its queue entry goes stale */
  } else if (p->state == PROC_BLOCKED && p->interruptible) {
    p->suspended_blocked = 1;
    set_state(p, PROC_SUSPENDED);
  } else if (p->state == PROC_BLOCKED) {
    p->suspend_requested = 1; /* busy in the kernel: stops when done */
  } else if (p->state == PROC_RUNNING || p->state == PROC_NEW) {
    p->suspend_requested = 1; /* it stops itself before user mode */
  }
  release(&p->lock);
  if (p == myproc())
    proc_stop_if_requested();
  return 0;
}

int proc_resume(int pid) {
  if (pid == 1)
    return -EPERM;
  struct proc *p = find_locked(pid);
  if (p == 0)
    return -ESRCH;
  p->suspend_requested = 0;
  if (p->state == PROC_SUSPENDED)
    set_state(p, p->suspended_blocked ? PROC_BLOCKED : PROC_READY);
  p->suspended_blocked = 0;
  release(&p->lock);
  return 0;
}

void proc_stop_if_requested(void) {
  struct proc *p = myproc();
  acquire(&p->lock);
  if (p->suspend_requested && !p->killed) {
    p->suspend_requested = 0;
    set_state(p, PROC_SUSPENDED);
    p->nvcsw++;
    sched();
  }
  release(&p->lock);
}

/* --- scheduling mechanism --- */

void proc_yield(int involuntary) {
  struct proc *p = myproc();
  acquire(&p->lock);
  set_state(p, PROC_READY);
  if (involuntary)
    p->nivcsw++;
  else
    p->nvcsw++;
  sched();
  release(&p->lock);
}

static struct spinlock tick_lock;
static char tick_channel; /* sleepers on the clock wait here */

void proc_tick(void) {
  struct proc *p = myproc();
  if (p && idle_mask && sched_waiting() > 0)
    kick_idle_hart(); /* work waits while a hart idles */
  if (mycpu()->index == 0) {
    acquire(&tick_lock);
    wakeup(&tick_channel);
    release(&tick_lock);
  }
  if (p && p->state == PROC_RUNNING && clock_ns() >= p->quantum_end_ns)
    proc_yield(1);
}

void proc_sleep_until(uint64 deadline_ns) {
  /* Hart 0's ticks wake clock sleepers; an idle hart 0 stops ticking when
   * there are none, so make sure it looks again. */
  __sync_fetch_and_add(&clock_sleepers, 1);
  if (idle_mask & 1)
    sbi_send_ipi(cpus[0].hartid);
  acquire(&tick_lock);
  while (clock_ns() < deadline_ns && !proc_killed(myproc()))
    sleep_interruptible(&tick_channel, &tick_lock);
  release(&tick_lock);
  __sync_fetch_and_sub(&clock_sleepers, 1);
}

void proc_keep_idle_ticks(void) { idle_ticks = 1; }

void proc_set_icount_mode(void) { icount_mode = 1; }

/* An idle hart needs no timer, except hart 0 while processes sleep on the
 * clock. With no timer, an idle machine costs the host nothing. */
static int needs_idle_ticks(struct cpu *c) {
  return idle_ticks || (c->index == 0 && clock_sleepers > 0);
}

/* How an idle hart sets its timer before wfi (timer_resume undoes it).
 * While the disk works, hart 0 keeps a timer so that an all-idle machine
 * still has a deadline: under QEMU's icount mode, with no deadline at all
 * QEMU would not finish the request. In icount mode (boot argument
 * "icount") that timer is short, because there an all-idle machine leaps
 * guest time to the next deadline: a full tick would make every disk
 * request look like 10 ms. In a normal run the regular tick is enough, and
 * a short timer would only be an interrupt storm taking host time from
 * QEMU's I/O thread. The other harts keep their regular tick meanwhile. */
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
 * by it or sends us the IPI. Returns a process found meanwhile, or 0. */
static struct proc *idle(struct cpu *c) {
  __sync_fetch_and_or(&idle_mask, 1UL << c->index);
  struct proc *p = sched_dequeue();
  if (p == 0) {
    set_idle_timer(c);
    wfi();
    timer_resume(); /* a tick that came due meanwhile is taken at once */
  }
  __sync_fetch_and_and(&idle_mask, ~(1UL << c->index));
  return p;
}

static void run(struct cpu *c, struct proc *p) {
  set_state(p, PROC_RUNNING);
  c->proc = p;
  p->last_hart = c->hartid;
  p->run_start_ns = clock_ns();
  p->quantum_end_ns = p->run_start_ns + quantum_ns;
  if (p->as)
    as_activate(p->as);
  swtch(&c->sched_ctx, &p->ctx);
  p->runtime_ns += clock_ns() - p->run_start_ns;
  c->proc = 0;
  /* Leave p's page table while p->lock still keeps p from running (and
   * exiting, which frees that table) on another hart. */
  if (p->as)
    kvm_enable();
}

void scheduler(void) {
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    intr_on(); /* take pending interrupts (timer, devices, IPIs) */
    intr_off();
    struct proc *p = sched_dequeue();
    if (p == 0 && (p = idle(c)) == 0)
      continue;
    acquire(&p->lock);
    if (p->state == PROC_READY)
      run(c, p);
    release(&p->lock);
  }
}

/* --- status --- */

static void fill_info(struct proc *p, struct procinfo *info) {
  memset(info, 0, sizeof *info);
  info->pid = p->pid;
  info->ppid = p->parent ? p->parent->pid : 0;
  info->state = p->state;
  info->suspended_blocked = p->suspended_blocked;
  safestrcpy(info->name, p->name, sizeof info->name);
  if (p->as) {
    info->size = as_size(p->as);
    info->resident = p->as->resident;
    info->faults = p->as->faults;
  }
  uint64 runtime = p->runtime_ns;
  if (p->state == PROC_RUNNING)
    runtime += clock_ns() - p->run_start_ns;
  info->runtime_us = runtime / 1000;
  info->nvcsw = p->nvcsw;
  info->nivcsw = p->nivcsw;
  info->hart = p->last_hart;
  info->exit_status = p->exit_status;
}

int proc_info(int pid, struct procinfo *info) {
  for (struct proc *p = table; p < &table[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state != PROC_UNUSED && p->pid == pid) {
      fill_info(p, info);
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -ESRCH;
}

int proc_info_at(int slot, struct procinfo *info) {
  struct proc *p = &table[slot];
  acquire(&p->lock);
  int used = p->state != PROC_UNUSED;
  if (used)
    fill_info(p, info);
  release(&p->lock);
  return used ? 0 : -ESRCH;
}

int proc_count(void) {
  int n = 0;
  for (struct proc *p = table; p < &table[NPROC]; p++)
    n += p->state != PROC_UNUSED;
  return n;
}

/* Ctrl-P: called from the console interrupt, so it takes no locks and
 * may show a state that is changing at that moment. */
void proc_dump(void) {
  printf("\n  PID  PPID STATE      HART NAME\n");
  for (struct proc *p = table; p < &table[NPROC]; p++)
    if (p->state != PROC_UNUSED)
      printf("%5d %5d %10s %4d %s\n", p->pid, p->parent ? p->parent->pid : 0,
             state_names[p->state], p->last_hart, p->name);
}

/* --- copying for code that serves both user and kernel buffers --- */

int either_copyout(int user_dst, uint64 dst, const void *src, uint64 n) {
  if (user_dst)
    return copyout(myproc()->as, dst, src, n);
  memmove((void *)dst, src, n);
  return 0;
}

int either_copyin(void *dst, int user_src, uint64 src, uint64 n) {
  if (user_src)
    return copyin(myproc()->as, dst, src, n);
  memmove(dst, (const void *)src, n);
  return 0;
}
