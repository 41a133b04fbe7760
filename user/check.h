/*
 * Helpers shared by Rivet's in-guest test programs (proctest, exectest,
 * bench, and the fuzzers' clocks): one copy of the failure macros and of
 * the millisecond clock.
 *
 * Before including this file, a program defines
 *   CHECK_FAIL_FORMAT  printf format of its failure line, taking the name of
 *                      the failed check (%s): "proctest: FAIL %s: " gives
 *                      "proctest: FAIL wait: expected 3, got 4"
 * and may define
 *   CHECK_ON_FAIL()    what to do before exiting (proctest kills its children).
 * FAIL(check, fmt, ...) prints the line and exits 1; CHECK(cond, check, fmt,
 * ...) does so when cond is false. They are macros so that the detail can be
 * a printf format with arguments, checked by the compiler.
 */
#ifndef RIVET_USER_CHECK_H
#define RIVET_USER_CHECK_H

#include "kernel/types.h"
#include "user/user.h"

#define NS_PER_MS 1000000UL

#ifndef CHECK_ON_FAIL
#define CHECK_ON_FAIL()
#endif

#ifdef CHECK_FAIL_FORMAT
#define FAIL(check, fmt, ...)                                                                        \
  do {                                                                                               \
    printf(CHECK_FAIL_FORMAT fmt "\n", (check), ##__VA_ARGS__);                                      \
    CHECK_ON_FAIL();                                                                                 \
    exit(1);                                                                                         \
  } while (0)

#define CHECK(cond, check, fmt, ...)                                                                 \
  do {                                                                                               \
    if (!(cond))                                                                                     \
      FAIL(check, fmt, ##__VA_ARGS__);                                                               \
  } while (0)
#endif

/*
 * The subtests of an in-guest test program are listed once, in its own
 * table; `PROG --list` prints them, one line each: the name, then " slow"
 * when usertests -q skips it, or " on-request" when it runs only when named
 * (it needs a particular machine). usertests reads that list.
 */
#define LIST_OPTION "--list"
enum subtest_when { SUBTEST_ALWAYS, SUBTEST_SLOW, SUBTEST_ON_REQUEST };
static inline void print_subtest(const char *name, enum subtest_when when) {
  printf("%s%s\n", name,
         when == SUBTEST_SLOW ? " slow" : when == SUBTEST_ON_REQUEST ? " on-request" : "");
}

/* Milliseconds since boot. */
static inline uint64 now_ms(void) { return uptime_ns() / NS_PER_MS; }

#endif
