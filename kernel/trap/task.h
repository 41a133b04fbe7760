/*
 * task: a process as the trap path sees it, with the open files that the
 * layers above the process layer add. The two-part conventions of the
 * process layer live here as single functions: task_exit closes the files
 * and then exits, task_fork copies the process and then its files before
 * the child may run. Nothing else calls proc_exit or proc_fork.
 */
#ifndef RIVET_TASK_H
#define RIVET_TASK_H

/* A copy of the calling process, files included, already READY: the
 * child's pid, or -EAGAIN when the table or memory is full. */
int task_fork(void);
/* Close every file, then exit: every exit, voluntary or not, comes here. */
void task_exit(int status) __attribute__((noreturn));
/* Return to user mode from the kernel: honours kill and suspend first. */
void task_return_to_user(void) __attribute__((noreturn));

/* A timer tick interrupted the current process in user mode: count it
 * against its alarm, and make it enter its handler when one is due.
 * Defined with the alarm's system calls (kernel/sys/alarm.c): the trap
 * path calls up into it as the dispatcher calls the handlers. */
void task_alarm_tick(void);

#endif
