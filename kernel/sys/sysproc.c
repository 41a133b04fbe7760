/* System calls about processes, time and the machine. */
#include "kernel/sys/syscall.h"
#include "kernel/trap/task.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/fs.h"
#include "kernel/arch/arch.h"
#include "kernel/dev/dev.h"
#include "kernel/exec/exec.h"
#include "kernel/errno.h"
#include "kernel/vm.h"
#include "kernel/lib/lib.h"
#include "kernel/lib/failpoint.h"

uint64 sys_exit(void) { task_exit(arg_int(0)); }

uint64 sys_fork(void) { return task_fork(); }

static uint64 wait_and_report(int pid, uint64 status_addr, int options) {
  int status = 0;
  int got = proc_wait(pid, &status, options);
  if (got > 0 && status_addr && copyout(myproc()->as, status_addr, &status, sizeof status) < 0)
    return -EFAULT;
  return got;
}

uint64 sys_wait(void) { return wait_and_report(-1, arg_addr(0), 0); }

uint64 sys_waitpid(void) {
  int pid = arg_int(0), options = arg_int(2);
  if (pid < -1 || pid == 0 || (options & ~WNOHANG))
    return -EINVAL;
  return wait_and_report(pid, arg_addr(1), options);
}

uint64 sys_kill(void) { return proc_kill(arg_int(0)); }
uint64 sys_suspend(void) { return proc_suspend(arg_int(0)); }
uint64 sys_resume(void) { return proc_resume(arg_int(0)); }
uint64 sys_getpid(void) { return myproc()->pid; }

uint64 sys_getppid(void) {
  struct procinfo info;
  return proc_info(myproc()->pid, &info) < 0 ? 0 : info.ppid;
}

uint64 sys_sbrk(void) {
  int kind = arg_int(1);
  if (kind != SBRK_EAGER && kind != SBRK_LAZY)
    return -EINVAL;
  return as_sbrk(myproc()->as, arg_int(0), kind == SBRK_LAZY);
}

uint64 sys_pause(void) {
  int ticks = arg_int(0);
  if (ticks < 0)
    return -EINVAL;
  proc_sleep_until(clock_ns() + (uint64)ticks * TICK_NS);
  return proc_killed(myproc()) ? -EINTR : 0;
}

uint64 sys_uptime(void) { return clock_ns() / TICK_NS; }
uint64 sys_uptime_ns(void) { return clock_ns(); }

uint64 sys_procinfo(void) {
  struct procinfo info;
  int err = proc_info(arg_int(0), &info);
  if (err < 0)
    return err;
  return copyout(myproc()->as, arg_addr(1), &info, sizeof info);
}

uint64 sys_getprocs(void) {
  int max = arg_int(1), n = 0;
  if (max < 0)
    return -EINVAL;
  for (int slot = 0; slot < NPROC; slot++) {
    struct procinfo info;
    if (proc_info_at(slot, &info) < 0)
      continue;
    if (n < max && copyout(myproc()->as, arg_addr(0) + n * sizeof info, &info, sizeof info) < 0)
      return -EFAULT;
    n++;
  }
  return n;
}

/* Trace the system calls of the caller (and of the children it forks
 * from now on) whose bits are set in the mask: the dispatcher,
 * kernel/trap/syscall.c, reports them. */
uint64 sys_trace(void) {
  // LAB syscall: trace
  myproc()->trace_mask = arg_u64(0);
  return 0;
  // END LAB syscall
}

uint64 sys_sysinfo(void) {
  struct sysinfo info = {
      // LAB syscall: sysinfo
      .freemem = commit_available_bytes(),
      .nproc = proc_count(),
      // END LAB syscall
      .totalmem = kalloc_total_bytes(),
      .ncpu = ncpu,
      .uptime_ns = clock_ns(),
  };
  return copyout(myproc()->as, arg_addr(0), &info, sizeof info);
}

uint64 sys_poweroff(void) {
  log_force(); /* a clean shutdown: what was written is on disk */
  printf("poweroff: status %d\n", arg_int(0) & POWER_STATUS_MASK);
  power_off(arg_int(0));
}

uint64 sys_exec(void) {
  char path[MAXPATH];
  int err = arg_str(0, path, sizeof path);
  if (err < 0)
    return err;
  return exec(path, arg_addr(1));
}

/* Fault injection control (kernel/failinject.h). The report is copied with
 * the failpoints as they are: while armed, that copy may itself fail. */
uint64 sys_failctl(void) {
  int cmd = arg_int(0);
  if (cmd == FAILCTL_ARM)
    return fail_arm() < 0 ? -EINVAL : 0;
  if (cmd == FAILCTL_DISARM) {
    fail_disarm();
    return 0;
  }
  if (cmd != FAILCTL_REPORT)
    return -EINVAL;
  struct fail_report report;
  fail_get_report(&report);
  return copyout(myproc()->as, arg_addr(1), &report, sizeof report);
}
