/*
 * The user alarm: sigalarm(ticks, handler) asks for handler to be called
 * after every `ticks` timer ticks that interrupt the process while it runs
 * in user mode (its CPU time, counted in ticks). The call is made by
 * returning to user mode at the handler instead of where the tick
 * interrupted; the interrupted registers are kept, and the handler's
 * sigreturn() puts them all back, so the interrupted code never notices.
 * A handler is not called again while it runs.
 *
 * Only integer registers and the pc are kept: a handler must not use
 * floating point (as with xv6's alarm).
 */
#include "kernel/sys/syscall.h"
#include "kernel/trap/task.h"
#include "kernel/proc/proc.h"
#include "kernel/errno.h"

uint64 sys_sigalarm(void) {
  int ticks = arg_int(0);
  uint64 handler = arg_addr(1);
  if (ticks < 0 || (ticks > 0 && handler >= USER_TOP))
    return -EINVAL;
  struct alarm *a = &myproc()->alarm;
  a->interval = ticks; /* 0 turns the alarm off */
  a->ticks_left = ticks;
  a->handler = handler;
  return 0;
}

uint64 sys_sigreturn(void) {
  struct proc *p = myproc();
  if (!p->alarm.in_handler)
    return -EINVAL; /* no handler is running: nothing to return to */
  p->tf = p->alarm.saved;
  p->alarm.in_handler = 0;
  /* The dispatcher stores our result in a0: give it the interrupted a0. */
  return p->tf.regs[REG_A0];
}

void task_alarm_tick(void) {
  struct proc *p = myproc();
  struct alarm *a = &p->alarm;
  if (a->interval == 0 || a->in_handler)
    return;
  if (--a->ticks_left > 0)
    return;
  a->ticks_left = a->interval;
  a->saved = p->tf;
  a->in_handler = 1;
  p->tf.epc = a->handler; /* task_return_to_user goes there */
}
