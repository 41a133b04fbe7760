/* The one printf formatter; see format.h for the formats it accepts. */
#include "kernel/lib/format.h"

#define HEX_DIGITS "0123456789abcdef"
#define POINTER_HEX_DIGITS (2 * (int)sizeof(void *))
#define MAX_NUMBER_DIGITS 24 /* enough for any 64-bit value in base 8 or up */

/* A sink and its argument. */
struct output {
  format_sink sink;
  void *arg;
};

/* What the characters between '%' and the conversion letter asked for. */
struct conversion {
  int left_align; /* '-' */
  int zero_pad;   /* '0' */
  int width;      /* minimum field width, 0 if none */
  int longs;      /* number of 'l' prefixes: 0, 1 or 2 */
};

static int length(const char *s) {
  int n = 0;
  while (s[n])
    n++;
  return n;
}

static void put_repeated(const struct output *out, char c, int count) {
  for (int i = 0; i < count; i++)
    out->sink(out->arg, c);
}

/* Write the field: prefix (a sign or "0x"), then body, within the requested
 * width. Zero padding goes between prefix and body, so that -42 in %05d is
 * "-0042"; space padding goes outside both. */
static void put_field(const struct output *out, const struct conversion *conv, const char *prefix,
                      const char *body, int body_len) {
  int padding = conv->width - length(prefix) - body_len;
  if (padding < 0)
    padding = 0;
  if (!conv->left_align && !conv->zero_pad)
    put_repeated(out, ' ', padding);
  for (; *prefix; prefix++)
    out->sink(out->arg, *prefix);
  if (!conv->left_align && conv->zero_pad)
    put_repeated(out, '0', padding);
  for (int i = 0; i < body_len; i++)
    out->sink(out->arg, body[i]);
  if (conv->left_align)
    put_repeated(out, ' ', padding);
}

/* value in base, with at least min_digits digits. */
static void put_number(const struct output *out, const struct conversion *conv, uint64 value,
                       int base, int min_digits, const char *prefix) {
  char digits[MAX_NUMBER_DIGITS];
  int start = MAX_NUMBER_DIGITS;
  do { /* from the right end of the array backwards */
    digits[--start] = HEX_DIGITS[value % base];
    value /= base;
  } while (value != 0);
  while (MAX_NUMBER_DIGITS - start < min_digits)
    digits[--start] = '0';
  put_field(out, conv, prefix, digits + start, MAX_NUMBER_DIGITS - start);
}

static void put_signed(const struct output *out, const struct conversion *conv, int64 value) {
  /* Negate as unsigned: -value overflows for the most negative number. */
  if (value < 0)
    put_number(out, conv, -(uint64)value, 10, 1, "-");
  else
    put_number(out, conv, value, 10, 1, "");
}

/* Read the flags, width and size prefixes at p; returns the conversion
 * letter's position. */
static const char *parse_conversion(const char *p, struct conversion *conv, va_list *ap) {
  *conv = (struct conversion){0};
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
    if (conv->width < 0) {
      conv->left_align = 1;
      conv->width = -conv->width;
    }
    p++;
  }
  for (; *p >= '0' && *p <= '9'; p++)
    conv->width = conv->width * 10 + (*p - '0');
  for (; *p == 'l'; p++)
    conv->longs++;
  return p;
}

/* long and long long are both 64 bits on RV64. */
static int64 next_signed(va_list *ap, int longs) {
  return longs > 0 ? va_arg(*ap, int64) : va_arg(*ap, int);
}

static uint64 next_unsigned(va_list *ap, int longs) {
  return longs > 0 ? va_arg(*ap, uint64) : va_arg(*ap, uint);
}

void printf_format(format_sink sink, void *arg, const char *fmt, va_list *ap) {
  const struct output out = {sink, arg};
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      sink(arg, *p);
      continue;
    }
    struct conversion conv;
    p = parse_conversion(p + 1, &conv, ap);
    switch (*p) {
    case 'd':
    case 'i':
      put_signed(&out, &conv, next_signed(ap, conv.longs));
      break;
    case 'u':
      put_number(&out, &conv, next_unsigned(ap, conv.longs), 10, 1, "");
      break;
    case 'x':
      put_number(&out, &conv, next_unsigned(ap, conv.longs), 16, 1, "");
      break;
    case 'p':
      put_number(&out, &conv, (uint64)va_arg(*ap, void *), 16, POINTER_HEX_DIGITS, "0x");
      break;
    case 's': {
      const char *s = va_arg(*ap, const char *);
      if (s == 0)
        s = "(null)";
      conv.zero_pad = 0;
      put_field(&out, &conv, "", s, length(s));
      break;
    }
    case 'c': {
      char c = (char)va_arg(*ap, int);
      conv.zero_pad = 0;
      put_field(&out, &conv, "", &c, 1);
      break;
    }
    case '%':
      sink(arg, '%');
      break;
    case 0:
      return; /* the format ended in the middle of a conversion */
    default:
      sink(arg, '%'); /* unknown: show it as written, so the mistake is visible */
      sink(arg, *p);
    }
  }
}
