/*
 * THE system call table. Every system call appears here once, as
 *   SYSCALL(number, name)
 * or, when its user stub has another name than the call,
 *   SYSCALL_STUB(number, name, stub)
 * The kernel includes this file to build its dispatch table (trap/syscall.c),
 * user/lib/usys.S to generate one user stub per call, and kernel/syscall.h
 * to give user programs xv6's SYS_name numbers, so the numbers cannot
 * drift apart. Numbers 1-21 are xv6's, with xv6's current names.
 *
 * To add a system call: add a line here, write `uint64 sys_NAME(void)` in
 * kernel/sys/, and declare the user prototype in user/user.h.
 */
#ifndef SYSCALL_STUB
#define SYSCALL_STUB(num, name, stub) SYSCALL(num, name)
#define SYSCALLS_H_DEFAULT_STUB
#endif

SYSCALL(1, fork)
SYSCALL(2, exit)
SYSCALL(3, wait)
SYSCALL(4, pipe)
SYSCALL(5, read)
SYSCALL(6, kill)
SYSCALL(7, exec)
SYSCALL(8, fstat)
SYSCALL(9, chdir)
SYSCALL(10, dup)
SYSCALL(11, getpid)
/* As in xv6, the stub is sys_sbrk(n, SBRK_EAGER or SBRK_LAZY) (kernel/vm.h);
 * the C library's sbrk() and sbrklazy() call it. */
SYSCALL_STUB(12, sbrk, sys_sbrk)
SYSCALL(13, pause) /* xv6's sleep(ticks), renamed; the C library keeps sleep() */
SYSCALL(14, uptime)
SYSCALL(15, open)
SYSCALL(16, write)
SYSCALL(17, mknod)
SYSCALL(18, unlink)
SYSCALL(19, link)
SYSCALL(20, mkdir)
SYSCALL(21, close)
SYSCALL(22, waitpid)
SYSCALL(23, getppid)
SYSCALL(24, suspend)
SYSCALL(25, resume)
SYSCALL(26, procinfo)
SYSCALL(27, getprocs)
SYSCALL(28, sysinfo)
SYSCALL(29, lseek)
SYSCALL(30, fsync)
SYSCALL(31, poweroff)
SYSCALL(32, uptime_ns)
SYSCALL(33, dup2)
SYSCALL(34, failctl)
SYSCALL(35, staterec)
SYSCALL(36, sync)
SYSCALL(37, trace)
SYSCALL(38, sigalarm)
SYSCALL(39, sigreturn)

#ifdef SYSCALLS_H_DEFAULT_STUB
#undef SYSCALL_STUB
#undef SYSCALLS_H_DEFAULT_STUB
#endif
