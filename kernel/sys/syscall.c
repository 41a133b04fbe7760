/*
 * System-call arguments: a handler reads them from the trapframe the trap
 * entry saved (the dispatcher is kernel/trap/syscall.c).
 */
#include "kernel/sys/syscall.h"
#include "kernel/proc/proc.h"

static uint64 arg_raw(int n) { return myproc()->tf.regs[REG_A0 + n]; }

int arg_int(int n) { return (int)arg_raw(n); }
uint64 arg_addr(int n) { return arg_raw(n); }
uint64 arg_u64(int n) { return arg_raw(n); }

int arg_str(int n, char *buf, int max) { return copyinstr(myproc()->as, buf, arg_raw(n), max); }
