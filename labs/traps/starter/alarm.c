/*
 * The user alarm: sigalarm(ticks, handler) asks for handler to be called
 * after every `ticks` timer ticks that interrupt the process while it runs
 * in user mode (its CPU time, counted in ticks); the handler ends with
 * sigreturn(), which resumes the interrupted code with all its registers.
 * The state lives in struct alarm (kernel/proc/proc.h), p->alarm.
 */
#include "kernel/sys/syscall.h"
#include "kernel/trap/task.h"
#include "kernel/proc/proc.h"
#include "kernel/errno.h"

uint64 sys_sigalarm(void) {
  // TODO(lab traps): remember the interval (arg_int(0)) and the handler
  // (arg_addr(1)) in myproc()->alarm; 0 ticks turns the alarm off.
  return -ENOSYS;
}

uint64 sys_sigreturn(void) {
  // TODO(lab traps): resume the code the alarm interrupted, every register
  // as it was (careful with a0: the dispatcher stores our result there).
  return -ENOSYS;
}

void task_alarm_tick(void) {
  // TODO(lab traps): count this tick; when the alarm is due, save the user
  // registers and make the return to user mode enter the handler. Call this
  // from user_trap (kernel/trap/trap.c) on every timer tick.
}
