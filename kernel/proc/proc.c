/*
 * Processes: the table, the one state machine, and the life cycle
 * (create, fork, exit, wait) and control (kill, suspend, resume) of a
 * process. Running them is cpu.c's business, waiting block.c's.
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
#include "kernel/proc/internal.h"
#include "kernel/proc/sched.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

struct proc proc_table[NPROC];
struct proc *initproc;

static struct spinlock pid_lock; /* guards next_pid */
static int next_pid = 1;
struct spinlock wait_lock;

int trace_states; /* log every state change (boot argument trace=1) */
static int sleep_in_exit; /* exit gives up the hart after leaving its memory (boot self-test) */
#define EXIT_SLEEP_NS TICK_NS /* selftest=exit_window: one tick */

void report_state_change(struct proc *p, enum procstate old, enum statechange_why why) {
  int blocked = p->state == PROC_BLOCKED;
  if (trace_states)
    printf("trace: t=%lu hart=%d pid=%d %s -> %s why=%s%s%s\n", clock_ns(), mycpu()->hartid, p->pid,
           state_name(old), state_name(p->state), staterec_why_name(why), blocked ? " wait=" : "",
           blocked ? p->wait_name : "");
  if (staterec_on)
    staterec_add(p, old, why);
}

void proc_init(int trace, uint64 quantum_ns) {
  trace_states = trace;
  spinlock_init(&pid_lock, "pid");
  spinlock_init(&wait_lock, "wait");
  staterec_init();
  for (int i = 0; i < NPROC; i++) {
    spinlock_init(&proc_table[i].lock, "proc");
    proc_table[i].slot = i;
    proc_table[i].kstack = kstack_top(i);
    proc_table[i].last_cpu = -1;
  }
  sched_policy->init();
  cpu_init(quantum_ns);
  block_init();
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
struct proc *proc_create(const char *name, void (*start)(void)) {
  for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state != PROC_UNUSED) {
      release(&p->lock);
      continue;
    }
    p->pid = alloc_pid();
    set_state(p, PROC_NEW, WHY_CREATED);
    p->killed = p->suspend_requested = p->suspended_blocked = 0;
    p->exit_status = 0;
    p->chan = 0;
    p->as = 0;
    p->cwd = 0;
    memset(p->ofile, 0, sizeof p->ofile);
    memset(&p->tf, 0, sizeof p->tf);
    memset(&p->alarm, 0, sizeof p->alarm);
    p->runtime_ns = p->nvcsw = p->nivcsw = 0;
    p->fp_used = 0;
    p->fp_cpu = -1;
    p->trace_mask = 0;
    p->last_cpu = -1;
    memset(&p->se, 0, sizeof p->se); /* an UNUSED process is in no queue */
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
  set_state(p, PROC_UNUSED, WHY_REAPED); /* first, so the record sees the pid */
  p->parent = 0;
  p->pid = 0;
  p->name[0] = 0;
}

struct proc *proc_fork(void (*start)(void)) {
  struct proc *parent = myproc();
  struct proc *child = proc_create(parent->name, start);
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
  set_state(p, PROC_READY, WHY_STARTED);
  release(&p->lock);
}

/* --- exit and wait --- */

static void reparent_children(struct proc *p) {
  for (struct proc *c = proc_table; c < &proc_table[NPROC]; c++)
    if (c->parent == p) {
      c->parent = initproc;
      wakeup(initproc);
    }
}

void proc_exit(int status) {
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exited with status %d", status);
  lockcheck_exit(); /* the debug kernel: no sleeplock may outlive its holder */
  /* Leave the address space before freeing it: the kernel half is the same
   * in every page table, so we keep running. p->as is cleared because
   * as_destroy may sleep (closing the program file), and the scheduler
   * reloads p->as whenever p runs again. The switch to the kernel table
   * comes first, under p->lock (so no tick can preempt in between): once
   * p->as is 0, run() no longer moves a hart off p's table, so no hart may
   * still be on it then. */
  acquire(&p->lock);
  struct addrspace *as = p->as;
  kvm_enable();
  if (!kvm_active()) /* the rule above, checked where it matters: at every exit */
    panic("proc_exit: pid %d would unpublish its address space while on its table", p->pid);
  p->as = 0;
  release(&p->lock);
  if (sleep_in_exit)
    proc_sleep_until(clock_ns() + EXIT_SLEEP_NS);
  as_destroy(as);

  acquire(&wait_lock);
  reparent_children(p);
  wakeup(p->parent);
  acquire(&p->lock);
  p->exit_status = status;
  set_state(p, PROC_ZOMBIE, WHY_EXITED);
  release(&wait_lock);
  p->nvcsw++;
  switch_to_scheduler();
  panic("zombie ran again");
}

int proc_wait(int pid, int *status, int options) {
  struct proc *self = myproc();
  acquire(&wait_lock);
  for (;;) {
    int have_child = 0;
    for (struct proc *c = proc_table; c < &proc_table[NPROC]; c++) {
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
    /* LAB procapi: wnohang */
    if (options & WNOHANG) {
      release(&wait_lock);
      return 0;
    }
    /* END LAB procapi */
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
  for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++) {
    if (p->pid != pid)
      continue;
    acquire(&p->lock);
    if (p->pid == pid && p->state != PROC_UNUSED && p->state != PROC_ZOMBIE)
      return p;
    release(&p->lock);
  }
  return 0;
}

/* What kill, suspend and resume act on: the live process pid, returned
 * locked; or 0 with *err = -EPERM for init (it must live: it reaps
 * orphans) or -ESRCH when there is no such process. */
static struct proc *find_target(int pid, int *err) {
  struct proc *p = (initproc && pid == initproc->pid) ? 0 : find_locked(pid);
  if (p == 0)
    *err = (initproc && pid == initproc->pid) ? -EPERM : -ESRCH;
  return p;
}

int proc_kill(int pid) {
  int err;
  struct proc *p = find_target(pid, &err);
  if (p == 0)
    return err;
  p->killed = 1;
  if (p->state == PROC_BLOCKED || p->state == PROC_SUSPENDED) {
    p->suspended_blocked = 0;
    set_state(p, PROC_READY, WHY_KILLED); /* run so it can die */
  }
  release(&p->lock);
  return 0;
}

/* LAB procapi: suspend-resume */
int proc_suspend(int pid) {
  int err;
  struct proc *p = find_target(pid, &err);
  if (p == 0)
    return err;
  if (p->state == PROC_READY) {
    set_state(p, PROC_SUSPENDED, WHY_SUSPENDED); /* set_state takes it off the policy's queue */
  } else if (p->state == PROC_BLOCKED && p->interruptible) {
    p->suspended_blocked = 1;
    set_state(p, PROC_SUSPENDED, WHY_SUSPENDED);
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
  int err;
  struct proc *p = find_target(pid, &err);
  if (p == 0)
    return err;
  p->suspend_requested = 0;
  if (p->state == PROC_SUSPENDED)
    set_state(p, p->suspended_blocked ? PROC_BLOCKED : PROC_READY, WHY_RESUMED);
  p->suspended_blocked = 0;
  release(&p->lock);
  return 0;
}
/* END LAB procapi */

void proc_stop_if_requested(void) {
  struct proc *p = myproc();
  acquire(&p->lock);
  if (p->suspend_requested && !p->killed) {
    p->suspend_requested = 0;
    set_state(p, PROC_SUSPENDED, WHY_SUSPENDED);
    p->nvcsw++;
    switch_to_scheduler();
  }
  release(&p->lock);
}

/* selftest=exit_window: proc_exit gives up its hart (as a timer tick could
 * make it do) just after it has left its address space, so that hart's
 * idle ticks can check it did not stay on the table about to be freed. */
void proc_sleep_in_exit(void) { sleep_in_exit = 1; }

/* The pid of p's parent (0 for none). The caller holds wait_lock, which
 * keeps p->parent from changing and the parent from being freed: a parent
 * hands its children to init, under wait_lock, before it can be reaped. */
int proc_parent_pid(struct proc *p) {
  if (!holding(&wait_lock))
    panic("proc_parent_pid: pid %d: wait_lock not held", p->pid);
  return p->parent ? p->parent->pid : 0;
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
