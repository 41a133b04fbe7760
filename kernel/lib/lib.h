/*
 * lib: freestanding helpers every subsystem may use: formatted console
 * output, panic, and the string/memory functions. It depends only on arch
 * (printf.c asks which cpu prints; backtraces read the frame pointer) and
 * on two hooks set at boot: where console output goes (the UART driver)
 * and how a panic powers off.
 */
#ifndef RIVET_LIB_H
#define RIVET_LIB_H

#include "kernel/types.h"

#define PANIC_EXIT_STATUS 101 /* QEMU exit status after any kernel panic */

/* Read x once from memory, even in a loop: for flags other harts set. */
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((uint64)(a) - 1))
#define ROUNDDOWN(x, a) ((x) & ~((uint64)(a) - 1))

/* printf: the formats of kernel/lib/format.h (%d %i %u %x %p %s %c %%, l/ll,
 * widths with 0, - and *), the same as the user library's. Whole lines from
 * different harts never interleave: each call formats into a buffer, then
 * prints it under the print lock. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Where printf's bytes go: SBI's legacy putchar until the UART is up. */
void printf_set_output(void (*putc)(int c));
void printf_write(const char *s, int n); /* n bytes as they are, under the print lock */

/* Set by panic() to the panicking cpu's index + 1 (0: no panic): other
 * cpus stop at their next trap. panicking_here: is this cpu the one? */
extern volatile int panicking;
int panicking_here(void);

/* Called by panic to stop the machine; kmain sets it to the power-off
 * driver (dev), which lib cannot call directly. */
void lib_set_poweroff(void (*poweroff)(int status));

void *memset(void *dst, int c, uint64 n);
void *memmove(void *dst, const void *src, uint64 n);
void *memcpy(void *dst, const void *src, uint64 n);
int strlen(const char *s);
int strncmp(const char *a, const char *b, uint64 n);
int strcmp(const char *a, const char *b);
/* The rest of s after prefix, or 0 if s does not begin with prefix:
 * boot arguments are "name=value" words. */
const char *after_prefix(const char *s, const char *prefix);
/* Copy at most n - 1 bytes of src and always NUL-terminate (unlike strncpy). */
char *safestrcpy(char *dst, const char *src, int n);

/* Print a backtrace of the current kernel stack by following frame pointers. */
void backtrace(uint64 fp);

#endif
