/*
 * task: what the system-call layer adds to a process's life cycle:
 * its open files. Every exit, voluntary or not, goes through task_exit so
 * files are closed before the process becomes a zombie.
 */
#ifndef RIVET_TASK_H
#define RIVET_TASK_H

void task_exit(int status) __attribute__((noreturn));
/* Return to user mode from the kernel: honours kill and suspend first. */
void task_return_to_user(void) __attribute__((noreturn));

/* A timer tick interrupted the current process in user mode: count it
 * against its alarm, and make it enter its handler when one is due. */
void task_alarm_tick(void);

#endif
