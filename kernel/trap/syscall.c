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

void syscall_dispatch(void) {
  struct proc *p = myproc();
  uint64 num = p->tf.regs[REG_A7];
  if (num < ARRAY_SIZE(handlers) && handlers[num]) {
    p->tf.regs[REG_A0] = handlers[num]();
  } else {
    printf("pid %d (%s): unknown system call %ld\n", p->pid, p->name, num);
    p->tf.regs[REG_A0] = -ENOSYS;
  }
}
