/*
 * Kernel formatted output. Each printf formats its whole message into a
 * buffer first and then writes it under print_lock, so messages from
 * different harts never interleave. print_lock is a bare lock with
 * interrupts off (not a sync spinlock) so that lib stays below sync; it
 * holds the owning hart's index + 1, so a panic can tell whether its own
 * hart holds it.
 */
#include <stdarg.h>
#include "kernel/lib/lib.h"
#include "kernel/arch/arch.h"

#define PRINT_BUF_SIZE 512
/* How many times a panic looks at the print lock before it takes the lock
 * over from another hart: tens of milliseconds, time enough for any hart to
 * finish a line, while a hart that never lets go (it faulted too) cannot
 * stop the report. */
#define PANIC_LOCK_TRIES 10000000L

volatile int panicking;

static void (*console_putc)(int c);
static void (*poweroff_hook)(int status);
static volatile uint print_lock;

void printf_set_output(void (*putc)(int c)) { console_putc = putc; }
void lib_set_poweroff(void (*poweroff)(int status)) { poweroff_hook = poweroff; }

/* An output buffer that silently drops what does not fit. */
struct outbuf {
  char *buf;
  int size, len;
};

static void put(struct outbuf *o, char c) {
  if (o->len < o->size - 1)
    o->buf[o->len] = c;
  o->len++;
}

static void put_number(struct outbuf *o, uint64 x, int base, int is_signed, int width, char pad) {
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int n = 0, negative = is_signed && (int64)x < 0;
  if (negative)
    x = -(int64)x;
  do {
    tmp[n++] = digits[x % base];
    x /= base;
  } while (x);
  /* "-0005", not "000-5": with zero padding the sign goes first. */
  if (negative && pad == '0') {
    put(o, '-');
    width--;
  } else if (negative) {
    tmp[n++] = '-';
  }
  for (int i = n; i < width; i++)
    put(o, pad);
  while (n)
    put(o, tmp[--n]);
}

static int vformat(char *buf, int size, const char *fmt, va_list ap) {
  struct outbuf o = {buf, size, 0};
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0')
      pad = '0';
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l')
      longs++, fmt++;
    switch (*fmt) {
    case 'd':
      put_number(&o, longs ? va_arg(ap, int64) : va_arg(ap, int), 10, 1, width, pad);
      break;
    case 'u':
      put_number(&o, longs ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0, width, pad);
      break;
    case 'x':
      put_number(&o, longs ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0, width, pad);
      break;
    case 'p':
      put(&o, '0');
      put(&o, 'x');
      put_number(&o, va_arg(ap, uint64), 16, 0, 16, '0');
      break;
    case 'c':
      put(&o, va_arg(ap, int));
      break;
    case 's': { /* a width pads on the right: columns of names */
      const char *s = va_arg(ap, const char *);
      int n = 0;
      for (s = s ? s : "(null)"; *s; s++, n++)
        put(&o, *s);
      for (; n < width; n++)
        put(&o, ' ');
      break;
    }
    case '%':
      put(&o, '%');
      break;
    case 0:
      fmt--;
      break;
    default:
      put(&o, '%');
      put(&o, *fmt);
    }
  }
  if (size > 0)
    buf[o.len < size ? o.len : size - 1] = 0;
  return o.len;
}

static uint this_hart_tag(void) { return mycpu()->index + 1; }

/* The panicking hart owns the console for good: its report never waits. */
static int reporting_panic(void) { return panicking == (int)this_hart_tag(); }

static void lock_print(int *was_on) {
  *was_on = intr_get();
  intr_off();
  if (reporting_panic())
    return;
  while (!__sync_bool_compare_and_swap(&print_lock, 0, this_hart_tag()))
    ;
}

static void unlock_print(int was_on) {
  if (!reporting_panic())
    __sync_lock_release(&print_lock);
  if (was_on)
    intr_on();
}

void console_write_raw(const char *s, int n) {
  int was_on;
  lock_print(&was_on);
  for (int i = 0; i < n; i++)
    if (console_putc)
      console_putc(s[i]);
  unlock_print(was_on);
}

void printf(const char *fmt, ...) {
  char buf[PRINT_BUF_SIZE];
  va_list ap;
  va_start(ap, fmt);
  int n = vformat(buf, sizeof buf, fmt, ap);
  va_end(ap);
  console_write_raw(buf, MIN(n, PRINT_BUF_SIZE - 1));
}

void backtrace(uint64 fp) {
  printf("backtrace:\n");
  // LAB traps: backtrace
  /* Each frame stores the return address at fp-8 and the caller's fp at
   * fp-16. Stop at a null or misaligned fp, or after a sane depth. */
  for (int depth = 0; fp && (fp & 7) == 0 && depth < 32; depth++) {
    uint64 ra = *(uint64 *)(fp - 8);
    uint64 prev = *(uint64 *)(fp - 16);
    if (ra == 0)
      break;
    printf("  0x%lx\n", ra);
    if (prev <= fp && prev != 0)
      break; /* stacks grow down: the caller's frame is above */
    fp = prev;
  }
  // END LAB traps
}

static void __attribute__((noreturn)) power_off_after_panic(void) {
  if (poweroff_hook)
    poweroff_hook(PANIC_EXIT_STATUS);
  for (;;)
    wfi();
}

/* Take the print lock for the rest of the panic without waiting forever:
 * this hart may hold it already (it faulted in the middle of a printf),
 * or another hart may hold it and never let go. Otherwise wait a little,
 * so that a line another hart is printing ends before the report. */
static void seize_print_lock(void) {
  for (long tries = 0; tries < PANIC_LOCK_TRIES; tries++) {
    uint owner = print_lock;
    if (owner == this_hart_tag())
      return;
    if (owner == 0 && __sync_bool_compare_and_swap(&print_lock, 0, this_hart_tag()))
      return;
  }
  print_lock = this_hart_tag();
}

void panic(const char *fmt, ...) {
  char buf[PRINT_BUF_SIZE];
  va_list ap;
  intr_off();
  if (!__sync_bool_compare_and_swap(&panicking, 0, (int)this_hart_tag())) {
    if (reporting_panic())
      power_off_after_panic(); /* panic within the panic: the report is what it is */
    for (;;)
      wfi(); /* another hart reports its panic and powers off */
  }
  va_start(ap, fmt);
  vformat(buf, sizeof buf, fmt, ap);
  va_end(ap);
  seize_print_lock();
  printf("panic: %s\n", buf);
  backtrace(read_fp());
  power_off_after_panic();
}
