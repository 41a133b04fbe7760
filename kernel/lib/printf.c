/*
 * Kernel formatted output. Each printf formats its whole message into a
 * buffer first and then writes it under print_lock, so messages from
 * different harts never interleave. print_lock is a bare lock with
 * interrupts off (not a sync spinlock) so that lib stays below sync; it
 * holds the owning cpu's index + 1, so a panic can tell whether its own
 * cpu holds it. The formats are format.c's, shared with the user library.
 */
#include <stdarg.h>
#include "kernel/lib/lib.h"
#include "kernel/lib/format.h"
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

static void put(void *arg, char c) {
  struct outbuf *o = arg;
  if (o->len < o->size - 1)
    o->buf[o->len] = c;
  o->len++;
}

/* Format into buf (NUL-terminated, cut to size); returns the full length. */
static int vformat(char *buf, int size, const char *fmt, va_list ap) {
  struct outbuf o = {buf, size, 0};
  va_list copy;
  va_copy(copy, ap);
  printf_format(put, &o, fmt, &copy);
  va_end(copy);
  if (size > 0)
    buf[o.len < size ? o.len : size - 1] = 0;
  return o.len;
}

/* Nonzero names a cpu in print_lock and panicking: its index + 1. */
static uint this_cpu_tag(void) { return mycpu()->index + 1; }

/* The panicking cpu owns the console for good: its report never waits. */
int panicking_here(void) { return panicking == (int)this_cpu_tag(); }

static void lock_print(int *was_on) {
  *was_on = intr_get();
  intr_off();
  if (panicking_here())
    return;
  while (!__sync_bool_compare_and_swap(&print_lock, 0, this_cpu_tag()))
    ;
}

static void unlock_print(int was_on) {
  if (!panicking_here())
    __sync_lock_release(&print_lock);
  if (was_on)
    intr_on();
}

void printf_write(const char *s, int n) {
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
  printf_write(buf, MIN(n, PRINT_BUF_SIZE - 1));
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
    if (owner == this_cpu_tag())
      return;
    if (owner == 0 && __sync_bool_compare_and_swap(&print_lock, 0, this_cpu_tag()))
      return;
  }
  print_lock = this_cpu_tag();
}

void panic(const char *fmt, ...) {
  char buf[PRINT_BUF_SIZE];
  va_list ap;
  intr_off();
  if (!__sync_bool_compare_and_swap(&panicking, 0, (int)this_cpu_tag())) {
    if (panicking_here())
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
