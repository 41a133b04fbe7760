/*
 * printf() and fprintf(), with the kernel's formats (kernel/lib/format.h:
 * the user library compiles the same formatter, user/lib/format.c).
 *
 * Output is collected in a buffer and written with a single write() at the
 * end, so lines printed by different processes do not get mixed up. Only
 * output longer than the buffer needs more than one write().
 */
#include <stdarg.h>

#include "kernel/types.h"
#include "kernel/lib/format.h"
#include "user/user.h"

#define OUTPUT_BUFFER_SIZE 512

struct output {
  int fd;
  int len;
  char data[OUTPUT_BUFFER_SIZE];
};

static void flush(struct output *out) {
  if (out->len > 0)
    write(out->fd, out->data, out->len);
  out->len = 0;
}

static void put_char(void *arg, char c) {
  struct output *out = arg;
  if (out->len == OUTPUT_BUFFER_SIZE)
    flush(out);
  out->data[out->len++] = c;
}

/* Format into a buffer on the stack and write it to fd. */
static void print_to(int fd, const char *fmt, va_list *ap) {
  struct output out; /* only fd and len need setting; data[] is filled as used */
  out.fd = fd;
  out.len = 0;
  printf_format(put_char, &out, fmt, ap);
  flush(&out);
}

void fprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  print_to(fd, fmt, &ap);
  va_end(ap);
}

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  print_to(1, fmt, &ap);
  va_end(ap);
}
