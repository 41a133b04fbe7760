/*
 * THE system call table. Every system call appears here once, as
 *   SYSCALL(number, name)
 * The kernel includes this file to build its dispatch table (sys/syscall.c)
 * and user/usys.S includes it to generate one user stub per call, so the
 * numbers cannot drift apart. Numbers 1-21 are xv6's.
 *
 * To add a system call: add a line here, write `uint64 sys_NAME(void)` in
 * kernel/sys/, and declare the user prototype in user/user.h.
 */
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
SYSCALL(12, sbrk)
SYSCALL(13, sleep)
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
SYSCALL(34, sync)
