/*
 * printf() and fprintf().
 *
 * Supported: %d %i %u %x %p %s %c %%, the size prefixes l and ll, a field
 * width (digits, or '*' to take it from the arguments), and the flags '0'
 * (pad numbers with zeros) and '-' (left-align).
 *
 * Output is collected in a buffer and written with a single write() at the
 * end, so lines printed by different processes do not get mixed up. Only
 * output longer than the buffer needs more than one write().
 */
#include <stdarg.h>

#include "kernel/types.h"
#include "user/user.h"

#define OUTPUT_BUFFER_SIZE 512
#define HEX_DIGITS "0123456789abcdef"
#define POINTER_HEX_DIGITS (2 * (int)sizeof(void *))
#define MAX_NUMBER_DIGITS 24 /* enough for any 64-bit value in base 8 or up */

struct output {
  int fd;
  int len;
  char data[OUTPUT_BUFFER_SIZE];
};

/* What the characters between '%' and the conversion letter asked for. */
struct conversion {
  int left_align; /* '-' */
  int zero_pad;   /* '0' */
  int width;      /* minimum field width, 0 if none */
  int longs;      /* number of 'l' prefixes: 0, 1 or 2 */
};

static void
flush(struct output *out)
{
  if (out->len > 0)
    write(out->fd, out->data, out->len);
  out->len = 0;
}

static void
put_char(struct output *out, char c)
{
  if (out->len == OUTPUT_BUFFER_SIZE)
    flush(out);
  out->data[out->len++] = c;
}

static void
put_repeated(struct output *out, char c, int count)
{
  for (int i = 0; i < count; i++)
    put_char(out, c);
}

/*
 * Writes the field: prefix (a sign or "0x"), then body, within the
 * requested width. Zero padding goes between prefix and body so that
 * "-0042" comes out right; space padding goes outside both.
 */
static void
put_field(struct output *out, const struct conversion *conv,
          const char *prefix, const char *body, int body_len)
{
  int padding = conv->width - (int)strlen(prefix) - body_len;
  if (padding < 0)
    padding = 0;

  if (!conv->left_align && !conv->zero_pad)
    put_repeated(out, ' ', padding);
  for (; *prefix != 0; prefix++)
    put_char(out, *prefix);
  if (!conv->left_align && conv->zero_pad)
    put_repeated(out, '0', padding);
  for (int i = 0; i < body_len; i++)
    put_char(out, body[i]);
  if (conv->left_align)
    put_repeated(out, ' ', padding);
}

/* Formats value in base with at least min_digits digits. */
static void
put_number(struct output *out, const struct conversion *conv,
           uint64 value, int base, int min_digits, const char *prefix)
{
  char digits[MAX_NUMBER_DIGITS];
  int start = MAX_NUMBER_DIGITS;

  // Produce the digits from the right end of the array backwards.
  do {
    digits[--start] = HEX_DIGITS[value % base];
    value /= base;
  } while (value != 0);
  while (MAX_NUMBER_DIGITS - start < min_digits)
    digits[--start] = '0';

  put_field(out, conv, prefix, digits + start, MAX_NUMBER_DIGITS - start);
}

static void
put_signed(struct output *out, const struct conversion *conv, int64 value)
{
  // Negate as unsigned: -value overflows for the most negative number.
  if (value < 0)
    put_number(out, conv, -(uint64)value, 10, 1, "-");
  else
    put_number(out, conv, value, 10, 1, "");
}

/*
 * Functions here take a va_list by pointer so that the va_arg() calls they
 * make advance the caller's list too (C requires this when one va_list is
 * shared between functions).
 */

/* Reads flags, width and size prefixes; returns the conversion letter's
 * position. A width of '*' is taken from the arguments. */
static const char *
parse_conversion(const char *p, struct conversion *conv, va_list *ap)
{
  memset(conv, 0, sizeof(*conv));
  for (;; p++) {
    if (*p == '-')
      conv->left_align = 1;
    else if (*p == '0')
      conv->zero_pad = 1;
    else
      break;
  }
  if (*p == '*') {
    conv->width = va_arg(*ap, int);
    if (conv->width < 0) { // a negative width means left-aligned
      conv->left_align = 1;
      conv->width = -conv->width;
    }
    p++;
  }
  for (; isdigit(*p); p++)
    conv->width = conv->width * 10 + (*p - '0');
  for (; *p == 'l'; p++)
    conv->longs++;
  return p;
}

static int64
next_signed(va_list *ap, int longs)
{
  if (longs > 0)
    return va_arg(*ap, long); // long and long long are both 64 bits here
  return va_arg(*ap, int);
}

static uint64
next_unsigned(va_list *ap, int longs)
{
  if (longs > 0)
    return va_arg(*ap, unsigned long);
  return va_arg(*ap, unsigned int);
}

static void
format(struct output *out, const char *fmt, va_list *ap)
{
  for (const char *p = fmt; *p != 0; p++) {
    if (*p != '%') {
      put_char(out, *p);
      continue;
    }

    struct conversion conv;
    p = parse_conversion(p + 1, &conv, ap);
    switch (*p) {
    case 'd':
    case 'i':
      put_signed(out, &conv, next_signed(ap, conv.longs));
      break;
    case 'u':
      put_number(out, &conv, next_unsigned(ap, conv.longs), 10, 1, "");
      break;
    case 'x':
      put_number(out, &conv, next_unsigned(ap, conv.longs), 16, 1, "");
      break;
    case 'p':
      put_number(out, &conv, (uint64)va_arg(*ap, void *), 16,
                 POINTER_HEX_DIGITS, "0x");
      break;
    case 's': {
      const char *s = va_arg(*ap, const char *);
      if (s == 0)
        s = "(null)";
      conv.zero_pad = 0;
      put_field(out, &conv, "", s, strlen(s));
      break;
    }
    case 'c': {
      char c = (char)va_arg(*ap, int);
      conv.zero_pad = 0;
      put_field(out, &conv, "", &c, 1);
      break;
    }
    case '%':
      put_char(out, '%');
      break;
    case 0:
      // The format ended in the middle of a conversion.
      return;
    default:
      // Unknown conversion: show it as written so the mistake is visible.
      put_char(out, '%');
      put_char(out, *p);
      break;
    }
  }
}

/* Formats into a buffer on the stack and writes it to fd. */
static void
print_to(int fd, const char *fmt, va_list *ap)
{
  struct output out; // only fd and len need setting; data[] is filled as used

  out.fd = fd;
  out.len = 0;
  format(&out, fmt, ap);
  flush(&out);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  print_to(fd, fmt, &ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  print_to(1, fmt, &ap);
  va_end(ap);
}
