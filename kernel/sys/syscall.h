/*
 * sys: the system-call layer. Each handler has the form uint64 sys_NAME(void),
 * fetches its arguments with the helpers below, and returns a value for a0:
 * a result >= 0, or -errno (the user stub turns that into -1 and errno).
 * The trap layer below calls the handlers (trap/syscall.c) through the one
 * table, kernel/syscalls.h.
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

/* The inode at path, made with the given type if it does not exist yet;
 * returned locked in *ipp. Call inside a transaction. sysname.c makes it
 * for mkdir and mknod, sysfile.c calls it for open's O_CREATE. */
struct inode;
int create_path(const char *path, short type, short major, short minor, struct inode **ipp);

#endif
