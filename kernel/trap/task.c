/*
 * The return half of the trap path (entry and dispatch: trap.c, syscall.c):
 * the ways a process leaves the kernel, back to user mode or out for good,
 * and fork, whose child leaves the kernel the same way.
 */
#include "kernel/trap/task.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/file.h"
#include "kernel/arch/arch.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

int task_fork(void) {
  struct proc *child = proc_fork(task_return_to_user);
  if (child == 0)
    return -EAGAIN;
  files_fork(child, myproc()); /* before proc_start: the child may run at once */
  // LAB syscall: trace-fork
  child->trace_mask = myproc()->trace_mask; /* a traced program's children are traced too */
  // END LAB syscall
  int pid = child->pid;
  proc_start(child);
  return pid;
}

void task_exit(int status) {
  files_exit(myproc());
  proc_exit(status);
}

void task_return_to_user(void) {
  struct proc *p = myproc();
  /* Unlocked reads: a kill or suspend that races with this check is
   * seen at the next trap (at the latest the next timer tick). */
  if (READ_ONCE(p->killed))
    task_exit(EXIT_STATUS_KILLED);
  if (READ_ONCE(p->suspend_requested)) {
    proc_stop_if_requested();
    if (proc_killed(p)) /* killed while suspended */
      task_exit(EXIT_STATUS_KILLED);
  }
  intr_off();
  uint64 fs = fpu_before_user(p);
  p->tf.kernel_sp = p->kstack;
  p->tf.kernel_tp = (uint64)mycpu();
  uint64 sstatus = csr_read(sstatus);
  sstatus &= ~(SSTATUS_SPP | SSTATUS_FS); /* sret goes to user mode ... */
  sstatus |= SSTATUS_SPIE | fs;           /* ... with interrupts on */
  csr_write(sstatus, sstatus);
  user_return(&p->tf);
}
