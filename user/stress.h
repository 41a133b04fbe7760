/*
 * Reporting and the leak check shared by the in-guest stress programs
 * (elffuzz, sysfuzz, soak), which run for a long while and must leave free
 * memory where they found it.
 *
 * Before including this file, a program defines
 *   STRESS_PROGRAM  its name, as its output lines start: "soak"
 *   PAGE_SIZE       the page size, to count what leaked in pages
 */
#ifndef RIVET_USER_STRESS_H
#define RIVET_USER_STRESS_H

#include "kernel/types.h"
#include "user/user.h"
#include "user/check.h"

#ifndef STRESS_PROGRAM
#error "define STRESS_PROGRAM (the program's name) before including user/stress.h"
#endif

/* How long free memory may take to come back once the run is over: exits
 * finish asynchronously. */
#define MEMORY_SETTLE_MS 2000

/* The failure line; errno names the cause when a system call failed. */
static inline void __attribute__((noreturn))
fail(const char *what)
{
  printf(STRESS_PROGRAM ": FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
  exit(1);
}

/* Memory nobody has been promised (see user/subtest.h's memory_mark). */
static inline uint64
memory_mark(void)
{
  struct sysinfo si;
  if (sysinfo(&si) < 0)
    fail("sysinfo");
  return si.freemem; /* our own pages were promised at exec: first touches do not change it */
}

/* The memory mark after the run: waits up to MEMORY_SETTLE_MS for it to
 * come back to `before`, and returns it, back or not. */
static inline uint64
memory_after_settling(uint64 before)
{
  uint64 after = memory_mark();
  for (uint64 deadline = now_ms() + MEMORY_SETTLE_MS; after != before && now_ms() < deadline;) {
    sleep(1);
    after = memory_mark();
  }
  return after;
}

/* Pages of memory not returned: the mark went from before to after. */
static inline long
pages_leaked(uint64 before, uint64 after)
{
  return ((long)before - (long)after) / (long)PAGE_SIZE;
}

/* Fails unless the memory mark is back where it was before the run. */
static inline void
check_memory_returned(uint64 before, uint64 after)
{
  if (before == 0) /* the syscall lab's handout, before the student's sysinfo */
    printf(STRESS_PROGRAM ": note: sysinfo reports no free memory, so the leak check cannot fail\n");
  if (after != before) {
    printf(STRESS_PROGRAM ": FAIL free memory after the run is %lu bytes, want %lu (as before "
           "it): %ld pages not returned\n", after, before, pages_leaked(before, after));
    exit(1);
  }
}

#endif
