/*
 * sys: the system-call layer. Each handler has the form uint64 sys_NAME(void),
 * fetches its arguments with the helpers below, and returns a value for a0:
 * a result >= 0, or -errno (the user stub turns that into -1 and errno).
 */
#ifndef RIVET_SYSCALL_H
#define RIVET_SYSCALL_H

#include "kernel/types.h"

int arg_int(int n);          /* argument register n as an int */
uint64 arg_addr(int n);      /* argument n as a user address (checked when used) */
uint64 arg_u64(int n);       /* argument n, all 64 bits */
/* Copy a NUL-terminated user string (argument n) into buf of size max:
 * its length, -EFAULT for a bad address, -ENAMETOOLONG if it does not fit. */
int arg_str(int n, char *buf, int max);

void syscall_dispatch(void);

#endif
