/*
 * User-side system call stubs, one per line of kernel/syscalls.h.
 *
 * Each stub puts the call number in a7 and traps with ecall; the arguments
 * are already in a0..a5 because the C calling convention put them there.
 * The kernel answers in a0: a negative value is -errno. The stub then
 * stores the positive code in errno and returns -1, the value xv6 programs
 * test for. Anything else is returned unchanged.
 *
 * The macro is one logical line, so its statements are separated with ';'.
 */

#define SYSCALL(num, name) SYSCALL_STUB(num, name, name)
#define SYSCALL_STUB(num, name, stub) \
  .global stub;                 \
  .type stub, @function;        \
  stub:                         \
  li a7, num;                   \
  ecall;                        \
  bltz a0, syscall_failed;      \
  ret;                          \
  .size stub, . - stub;

.text

#include "kernel/syscalls.h"

/* sbrk(n) and sbrklazy(n): sys_sbrk(n, SBRK_EAGER or SBRK_LAZY), as in
 * xv6's ulib.c; written here so that they cost no stack frame. */
#include "kernel/vm.h"

.global sbrk
.type sbrk, @function
sbrk:
  li a1, SBRK_EAGER
  j sys_sbrk
.size sbrk, . - sbrk

.global sbrklazy
.type sbrklazy, @function
sbrklazy:
  li a1, SBRK_LAZY
  j sys_sbrk
.size sbrklazy, . - sbrklazy

/* Shared failure path: errno = -a0; return -1. */
.type syscall_failed, @function
syscall_failed:
  neg a0, a0
  lla t0, errno
  sw a0, 0(t0)
  li a0, -1
  ret
.size syscall_failed, . - syscall_failed
