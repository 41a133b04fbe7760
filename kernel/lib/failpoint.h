/*
 * failpoint: make chosen kernel operations fail on purpose, so that their
 * error paths run (fault injection). Each injection site is one line,
 *
 *   if (fail_should(FAIL_KALLOC))
 *     return 0;
 *
 * placed where the operation could fail for real. The boot argument
 * fail=SPEC (see fail_configure) sets a rate per site and a seed. Whether
 * call number k of a site fails depends only on the seed, the site and k,
 * so a run on one hart repeats exactly; with several harts the calls may
 * come in another order, but the same call numbers fail.
 *
 * Not armed (always, unless fail= is given), fail_should costs one load of
 * a flag and one branch that is never taken.
 */
#ifndef RIVET_FAILPOINT_H
#define RIVET_FAILPOINT_H

#include "kernel/types.h"
#include "kernel/failinject.h"

extern int failpoints_armed; /* written only by fail_arm/fail_disarm */

int fail_decide(enum fail_site site); /* counts the call; 1 if it must fail */

/* Should this call of the site fail? */
static inline int fail_should(enum fail_site site) {
  if (__builtin_expect(failpoints_armed, 0))
    return fail_decide(site);
  return 0;
}

/* Parse SPEC, a comma-separated list of
 *   SITE:P%     each call fails with probability P percent (e.g. 0.5%)
 *   SITE:1/N    every Nth call fails (calls N, 2N, ...)
 *   seed=N      choose which calls fail (default 1)
 *   paused      do not arm at boot; a program arms with failctl()
 * where SITE is kalloc, disk, copy or all. 0, or -1 after printing what
 * is wrong (then nothing is configured). */
int fail_configure(const char *spec);

/* Called once the system is up (the first process is about to enter user
 * mode): arms the failpoints if fail= asked for it and did not say paused. */
void fail_boot_done(void);

int fail_arm(void);    /* 0, or -1 if no rate is configured */
void fail_disarm(void);
void fail_get_report(struct fail_report *r);

#endif
