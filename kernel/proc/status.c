/*
 * Reports on processes: procinfo and getprocs for user programs, and the
 * Ctrl-P listing on the console.
 */
#include "kernel/proc/internal.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define NS_PER_US 1000

static const char *const state_names[PROC_NSTATES] = {
    [PROC_UNUSED] = "unused",   [PROC_NEW] = "new",         [PROC_READY] = "ready",
    [PROC_RUNNING] = "running", [PROC_BLOCKED] = "blocked", [PROC_SUSPENDED] = "suspended",
    [PROC_ZOMBIE] = "zombie",
};

const char *state_name(enum procstate s) { return state_names[s]; }

static void fill_info(struct proc *p, struct procinfo *info) {
  memset(info, 0, sizeof *info);
  info->pid = p->pid;
  info->ppid = proc_parent_pid(p);
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
  info->runtime_us = runtime / NS_PER_US;
  info->nvcsw = p->nvcsw;
  info->nivcsw = p->nivcsw;
  info->cpu = p->last_cpu;
  info->exit_status = p->exit_status;
}

/* wait_lock for the parent's pid, p->lock for the rest. */
int proc_info(int pid, struct procinfo *info) {
  acquire(&wait_lock);
  for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state != PROC_UNUSED && p->pid == pid) {
      fill_info(p, info);
      release(&p->lock);
      release(&wait_lock);
      return 0;
    }
    release(&p->lock);
  }
  release(&wait_lock);
  return -ESRCH;
}

int proc_info_at(int slot, struct procinfo *info) {
  struct proc *p = &proc_table[slot];
  acquire(&wait_lock);
  acquire(&p->lock);
  int used = p->state != PROC_UNUSED;
  if (used)
    fill_info(p, info);
  release(&p->lock);
  release(&wait_lock);
  return used ? 0 : -ESRCH;
}

int proc_count(void) {
  int n = 0;
  for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++)
    n += p->state != PROC_UNUSED;
  return n;
}

/* Ctrl-P: called from the console interrupt, it takes no locks, so that
 * it still works when a lock is stuck (that is when it is wanted), and may
 * show a state that is changing at that moment. It breaks the wait_lock
 * rule for p->parent knowingly: each field is read once, and a parent
 * pointer always points into the table (or is 0), so a racing exit can
 * make a line show a stale pid or state, never fault. */
void proc_dump(void) {
  printf("\n  PID  PPID STATE       CPU NAME\n");
  for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++) {
    enum procstate state = READ_ONCE(p->state);
    struct proc *parent = READ_ONCE(p->parent);
    if (state != PROC_UNUSED)
      printf("%5d %5d %-10s %4d %s\n", p->pid, parent ? READ_ONCE(parent->pid) : 0,
             state_names[state], p->last_cpu, p->name);
  }
}
