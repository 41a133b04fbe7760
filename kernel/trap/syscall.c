/*
 * System-call dispatch: the step of the trap path between entry (trap.c)
 * and return (task.c) for an ecall. The table is generated from
 * kernel/syscalls.h, the same file that generates the user stubs; the
 * handlers live in kernel/sys/, the layer above, which fetches the
 * arguments (sys/syscall.h).
 */
#include "kernel/trap/trap.h"
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define SYSCALL(num, name) uint64 sys_##name(void);
#include "kernel/syscalls.h"
#undef SYSCALL

#define SYSCALL(num, name) [num] = sys_##name,
static uint64 (*const handlers[])(void) = {
#include "kernel/syscalls.h"
};
#undef SYSCALL

// LAB syscall: trace-report
/* The tracer (system call trace): one bit of a 64-bit mask per call. */
_Static_assert(ARRAY_SIZE(handlers) <= 64, "trace's mask has one bit per system call");

#define SYSCALL(num, name) [num] = #name,
static const char *const names[] = {
#include "kernel/syscalls.h"
};
#undef SYSCALL

/* The calls of a traced process (mask not 0) come here, off the common
 * path (not inlined, so an untraced call pays one test): a call whose bit
 * is set when it is made prints one line when it returns,
 * "PID: syscall NAME -> RESULT". */
__attribute__((noinline)) static void dispatch_traced(struct proc *p, uint64 num) {
  int traced = p->trace_mask >> num & 1;
  p->tf.regs[REG_A0] = handlers[num]();
  if (traced)
    printf("%d: syscall %s -> %ld\n", p->pid, names[num], (int64)p->tf.regs[REG_A0]);
}
// END LAB syscall

void syscall_dispatch(void) {
  struct proc *p = myproc();
  uint64 num = p->tf.regs[REG_A7];
  if (num < ARRAY_SIZE(handlers) && handlers[num]) {
    // LAB syscall: trace-call
    if (p->trace_mask) {
      dispatch_traced(p, num);
      return;
    }
    // END LAB syscall
    p->tf.regs[REG_A0] = handlers[num]();
  } else {
    printf("pid %d (%s): unknown system call %ld\n", p->pid, p->name, num);
    p->tf.regs[REG_A0] = -ENOSYS;
  }
}
