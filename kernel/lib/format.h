/*
 * The formatter behind both printfs, the kernel's (lib/printf.c) and the
 * user library's (user/lib/printf.c), so that the two accept exactly the
 * same formats:
 *
 *   %d %i %u %x %p %s %c %%, the size prefixes l and ll, a field width
 *   (digits, or * to take it from the arguments, where a negative width
 *   means left-align), and the flags 0 (pad numbers with zeros, after the
 *   sign) and - (left-align: pad on the right).
 *
 * It needs nothing but <stdarg.h>: the user library compiles it too
 * (user/lib/format.c).
 */
#ifndef RIVET_FORMAT_H
#define RIVET_FORMAT_H

#include <stdarg.h>
#include "kernel/types.h"

/* Where formatted characters go, one at a time. */
typedef void (*format_sink)(void *arg, char c);

/* Format fmt with the arguments in *ap, handing each character to
 * sink(arg, c). Takes the va_list by pointer so that it advances the
 * caller's list. */
void printf_format(format_sink sink, void *arg, const char *fmt, va_list *ap);

#endif
